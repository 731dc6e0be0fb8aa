import { type Command, InvalidArgumentError, Option } from 'commander';
import { printAs, when, withFilters } from '../cli/output.ts';
import type { Database } from '../db/client.ts';
import { alertRuleKeys, alertSeverities, alertStates } from '../db/schema/enums.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError } from '../kernel/errors.ts';
import { outboxNotifier } from '../notify/outbox.ts';
import { refreshMuting } from './engine.ts';
import type { AlertItem } from './schemas.ts';
import { listAlerts } from './service.ts';
import { createSilence, expireSilence, listSilences, type SilenceInput, type SilenceView } from './silences.ts';

export interface AlertCliContext {
  withDatabase: <T>(fn: (database: Database) => Promise<T>) => Promise<T>;
  actor: () => Actor;
}

export function formatAlerts(items: AlertItem[], total: number): string {
  if (items.length === 0) return 'no alerts';
  const lines = items.map((a) => {
    const muted = a.silenced_by ? ` [silenced by ${a.silenced_by}]` : a.inhibited_by ? ` [inhibited by alert ${a.inhibited_by}]` : '';
    const times = a.occurrences > 1 ? ` ×${a.occurrences}` : '';
    return `${String(a.id).padStart(6)}  ${a.state.padEnd(12)} ${a.severity.padEnd(8)} ${a.rule.padEnd(18)} ${a.subject.code}  ${a.summary}${times}${muted}  (since ${when(a.started_at)})`;
  });
  if (total > items.length) lines.push(`… ${total - items.length} more (--limit)`);
  return lines.join('\n');
}

function formatSilences(items: SilenceView[]): string {
  if (items.length === 0) return 'no silences';
  return items
    .map((s) => {
      const matchers = Object.entries(s.matchers)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      const span = s.recurrence
        ? `weekly ${s.recurrence.weekdays.join(',')} ${s.recurrence.start}–${s.recurrence.end} ${s.recurrence.timezone}`
        : `${when(s.starts_at)} → ${when(s.ends_at)}`;
      return `${String(s.id).padStart(5)}  ${s.active ? 'active ' : s.expired_at ? 'expired' : 'waiting'}  ${matchers}  ${span}  ${s.reason} (${s.created_by})`;
    })
    .join('\n');
}

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** `--weekly "0,6 02:00-04:00"`: weekdays (0 = Sunday) and a window. */
const weekly = (v: string) => {
  const match = /^([0-6](?:,[0-6])*)\s+(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(v.trim());
  if (!match) throw new InvalidArgumentError('expected "<weekdays> HH:MM-HH:MM", e.g. "0 02:00-04:00" (0 = Sunday)');
  return { weekdays: (match[1] as string).split(',').map(Number), start: match[2] as string, end: match[3] as string };
};

/** `yunwang alerts` and `yunwang silence add|list|expire`, through the same services as the API. */
export function registerAlertCommands(program: Command, context: AlertCliContext): void {
  withFilters(program.command('alerts').description('list alerts, firing first (告警)'), {
    state: alertStates,
    severity: alertSeverities,
    rule: alertRuleKeys,
  })
    .option('--limit <n>', 'at most this many', (v) => Math.min(1000, Math.floor(positive(v))), 100)
    .option('--json', 'print JSON ({items, total}, as GET /api/v1/alerts)')
    .action(
      (opts: {
        state?: AlertItem['state'];
        severity?: AlertItem['severity'];
        rule?: AlertItem['rule'];
        scope?: string;
        limit: number;
        json?: boolean;
      }) =>
        context.withDatabase(async (database) => {
          const page = await listAlerts(database.db, context.actor().access, { ...opts, offset: 0 });
          printAs(opts.json, page, () => formatAlerts(page.items, page.total));
        }),
    );

  const silence = program.command('silence').description('silences and weekly maintenance windows (静默、维护窗口)');
  silence
    .command('add')
    .description('silence matching alerts for --hours, --until a time, or every week (--weekly)')
    .addOption(new Option('--rule <rule>').choices(alertRuleKeys))
    .addOption(new Option('--severity <severity>').choices(alertSeverities))
    .option('--node <code>', 'a network node')
    .option('--region <code>', 'a region and its descendants')
    .option('--cloud <code>')
    .option('--agent <name>')
    .option('--hours <n>', 'from now, for this many hours', positive)
    .option('--until <time>', 'from now until this ISO 8601 time')
    .option('--weekly <window>', 'every week: "<weekdays> HH:MM-HH:MM" in Asia/Shanghai, e.g. "0 02:00-04:00" (0 = Sunday)', weekly)
    .requiredOption('--reason <text>', 'why (kept with the silence)')
    .option('--json', 'print the silence as JSON')
    .action(
      (opts: {
        rule?: string;
        severity?: SilenceInput['matchers']['severity'];
        node?: string;
        region?: string;
        cloud?: string;
        agent?: string;
        hours?: number;
        until?: string;
        weekly?: SilenceInput['recurrence'];
        reason: string;
        json?: boolean;
      }) =>
        context.withDatabase(async (database) => {
          const spans = [opts.hours, opts.until, opts.weekly].filter((v) => v !== undefined).length;
          if (spans !== 1)
            throw new AppError('bad_request', 'give exactly one of --hours <n>, --until <time> or --weekly "<days> HH:MM-HH:MM"');
          const now = new Date();
          const endsAt = opts.hours ? new Date(now.getTime() + opts.hours * 3_600_000).toISOString() : opts.until;
          if (opts.until && Number.isNaN(Date.parse(opts.until)))
            throw new AppError('bad_request', `--until ${opts.until} is not a date-time`);
          const created = await createSilence(
            database.db,
            {
              matchers: {
                rule: opts.rule,
                severity: opts.severity,
                node: opts.node,
                region: opts.region,
                cloud: opts.cloud,
                agent: opts.agent,
              },
              ends_at: endsAt ? new Date(endsAt).toISOString() : undefined,
              recurrence: opts.weekly,
              reason: opts.reason,
            },
            context.actor(),
            now,
          );
          await refreshMuting(database.db, outboxNotifier, now);
          printAs(opts.json, created, () => `silence ${created.id} created\n${formatSilences([created])}`);
        }),
    );
  silence
    .command('list')
    .description('live silences (or --all)')
    .option('--all', 'expired ones too')
    .option('--json', 'print JSON')
    .action((opts: { all?: boolean; json?: boolean }) =>
      context.withDatabase(async (database) => {
        const items = await listSilences(database.db, { state: opts.all ? 'all' : 'live' });
        printAs(opts.json, { items }, () => formatSilences(items));
      }),
    );
  silence
    .command('expire <id>')
    .description('end a silence now (it stays on record)')
    .action((id: string) =>
      context.withDatabase(async (database) => {
        if (!/^\d+$/.test(id)) throw new AppError('bad_request', `silence id must be a number, not ${id}`);
        const expired = await expireSilence(database.db, Number(id), context.actor());
        await refreshMuting(database.db, outboxNotifier);
        console.log(`silence ${expired.id} expired`);
      }),
    );
}
