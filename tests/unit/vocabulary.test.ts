import { describe, expect, it } from 'vitest';
import * as enums from '../../src/db/schema/enums.ts';
import { roles } from '../../src/identity/roles.ts';
import { definitions, indicatorKeys } from '../../src/indicators/definitions.ts';
import { importKinds } from '../../src/registry/schemas.ts';
import * as vocabulary from '../../src/vocabulary/index.ts';
import { indicatorLabels, type Label, labelOf, privateNetworkStateLabels, systemStateLabels } from '../../src/vocabulary/index.ts';

type Labels = Readonly<Record<string, Label>>;
const labelSets = vocabulary as unknown as Record<string, Labels | undefined>;

/** The value sets of the schema that no page, report or command names in words: codes, or internal. */
const unnamed = new Set([
  'regionLevels',
  'securityLevels',
  'cloudKinds',
  'cloudRoles',
  'trackedKinds',
  'integrationStates',
  'commissionStates',
  'extranetStates',
  'agentKinds',
  'targetScopeKinds',
  'snapshotStatuses',
  'alertSubjectKinds',
  'channelKinds',
  'notificationStates',
  'notificationReasons',
  'workOrderPriorities',
  'workOrderSubjectKinds',
  'slaClocks',
  'calendarDayKinds',
  'workOrderEventTypes',
]);
/** `systemStates` is named by `systemStateLabels`; these few by a shorter name. */
const labelsNamed: Record<string, string> = { alertRuleKeys: 'alertRuleLabels', alertEventTypes: 'alertEventLabels' };
const labelsOf = (setName: string) => labelsNamed[setName] ?? `${setName.replace(/ies$/, 'y').replace(/s$/, '')}Labels`;

const schemaSets = Object.entries(enums as Record<string, unknown>).filter(
  (entry): entry is [string, readonly string[]] => Array.isArray(entry[1]) && !unnamed.has(entry[0]),
);

/** Each value set a person reads, with the values it must name. */
const valueSets: [string, readonly string[], Labels | undefined][] = [
  ...schemaSets.map(([name, values]): [string, readonly string[], Labels | undefined] => [name, values, labelSets[labelsOf(name)]]),
  ['workOrderMoves', enums.workOrderStates, vocabulary.workOrderMoveLabels],
  ['recordKinds', [...importKinds, 'clouds', 'tenants'], vocabulary.recordKindLabels],
  ['indicators', indicatorKeys, indicatorLabels],
  ['roles', roles, vocabulary.roleLabels],
  ['rankingGroups', ['cities', 'departments'], vocabulary.rankingGroupLabels],
  ['rankingLists', ['red', 'black'], vocabulary.rankingListLabels],
  ['certificationStatuses', ['active', 'reverted'], vocabulary.certificationStatusLabels],
  ['reviewResults', ['passed', 'failed'], vocabulary.reviewResultLabels],
  ['booleans', ['true', 'false'], vocabulary.booleanLabels],
];

describe('the vocabulary', () => {
  it('labels every value set of the schema, or knows it as one no person reads in words', () => {
    expect(schemaSets.length).toBeGreaterThan(10);
    for (const [name] of schemaSets) expect(labelSets[labelsOf(name)], `${labelsOf(name)} for ${name}`).toBeDefined();
  });

  it.each(valueSets)('names every value of %s in Chinese and English, each Chinese name once', (_set, values, labels = {}) => {
    for (const value of values) {
      expect(labels[value]?.zh.trim(), `${value} in Chinese`).toBeTruthy();
      expect(labels[value]?.en.trim(), `${value} in English`).toBeTruthy();
    }
    expect(Object.keys(labels).sort()).toEqual([...values].sort());
    const zh = values.map((value) => labels[value]?.zh);
    expect(new Set(zh).size, `Chinese names ${zh.join(', ')}`).toBe(zh.length);
  });

  it("gives the indicators' official names as the API's name and name_en", () => {
    for (const key of indicatorKeys) {
      expect(definitions[key].name).toBe(indicatorLabels[key].zh);
      expect(definitions[key].nameEn).toBe(indicatorLabels[key].enFull);
    }
  });

  it("tells a private network's 已退出 from a system's 已下线 when given the set", () => {
    expect(labelOf('retired', 'zh', privateNetworkStateLabels)).toBe('已退出');
    expect(labelOf('retired', 'zh', systemStateLabels)).toBe('已下线');
    expect(labelOf('retired', 'zh')).toBe('已下线');
    expect(labelOf('interconnected', 'en')).toBe('interconnected');
    expect(labelOf('no-such-value', 'zh')).toBe('no-such-value');
    expect(labelOf(null, 'zh')).toBe('—');
  });
});
