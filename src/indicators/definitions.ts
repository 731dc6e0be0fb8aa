import { type SQL, sql } from 'drizzle-orm';
import type { ServiceLevel, TrackedKind } from '../db/schema/enums.ts';
import { indicatorLabels } from '../vocabulary/indicators.ts';
import type { Scope } from './scope.ts';

export const indicatorKeys = [
  'cloud_migration',
  'private_network_interconnection',
  'service_integration',
  'horizontal_coverage_city',
  'horizontal_coverage_county',
  'horizontal_coverage_township',
  'extranet_access',
  'data_centre_consolidation',
  'online_service',
  'one_visit',
  'security_assessment',
  'dr_coverage',
] as const;
export type IndicatorKey = (typeof indicatorKeys)[number];

/** The "三个100%": the three indicators the reform aims to bring to 100%. */
export const threeHundred: readonly IndicatorKey[] = ['cloud_migration', 'private_network_interconnection', 'service_integration'];

/**
 * An indicator is a set of candidate items with three flags each: counted in the
 * denominator, done (counted in the numerator when in the denominator), and pending
 * classification. The figure counts the set; the drill-down lists it. Both read the same
 * SQL, so a figure always matches its items.
 */
export interface IndicatorDefinition {
  key: IndicatorKey;
  name: string;
  nameEn: string;
  /** Region scopes only (coverage is about places, not departments). */
  regionOnly?: boolean;
  /** The table whose items may await classification (认定): /metrics counts them by it. */
  classifies?: 'systems' | 'private_networks' | 'data_centres';
  /** Columns of each item, in drill-down order. */
  columns: readonly string[];
  /**
   * SELECT of the candidate items, with boolean columns in_denominator, done, pending, and
   * item_id and department_id (for the rollups). `at` is a business date, or a date-valued
   * SQL expression when the rollups evaluate the definition at many dates at once.
   */
  items(scope: Scope, at: AsOf): SQL | null;
  /**
   * How the rollups (src/indicators/rollups/) keep this indicator: the tracked kind of its
   * items, the item column its breakdown groups by, and the dates inside a timeline interval
   * (expressions over `t`) where a flag may change without a transition. Absent: counted from
   * the items on every request (coverage: regions with an EXISTS over nodes).
   */
  rollup?: { kind: TrackedKind; breakdown?: string; changesAt?: readonly SQL[] };
}

/** A business date (YYYY-MM-DD), or an SQL expression of type date. */
export type AsOf = string | SQL;

/** An indicator's key with its official names (the API's `name` and `name_en`). */
const named = (key: IndicatorKey) => ({ key, name: indicatorLabels[key].zh, nameEn: indicatorLabels[key].enFull });

/** The state of a tracked entity at the end of business day `at`, as a join condition. */
const asOf = (kind: TrackedKind, entity: SQL, at: AsOf) =>
  sql`t.kind = ${kind} and t.entity_id = ${entity}
      and (t.valid_from is null or t.valid_from <= ${at}::date)
      and (t.valid_to is null or t.valid_to > ${at}::date)`;

/** Values as an SQL list, for `in (…)`. */
const listOf = (values: readonly string[]) =>
  sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );

/**
 * Systems, private networks and data centres: the non-classified items of a department-owned
 * table in a state the figure counts as done. `leaves` are the states that take an item out of
 * the figure altogether (a system switched off, a network given up: `retired`); a closed data
 * centre instead counts as done, being out of the machine rooms as surely as a consolidated one.
 */
const classified = (
  key: IndicatorKey,
  table: NonNullable<IndicatorDefinition['classifies']>,
  kind: TrackedKind,
  { done, leaves = [] }: { done: readonly [string, ...string[]]; leaves?: readonly string[] },
): IndicatorDefinition => {
  const stays = leaves.length > 0 ? sql`t.state not in (${listOf(leaves)})` : sql`true`;
  return {
    ...named(key),
    classifies: table,
    columns: ['code', 'name', 'department_code', 'department_name', 'region_code', 'classification', 'state', 'done'],
    rollup: { kind },
    items: (scope, at) => sql`
    select e.id as item_id, d.id as department_id, e.code, e.name, d.code as department_code, d.name as department_name, d.region_code,
           t.classification, t.state,
           (t.classification = 'non_classified' and ${stays}) as in_denominator,
           (t.state in (${listOf(done)})) as done,
           (t.classification = 'pending' and ${stays}) as pending
    from ${sql.identifier(table)} e
    join departments d on d.id = e.department_id
    join timeline t on ${asOf(kind, sql`e.id`, at)}
    where ${scope.departments}`,
  };
};

/**
 * Service items by how far they are done online (办理深度) on the date: every item counts, and
 * those at one of the `done` levels are done. An item without a recorded level is one needing
 * several visits.
 */
const serviceLevel = (key: IndicatorKey, done: readonly [ServiceLevel, ...ServiceLevel[]]): IndicatorDefinition => {
  const level = sql`coalesce(t.attributes->>'service_level', 'multiple_visits')`;
  return {
    ...named(key),
    columns: ['code', 'name', 'department_code', 'department_name', 'region_code', 'service_level', 'done'],
    rollup: { kind: 'service_item' },
    items: (scope, at) => sql`
    select i.id as item_id, d.id as department_id, i.code, i.name, d.code as department_code, d.name as department_name, d.region_code,
           ${level} as service_level,
           true as in_denominator,
           (${level} in (${listOf(done)})) as done,
           false as pending
    from service_items i
    join departments d on d.id = i.department_id
    join timeline t on ${asOf('service_item', sql`i.id`, at)}
    where ${scope.departments}`,
  };
};

