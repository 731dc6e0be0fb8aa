import type { Command } from 'commander';
import { printAs } from '../../cli/output.ts';
import type { Database } from '../../db/client.ts';
import { type RebuildReport, rebuildRollups } from './rebuild.ts';

export interface RollupCliContext {
  withDatabase: <T>(fn: (database: Database) => Promise<T>) => Promise<T>;
}

export function formatRebuild(report: RebuildReport): string {
  const lines = [
    report.written
      ? `rollups rebuilt from the items in ${report.ms} ms: ${report.rows.spans} spans, ${report.rows.deltas} deltas, ${report.rows.checkpoints} month-end levels (${report.firstMonth}..${report.lastMonth})`
      : `rollups checked against the items in ${report.ms} ms (nothing written)`,
  ];
  if (!report.wasBuilt) lines.push('the rollups had not been built: figures were counted from the items until now');
  else if (report.differences.length === 0) lines.push('no difference: the stored rollups matched the items');
  else {
    lines.push(`DIFFERENCES between the stored rollups and the items${report.written ? ' (now replaced)' : ''}:`);
    for (const d of report.differences) lines.push(`  ${d.table.padEnd(11)} ${(d.indicator ?? '—').padEnd(32)} ${d.rows} rows`);
  }
  return lines.join('\n');
}

/** `yunwang rollups rebuild [--check]`: recompute the indicator rollups from the items and report any difference. */
export function registerRollupCommands(program: Command, { withDatabase }: RollupCliContext): void {
  const rollups = program.command('rollups').description('the indicator rollups (counts kept per department, region and date)');
  rollups
    .command('rebuild')
    .description('recompute the rollups from the items, report any difference with the stored ones, and replace them')
    .option('--check', 'only compare; write nothing (exit status 1 when they differ)')
    .option('--json', 'print the report as JSON')
    .action((opts: { check?: boolean; json?: boolean }) =>
      withDatabase(async (database) => {
        const report = await rebuildRollups(database.db, { check: opts.check ?? false });
        printAs(opts.json, report, () => formatRebuild(report));
        if (opts.check && (!report.wasBuilt || report.differences.length > 0)) process.exitCode = 1;
      }),
    );
}
