import { count } from 'drizzle-orm';
import { loadDemoData } from '../demo/load.ts';
import { DEMO_HISTORY } from '../leadership/demo.ts';
import { countRegions, loadDivisions } from '../regions/service.ts';
import type { Database } from './client.ts';
import { departments } from './schema/index.ts';

export interface PrepareOptions {
  demo: boolean;
  log?: (line: string) => void;
}

/** First start: migrate, load the divisions, and (unless turned off) the demo dataset. */
export async function prepareDatabase(database: Database, options: PrepareOptions): Promise<void> {
  const log = options.log ?? (() => {});
  await database.migrate();
  if ((await countRegions(database.db)) === 0) {
    log(`loaded ${await loadDivisions(database.db)} administrative divisions`);
  }
  if (!options.demo) return;
  const [row] = await database.db.select({ n: count() }).from(departments);
  if ((row?.n ?? 0) > 0) return;
  const summary = await loadDemoData(database.db);
  log(
    `loaded the demo dataset (演示数据): ${Object.entries(summary)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}`,
  );
  const { from, to } = DEMO_HISTORY;
  log(
    `queued the demo's monthly snapshots ${from}..${to}: the server freezes them in the background after ready (or: yunwang snapshot --from ${from} --to ${to})`,
  );
}