/**
 * Systems of 等保 level 3 or 4 on the date, non-classified (classified systems fall under 分保,
 * not 等保) and not retired; `done` says what the figure asks of each.
 */
const levelThreeSystems = (key: IndicatorKey, done: (at: AsOf) => SQL, changesAt: readonly SQL[] = []): IndicatorDefinition => {
  const inFigure = sql`t.state <> 'retired' and coalesce((t.attributes->>'security_level')::int, 0) >= 3`;
  return {
    // Not `classifies`: its pending count is the level-3+ systems only, not the systems' own count.
    ...named(key),
    columns: [
      'code',
      'name',
      'department_code',
      'department_name',
      'region_code',
      'classification',
      'state',
      'security_level',
      'assessed_on',
      'dr_site',
      'done',
    ],
    rollup: { kind: 'system', changesAt },
    items: (scope, at) => sql`
    select e.id as item_id, d.id as department_id, e.code, e.name, d.code as department_code, d.name as department_name, d.region_code,
           t.classification, t.state,
           (t.attributes->>'security_level')::int as security_level,
           t.attributes->>'assessed_on' as assessed_on,
           t.attributes->>'dr_site' as dr_site,
           (t.classification = 'non_classified' and ${inFigure}) as in_denominator,
           coalesce(${done(at)}, false) as done,
           (t.classification = 'pending' and ${inFigure}) as pending
    from systems e
    join departments d on d.id = e.department_id
    join timeline t on ${asOf('system', sql`e.id`, at)}
    where ${scope.departments}`,
  };
};

const coverage = (level: 'city' | 'county' | 'township'): IndicatorDefinition => ({
  ...named(`horizontal_coverage_${level}`),
  regionOnly: true,
  columns: ['code', 'name', 'level', 'parent_code', 'done'],
  items: (scope, at) =>
    scope.regions
      ? sql`
    select r.code, r.name, r.level, r.parent_code,
           true as in_denominator,
           exists (select 1 from network_nodes n join timeline t on ${asOf('network_node', sql`n.id`, at)}
                   where n.region_code = r.code and n.tier = 'metro' and t.state = 'commissioned') as done,
           false as pending
    from regions r
    where r.level = ${level} and ${scope.regions}`
      : null,
});

export const definitions: Record<IndicatorKey, IndicatorDefinition> = {
  cloud_migration: classified('cloud_migration', 'systems', 'system', { done: ['migrated'], leaves: ['retired'] }),
  private_network_interconnection: classified('private_network_interconnection', 'private_networks', 'private_network', {
    done: ['interconnected'],
    leaves: ['retired'],
  }),
  service_integration: {
    ...named('service_integration'),
    columns: ['code', 'name', 'department_code', 'department_name', 'region_code', 'system_type', 'level', 'state', 'done'],
    // Split by system type (the item's) and by level (its department's region's, read with the figure).
    rollup: { kind: 'service_item', breakdown: 'system_type' },
    items: (scope, at) => sql`
    select i.id as item_id, d.id as department_id, i.code, i.name, d.code as department_code, d.name as department_name, d.region_code,
           i.system_type, r.level, t.state,
           i.integration_required as in_denominator,
           (t.state = 'integrated') as done,
           false as pending
    from service_items i
    join departments d on d.id = i.department_id
    join regions r on r.code = d.region_code
    join timeline t on ${asOf('service_item', sql`i.id`, at)}
    where ${scope.departments}`,
  },
  horizontal_coverage_city: coverage('city'),
  horizontal_coverage_county: coverage('county'),
  horizontal_coverage_township: coverage('township'),
  extranet_access: {
    ...named('extranet_access'),
    columns: ['code', 'name', 'region_code', 'kind', 'state', 'done'],
    rollup: { kind: 'department' },
    items: (scope, at) => sql`
    select d.id as item_id, d.id as department_id, d.code, d.name, d.region_code, d.kind, t.state,
           true as in_denominator,
           (t.state = 'connected') as done,
           false as pending
    from departments d
    join timeline t on ${asOf('department', sql`d.id`, at)}
    where ${scope.departments}`,
  },
  data_centre_consolidation: classified('data_centre_consolidation', 'data_centres', 'data_centre', {
    done: ['consolidated', 'closed'],
  }),
  online_service: serviceLevel('online_service', ['full_online', 'online_one_visit']),
  one_visit: serviceLevel('one_visit', ['full_online', 'online_one_visit', 'offline_one_visit']),
  // Assessed within the 12 months up to the date: an assessment of 2025-12-06 still counts on 2026-12-06.
  security_assessment: levelThreeSystems(
    'security_assessment',
    (at) => sql`(t.attributes->>'assessed_on')::date >= (${at}::date - interval '12 months')::date`,
    // The test above turns false, without a transition, on the first date after assessed_on + 12
    // months: one day after it, or two when that lands on 28 February of a leap year. The rollups
    // evaluate the test itself at both; an extra date where nothing changes is harmless.
    [1, 2].map((days) => sql`((t.attributes->>'assessed_on')::date + interval '12 months')::date + ${days}::int`),
  ),
  dr_coverage: levelThreeSystems('dr_coverage', () => sql`(t.attributes->>'dr_site') is not null`),
};
