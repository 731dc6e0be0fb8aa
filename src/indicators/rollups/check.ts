import type { Db } from '../../db/client.ts';
import { rebuildRollups } from './rebuild.ts';

export interface RollupCheck {
  /** When the check finished. */
  at: Date;
  /** Rows where the stored rollups and a recount from the items disagree; 0 when they agree. */
  mismatches: number;
}

/** The last check this process made (the server checks once after start-up), for /metrics. */
let lastCheck: RollupCheck | null = null;

export const lastRollupCheck = (): RollupCheck | null => lastCheck;

/**
 * Recounts the rollups from the items and compares, writing nothing; logs any difference
 * (repair: `yunwang rollups rebuild`). Its result is `yunwang_rollup_mismatches`.
 */
export async function checkRollups(db: Db, log: (line: string) => void = () => {}): Promise<RollupCheck> {
  const report = await rebuildRollups(db, { check: true });
  const mismatches = report.wasBuilt ? report.differences.reduce((n, d) => n + d.rows, 0) : 0;
  lastCheck = { at: new Date(), mismatches };
  if (mismatches > 0) {
    const where = report.differences.map((d) => `${d.table} ${d.indicator ?? ''} ${d.rows}`.replace('  ', ' ')).join(', ');
    log(`the indicator rollups disagree with the items in ${mismatches} rows (${where}): run yunwang rollups rebuild`);
  } else log(`indicator rollups checked against the items in ${report.ms} ms: no difference`);
  return lastCheck;
}
