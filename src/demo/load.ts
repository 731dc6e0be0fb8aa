import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import { regions } from '../db/schema/index.ts';
import { type Actor, rootActor } from '../identity/actor.ts';
import { writeVolumes } from '../interconnection/volumes.ts';
import { businessDate } from '../kernel/dates.ts';
import { seedDemoLeadership } from '../leadership/demo.ts';
import { updateExtranet } from '../registry/extranet.ts';
import type { ImportKind } from '../registry/kinds/index.ts';
import type { SystemInput } from '../registry/kinds/systems.ts';
import { createCloud, createTenants } from '../registry/service.ts';
import { refreshStatistics, upsertRecords } from '../registry/upsert.ts';
import { markSystemsVerified } from '../registry/workload-reports.ts';
import { demoKinds } from './dataset/index.ts';
import { changedServices, demoVolumes, SERVICES_CHANGED } from './dataset/interface-services.ts';
import type { DemoRecords } from './dataset/model.ts';
import { DEMO_AS_OF } from './dataset/model.ts';
import { type DemoDataset, type DemoSummary, demoSummary, generateDemoDataset } from './generate.ts';
import { dayOf, isoOf, streamFor } from './random.ts';
import { seedDemoWorkOrders } from './work-orders.ts';

const demoActor: Actor = rootActor('demo-seed');

/** Clouds and their tenants, through the registry's own services (audited like any write). */
export async function upsertClouds(database: Db, dataset: DemoDataset, actor: Actor = demoActor): Promise<void> {
  // One transaction: each create is then a savepoint, not a commit of its own.
  await database.transaction(async (db) => {
    for (const cloud of dataset.clouds) await createCloud(db, cloud, actor);
    await createTenants(db, dataset.tenants, actor);
  });
}

/** What follows a kind's rows: the clouds' tenants belong to departments, and systems get verified. */
const afterLoading: Partial<Record<ImportKind, (db: Db, dataset: DemoDataset, actor: Actor) => Promise<void>>> = {
  departments: upsertClouds,
  systems: (db, _dataset, actor) => verifyDemoSystems(db, actor),
  'interface-services': (db, dataset, actor) => changeDemoServices(db, dataset, actor),
};

/**
 * The services' second round (consumers gained and lost, services published and taken
 * offline), written as of its own day, and their daily counts through the one volume writer.
 */
async function changeDemoServices(db: Db, dataset: DemoDataset, actor: Actor): Promise<void> {
  const rows = dataset['interface-services'];
  await upsertRecords(db, 'interface-services', changedServices(rows), actor, { today: SERVICES_CHANGED });
  await writeVolumes(db, demoVolumes(rows), actor, { source: 'demo', today: DEMO_AS_OF });
}

/**
 * Loads the demo dataset (演示数据) through the same write path as an import, so the demo
 * has real transitions, timelines and audit entries. Expects the divisions loaded.
 */
export async function loadDemoData(db: Db, options: { scale?: number; actor?: Actor } = {}): Promise<DemoSummary> {
  const through = businessDate();
  const summary = await loadDemoHistory(db, { ...options, through });
  await bringDemoUpToDate(db, { ...options, historyThrough: through });
  return summary;
}

/**
 * The demo's story, the same on every day it is loaded: every kind's rows, and the yearly
 * re-assessments up to `through` (a business date). What is relative to the day the demo runs
 * (bringDemoUpToDate) follows at once, or — for the template `npm run build` prepares — at the
 * first start, days later perhaps.
 */
export async function loadDemoHistory(db: Db, options: { scale?: number; actor?: Actor; through: string }): Promise<DemoSummary> {
  const actor = options.actor ?? demoActor;
  const regionRows = await regionsOf(db);
  const dataset = generateDemoDataset(regionRows, { scale: options.scale ?? 1 });
  const records: DemoRecords = dataset;
  const load = async <K extends ImportKind>(kind: K) =>
    refreshStatistics(db, kind, await upsertRecords(db, kind, records[kind], actor, { today: demoKinds[kind].today }));
  for (const kind of Object.keys(demoKinds) as ImportKind[]) {
    await load(kind);
    await afterLoading[kind]?.(db, dataset, actor);
    if (kind === 'systems') await reassessDemoSystems(db, dataset.systems, actor, { after: null, through: options.through });
  }
  // Demo targets, and 2019-01..2020-07 queued for the snapshot job: the red/black list and trends work out of the box.
  const province = regionRows.find((r) => r.level === 'province');
  if (province) await seedDemoLeadership(db, province.code, actor);
  return demoSummary(dataset);
}

