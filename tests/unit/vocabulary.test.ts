import { describe, expect, it } from 'vitest';
import {
  alertEventTypes,
  alertRuleKeys,
  alertSeverities,
  alertStates,
  classifications,
  departmentKinds,
  nodeLiveStates,
  nodeTiers,
  privateNetworkStates,
  snapshotLevels,
  systemStates,
  systemTypes,
  workOrderCategories,
  workOrderSlaStates,
  workOrderStates,
} from '../../src/db/schema/enums.ts';
import { roles } from '../../src/identity/roles.ts';
import { definitions, indicatorKeys } from '../../src/indicators/definitions.ts';
import { importKinds } from '../../src/registry/schemas.ts';
import {
  alertEventLabels,
  alertRuleLabels,
  alertSeverityLabels,
  alertStateLabels,
  booleanLabels,
  certificationStatusLabels,
  classificationLabels,
  departmentKindLabels,
  indicatorLabels,
  type Label,
  labelOf,
  nodeLiveStateLabels,
  nodeTierLabels,
  privateNetworkStateLabels,
  rankingGroupLabels,
  rankingListLabels,
  recordKindLabels,
  reviewResultLabels,
  roleLabels,
  snapshotLevelLabels,
  systemStateLabels,
  systemTypeLabels,
  workOrderCategoryLabels,
  workOrderMoveLabels,
  workOrderSlaStateLabels,
  workOrderStateLabels,
} from '../../src/vocabulary/index.ts';

/** Each value set a person reads, with the values it must name. */
const valueSets: [string, readonly string[], Readonly<Record<string, Label>>][] = [
  ['classification', classifications, classificationLabels],
  ['system state', systemStates, systemStateLabels],
  ['private-network state', privateNetworkStates, privateNetworkStateLabels],
  ['system type', systemTypes, systemTypeLabels],
  ['department kind', departmentKinds, departmentKindLabels],
  ['node tier', nodeTiers, nodeTierLabels],
  ['node live state', nodeLiveStates, nodeLiveStateLabels],
  ['record kind', [...importKinds, 'clouds', 'tenants'], recordKindLabels],
  ['indicator', indicatorKeys, indicatorLabels],
  ['role', roles, roleLabels],
  ['alert rule', alertRuleKeys, alertRuleLabels],
  ['alert severity', alertSeverities, alertSeverityLabels],
  ['alert state', alertStates, alertStateLabels],
  ['alert event', alertEventTypes, alertEventLabels],
  ['work-order state', workOrderStates, workOrderStateLabels],
  ['work-order move', workOrderStates, workOrderMoveLabels],
  ['work-order SLA state', workOrderSlaStates, workOrderSlaStateLabels],
  ['work-order category', workOrderCategories, workOrderCategoryLabels],
  ['snapshot level', snapshotLevels, snapshotLevelLabels],
  ['ranking group', ['cities', 'departments'], rankingGroupLabels],
  ['ranking list', ['red', 'black'], rankingListLabels],
  ['certification status', ['active', 'reverted'], certificationStatusLabels],
  ['review result', ['passed', 'failed'], reviewResultLabels],
  ['yes or no', ['true', 'false'], booleanLabels],
];

describe('the vocabulary', () => {
  it.each(valueSets)('names every %s in Chinese and English, each Chinese name once', (_set, values, labels) => {
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
