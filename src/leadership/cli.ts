import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { printAs } from '../cli/output.ts';
import { progressReporter } from '../cli/progress.ts';
import type { LeadershipSettings } from '../config.ts';
import type { Database, Db } from '../db/client.ts';
import type { Actor } from '../identity/actor.ts';
import { indicatorKeys } from '../indicators/definitions.ts';
import { isCalendarDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { bilingual, rankingGroupLabels, rankingListLabels } from '../vocabulary/index.ts';
import { forecast } from './forecast.ts';
import { freezeMonths } from './freeze.ts';
import { monthRange, parseMonth } from './months.ts';
import { buildRanking, type Ranking, type RankingList } from './ranking.ts';
import { buildSupervisionReport } from './report.ts';
import { supervisionHtml } from './report-html.ts';
import { supervisionXlsx } from './report-xlsx.ts';
import { listSnapshots } from './snapshots.ts';
import { listTrajectories, percentOfRatio, removeTargets, setTarget, targetStatus } from './targets.ts';

export interface CliContext {
  withDatabase: <T>(fn: (database: Database) => Promise<T>) => Promise<T>;
  actor: () => Actor;
  settings: () => LeadershipSettings;
}

const monthArg = (value: string) => {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError('expected a month YYYY-MM');
  return value;
};
const dateArg = (value: string) => {
  if (!isCalendarDate(value)) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return value;
};
const indicatorOption = () => new Option('--indicator <key>', 'indicator key').choices(indicatorKeys);
const pct = (p: number | null) => (p === null ? '   —  ' : `${p.toFixed(1).padStart(5)}%`);

export function formatRanking(ranking: Ranking): string {
  const weights = Object.entries(ranking.weights)
    .map(([k, w]) => `${k} ${w}`)
    .join(', ');
  const lines = [
    `红黑榜 ${ranking.month} (as of ${ranking.as_of}; progress against ${ranking.previous_month ?? 'no earlier snapshot'})`,
    `score = level + ${ranking.progress_weight} × progress; weights: ${weights}`,
  ];
  const block = (title: string, list: RankingList) => {
    const red = new Set(list.red.map((e) => e.scope));
    const black = new Set(list.black.map((e) => e.scope));
    lines.push('', title, '  rank  scope            score   level  progress  name');
    for (const e of list.ranked) {
      const color = red.has(e.scope) ? 'red' : black.has(e.scope) ? 'black' : null;
      const mark = color ? `  ${bilingual(rankingListLabels[color])}` : '';
      const progress = `${e.progress >= 0 ? '+' : ''}${e.progress.toFixed(2)}`;
      lines.push(
        `  ${String(e.rank).padStart(4)}  ${e.scope.padEnd(14)} ${e.score.toFixed(2).padStart(7)}  ${e.level.toFixed(2).padStart(6)}  ${progress.padStart(7)}  ${e.name}${mark}`,
      );
    }
    for (const u of list.unranked) lines.push(`     —  ${u.scope.padEnd(14)} ${u.name}: ${u.reason}`);
    for (const color of ['red', 'black'] as const) {
      lines.push(`  ${bilingual(rankingListLabels[color])}:`);
      for (const e of list[color]) lines.push(`    ${e.rank}. ${e.name} (${e.score.toFixed(2)}): ${e.summary}`);
    }
  };
  for (const group of ['cities', 'departments'] as const) block(bilingual(rankingGroupLabels[group]), ranking[group]);
  return lines.join('\n');
}

export function registerLeadershipCommands(program: Command, ctx: CliContext): void {
  /** The action of a command that reads something and prints it: JSON with --json, else as `text` writes it. */
  const readAndPrint =
    <Opts extends { json?: boolean }, T>(read: (db: Db, opts: Opts) => Promise<T>, text: (result: T) => string) =>
    (opts: Opts) =>
      ctx.withDatabase(async ({ db }) => {
        const result = await read(db, opts);
        printAs(opts.json, result, () => text(result));
      });

  const target = program
    .command('target')
    .description('target trajectories (目标): set, list, remove, and the status of a scope against them');

  target
    .command('set')
    .description('set one point of a trajectory: reach <ratio> by the end of <deadline>')
    .addOption(indicatorOption().makeOptionMandatory())
    .requiredOption('--scope <scope>', 'the province or a city code, cities, dept:<code>, or departments')
    .requiredOption('--deadline <date>', 'YYYY-MM-DD', dateArg)
    .requiredOption('--ratio <ratio>', 'a ratio 0–1 or a percent such as 70%')
    .option('--note <text>', 'where the target comes from')
    .action((opts: { indicator: string; scope: string; deadline: string; ratio: string; note?: string }) =>
      ctx.withDatabase(async ({ db }) => {
        const t = await setTarget(
          db,
          {
            indicator: opts.indicator as (typeof indicatorKeys)[number],
            scope: opts.scope,
            deadline: opts.deadline,
            ratio: opts.ratio,
            note: opts.note,
          },
          ctx.actor(),
        );
        console.log(`${t.indicator} for ${t.scope}: ${t.points.map((p) => `${p.deadline} → ${p.percent}%`).join(', ')}`);
      }),
    );

  target
    .command('list')
    .description('every trajectory, or those of an indicator or scope')
    .addOption(indicatorOption())
    .option('--scope <scope>', 'only this scope')
    .option('--json', 'print JSON')
    .action(
      readAndPrint(
        (db, opts: { indicator?: string; scope?: string; json?: boolean }) => listTrajectories(db, opts),
        (list) =>
          list.length === 0
            ? 'no targets'
            : list
                .map(
                  (t) =>
                    `${t.indicator.padEnd(32)} ${t.scope.padEnd(14)} ${t.points.map((p) => `${p.deadline} → ${p.percent}%`).join(', ')}`,
                )
                .join('\n'),
      ),
    );

  target
    .command('remove')
    .description('remove one point (with --deadline) or a whole trajectory')
    .addOption(indicatorOption().makeOptionMandatory())
    .requiredOption('--scope <scope>', 'the scope the trajectory is for')
    .option('--deadline <date>', 'only this point', dateArg)
    .action((opts: { indicator: string; scope: string; deadline?: string }) =>
      ctx.withDatabase(async ({ db }) => {
        const { removed } = await removeTargets(db, opts, ctx.actor());
        console.log(`removed ${removed} target point${removed === 1 ? '' : 's'}`);
      }),
    );

  target
    .command('status')
    .description('for a scope and date: each figure, the target in force, the gap, and whether it is behind')
    .requiredOption('--scope <scope>', 'a division code or dept:<code>')
    .option('--at <date>', 'business date (default today)', dateArg)
    .option('--json', 'print JSON')
    .action(
      readAndPrint(
        (db, opts: { scope: string; at?: string; json?: boolean }) => targetStatus(db, opts),
        (status) =>
          [
            `${status.scope_name} (${status.scope}) as of ${status.at}`,
            ...status.indicators.map((i) => {
              const against =
                i.target === null
                  ? i.next_deadline
                    ? `no target in force yet; next ${i.next_deadline} → ${percentOfRatio(i.next_target)}%`
                    : 'no target'
                  : `target ${pct(i.target_percent)}  ${i.behind ? `behind by ${i.gap_points?.toFixed(1)} points` : 'on track'}${i.next_deadline ? `; next ${i.next_deadline} → ${percentOfRatio(i.next_target)}%` : ''}`;
              return `  ${i.key.padEnd(32)} ${pct(i.percent)}  ${against}`;
            }),
          ].join('\n'),
      ),
    );

  program
    .command('snapshot')
    .description('freeze every indicator of every scope as of a month’s last day (a month already frozen is left alone)')
    .option('--month <month>', 'YYYY-MM', monthArg)
    .option('--from <month>', 'backfill from this month…', monthArg)
    .option('--to <month>', '…to this one, both included', monthArg)
    .option('--refreeze', 'freeze again months already frozen (audited; needs --reason)')
    .option('--reason <text>', 'why the months are frozen again')
    .option('--list', 'list the months with a snapshot')
    .action((opts: { month?: string; from?: string; to?: string; refreeze?: boolean; reason?: string; list?: boolean }) =>
      ctx.withDatabase(async ({ db }) => {
        if (opts.list) {
          for (const s of await listSnapshots(db)) {
            console.log(
              `${s.month}  ${s.status.padEnd(7)} rev ${s.revision}  ${s.scope_count} scopes  ${s.frozen_at ?? ''}${s.reason ? `  (${s.reason})` : ''}`,
            );
          }
          return;
        }
        const months = opts.month ? [parseMonth(opts.month)] : opts.from && opts.to ? monthRange(opts.from, opts.to) : null;
        if (!months || (opts.month && (opts.from || opts.to))) throw new AppError('bad_request', 'give either --month, or --from and --to');
        const started = performance.now();
        const progress = progressReporter('snapshot');
        const results = await freezeMonths(db, months, {
          actor: ctx.actor(),
          refreeze: opts.refreeze,
          reason: opts.reason,
          concurrency: ctx.settings().snapshotConcurrency,
          log: (line) => {
            // A log line starts on a line of its own, not after the bar.
            progress.finish();
            console.error(line);
          },
          onProgress: (done, total) => progress.update(done, total),
        }).finally(() => progress.finish());
        for (const r of results) {
          const note =
            r.outcome === 'unchanged'
              ? `already frozen (revision ${r.snapshot.revision}); unchanged`
              : `${r.outcome}, revision ${r.snapshot.revision}`;
          console.log(`${r.month}: ${note}${r.changed_figures !== undefined ? `, ${r.changed_figures} figures changed` : ''}`);
        }
        console.error(`${results.length} month(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }),
    );

  program
    .command('forecast')
    .description('when each indicator reaches 100% at its recent pace (least squares over the last N monthly snapshots)')
    .requiredOption('--scope <scope>', 'a division code, dept:<code>, cities or departments')
    .option('--month <month>', 'forecast from this month back (default the latest frozen)', monthArg)
    .option('--json', 'print JSON')
    .action(
      readAndPrint(
        (db, opts: { scope: string; month?: string; json?: boolean }) => forecast(db, opts, ctx.settings().forecastMonths),
        (report) =>
          [
            `forecast from ${report.months.join(', ')}`,
            ...report.scopes.flatMap((s) => [
              `${s.scope_name} (${s.scope})`,
              ...s.forecasts.map((f) => {
                const what =
                  f.status === 'projected'
                    ? `100% by ${f.projected_date}`
                    : f.status === 'reached'
                      ? 'reached 100%'
                      : f.status === 'not_at_current_pace'
                        ? 'not at current pace (不按当前进度无法完成)'
                        : 'too little history';
                const pace =
                  f.pace_points_per_month === null
                    ? ''
                    : `  (${f.pace_points_per_month >= 0 ? '+' : ''}${f.pace_points_per_month} points/month)`;
                return `  ${f.indicator.padEnd(32)} ${pct(f.latest_ratio === null ? null : Math.round(f.latest_ratio * 1000) / 10)}  ${what}${pace}`;
              }),
            ]),
          ].join('\n'),
      ),
    );

  program
    .command('ranking')
    .description('the red/black list (红黑榜) of a frozen month')
    .requiredOption('--month <month>', 'YYYY-MM', monthArg)
    .option('--json', 'print JSON (the API body)')
    .action(readAndPrint((db, opts: { month: string; json?: boolean }) => buildRanking(db, opts.month, ctx.settings()), formatRanking));

  program
    .command('report')
    .description('the monthly supervision report (督查通报) as XLSX or printable HTML')
    .requiredOption('--month <month>', 'YYYY-MM', monthArg)
    .requiredOption('--out <file>', 'where to write it; .html writes the printable page')
    .addOption(new Option('--format <format>', 'override the format the file name suggests').choices(['xlsx', 'html']))
    .action((opts: { month: string; out: string; format?: 'xlsx' | 'html' }) =>
      ctx.withDatabase(async ({ db }) => {
        const format = opts.format ?? (opts.out.toLowerCase().endsWith('.html') ? 'html' : 'xlsx');
        const report = await buildSupervisionReport(db, opts.month, ctx.settings());
        await writeFile(opts.out, format === 'html' ? supervisionHtml(report) : await supervisionXlsx(report));
        console.error(`wrote ${opts.out}`);
      }),
    );
}