/**
 * What the demo shows relative to today, after its history loaded through `historyThrough`:
 * the re-assessments since, workloads last seen within the day, the extranet's assessment of
 * last September, and work orders opened hours and days ago.
 */
export async function bringDemoUpToDate(db: Db, options: { scale?: number; actor?: Actor; historyThrough: string }): Promise<void> {
  const actor = options.actor ?? demoActor;
  const today = businessDate();
  if (options.historyThrough < today) {
    const dataset = generateDemoDataset(await regionsOf(db), { scale: options.scale ?? 1 });
    await reassessDemoSystems(db, dataset.systems, actor, { after: options.historyThrough, through: today });
  }
  await sightDemoSystems(db);
  // The extranet is 等保 level 3, assessed every September.
  await updateExtranet(
    db,
    { name: '电子政务外网', security_level: 3, filing_number: '45010099001-30001', assessed_on: lastSeptember() },
    actor,
  );
  // A handful of work orders in each state: the queue and the order page have something to show.
  await seedDemoWorkOrders(db, actor);
}

const regionsOf = (db: Db) =>
  db.select({ code: regions.code, name: regions.name, level: regions.level, parentCode: regions.parentCode }).from(regions);

/**
 * The demo's story ends in mid-2020 and the live demo runs today: since their last assessment
 * its level-3+ systems were re-assessed (等保测评) every year, all but about one in fifty,
 * whose last assessment is now overdue — so 等保测评率 means something today, and its
 * assessment_overdue alerts show without flooding. Year by year, each a dated assessment in
 * the systems' history: those after `after` (null: all) up to `through`.
 */
async function reassessDemoSystems(
  db: Db,
  systems: readonly SystemInput[],
  actor: Actor,
  range: { after: string | null; through: string },
): Promise<void> {
  const after = range.after === null ? Number.NEGATIVE_INFINITY : dayOf(range.after);
  const years: SystemInput[][] = [];
  for (const row of systems) {
    if (!row.assessed_on || (row.security_level ?? 0) < 3) continue;
    // A lapsed system stopped after a fixed year, so that every past date's figure stays the same as the days go by.
    const lapsed = streamFor(0, row.code).next() < 0.02;
    const until = lapsed ? Math.min(dayOf(range.through), dayOf('2022-06-30')) : dayOf(range.through);
    for (let day = dayOf(row.assessed_on) + 365, year = 0; day <= until; day += 365, year++) {
      if (day > after) years[year] = [...(years[year] ?? []), { ...row, assessed_on: isoOf(day) }];
    }
  }
  for (const rows of years) if (rows) await upsertRecords(db, 'systems', rows, actor);
}

/** The last 20 September on or before today. */
function lastSeptember(): string {
  const today = businessDate();
  const thisYear = `${today.slice(0, 4)}-09-20`;
  return thisYear <= today ? thisYear : `${Number(today.slice(0, 4)) - 1}-09-20`;
}

/**
 * The demo's cloud agents have seen the workloads of most systems declared migrated
 * (claimed → verified) a week after the migration; about one in thirty is still unseen, so
 * the claimed-versus-verified gap (and its system_unverified alerts) shows without flooding.
 */
async function verifyDemoSystems(db: Db, actor: Actor): Promise<void> {
  const seen = await queryRows<{ code: string; at: string }>(
    db,
    sql`select code, ((state_at + 7)::timestamptz)::text as at from systems
        where state = 'migrated' and verified_at is null and state_at is not null and cloud_id is not null and abs(hashtext(code)) % 30 <> 0
        order by id`,
  );
  await markSystemsVerified(db, seen, actor);
}

/**
 * The live demo's clouds run the workloads of the systems on them: each was last seen within
 * the day — but about one in forty, switched off 100 to 400 days ago and still registered in
 * use, is an idle candidate (僵尸系统) for the idle-systems page to show.
 */
async function sightDemoSystems(db: Db): Promise<void> {
  await db.execute(sql`update systems set last_seen_at = now() - case
        when abs(hashtext(code || ':idle')) % 40 = 0 then make_interval(days => 100 + abs(hashtext(code)) % 300)
        else make_interval(mins => abs(hashtext(code)) % 1440) end
      where cloud_id is not null and state in ('migrated', 'migrating') and (verified_at is not null or state = 'migrating')`);
}
