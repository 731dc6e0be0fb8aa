import { count } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { departments } from '../db/schema/index.ts';
import type { DemoSummary } from '../demo/generate.ts';
import { loadDemoData } from '../demo/load.ts';
import { createDemoUsers, ensureAdministrators } from '../identity/bootstrap.ts';
import { readRollupState } from '../indicators/rollups/maintain.ts';
import { rebuildRollups } from '../indicators/rollups/rebuild.ts';
import { DEMO_HISTORY } from '../leadership/demo.ts';
import { countRegions, loadDivisions } from '../regions/service.ts';

export interface PrepareOptions {
  demo: boolean;
  /** The demo users' password (YUNWANG_DEMO_PASSWORD). */
  demoPassword?: string;
  log?: (line: string) => void;
  /** Where the first administrators' one-time credentials are written, as a 0600 file (YUNWANG_CREDENTIALS_DIR). */
  credentialsDir: string;
}

/** What a first start says once the demo is loaded, whichever way (the write path, or the build's template). */
export function logDemoLoaded(log: (line: string) => void, summary: DemoSummary, names: string[], how: string): void {
  const counts = Object.entries(summary).map(([k, n]) => `${n} ${k}`);
  log(`loaded the demo dataset (演示数据) ${how}: ${counts.join(', ')}`);
  if (names.length > 0) log(`DEMO DATA 演示数据: demo users ${names.join(', ')} sign in with YUNWANG_DEMO_PASSWORD, no second factor`);
  const { from, to } = DEMO_HISTORY;
  log(
    `queued the demo's monthly snapshots ${from}..${to}: the server freezes them in the background after ready (or: yunwang snapshot --from ${from} --to ${to})`,
  );
}

/**
 * First start: migrate, load the divisions, the demo dataset and demo users (unless turned
 * off), and — when there are still no users — the three administrators.
 */
export function prepareDatabase(database: Database, options: PrepareOptions): Promise<void> {
  return database.exclusively(() => prepareAlone(database, options));
}

async function prepareAlone(database: Database, options: PrepareOptions): Promise<void> {
  const log = options.log ?? (() => {});
  await database.migrate();
  if ((await countRegions(database.db)) === 0) {
    log(`loaded ${await loadDivisions(database.db)} administrative divisions`);
  }
  // A registry migrated with its history has no rollups yet (figures are counted from the items meanwhile).
  if ((await readRollupState(database.db))?.built === false) {
    const report = await rebuildRollups(database.db);
    log(`built the indicator rollups from the registry in ${report.ms} ms (${report.rows.spans} spans, ${report.rows.deltas} deltas)`);
  }
  if (options.demo) {
    const [row] = await database.db.select({ n: count() }).from(departments);
    if ((row?.n ?? 0) === 0) {
      const started = performance.now();
      const summary = await loadDemoData(database.db);
      const names = await createDemoUsers(database.db, options.demoPassword ?? 'Demo-Passw0rd!');
      logDemoLoaded(log, summary, names, `through the write path in ${Math.round(performance.now() - started)} ms`);
    }
  }
  await ensureAdministrators(database.db, options.credentialsDir, log);
}
