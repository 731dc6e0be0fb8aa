/**
 * Alert evaluation at province scale: one cycle of runEvaluationCycle() over 15,000 network
 * nodes (300 network agents, 3 vantages a node), 5,000 cloud tenants and 12,000 systems, on a
 * throwaway PostgreSQL server (or BENCH_DATABASE_URL), then the steady state again on PGlite.
 *
 * The dataset is written with bulk SQL (generate_series), not through the API: the ingest
 * path has its own benchmark (bench/INGEST.md); this one times what the engine reads and writes.
 * The engine runs on a simulated clock, 15 s a cycle (YUNWANG_ALERT_EVALUATION_SECONDS); between
 * cycles, off the clock, the agents "report" every 30 s as ingest would (node_vantages.at and
 * agents.last_seen_at move; streaks do not).
 *
 * Timed: (a) the first cycle on an empty alerts table, (b) steady-state cycles with nothing
 * changing, (c) the cycle after 1 % of the nodes change state; reference in the same run:
 * `select count(*) from node_vantages` and a `select 1` round trip.
 *
 * Results go to bench/ALERTS.md.   npm run bench:alerts   (BENCH_ROUNDS=30, BENCH_PGLITE=full|demo|off)
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { type CycleResult, runEvaluationCycle } from '../src/alerts/engine.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { queryRows } from '../src/db/raw.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { withBenchDatabase } from './postgres.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
const pgliteMode = process.env.BENCH_PGLITE ?? 'full';
const stepMs = 15_000;
const engineOptions = { reopenMinutes: 10, retentionDays: 400 };

interface Scale {
  label: string;
  nodes: number;
  agents: number;
  tenants: number;
  departments: number;
  systems: number;
  certifications: number;
}
const full: Scale = {
  label: 'province',
  nodes: 15_000,
  agents: 300,
  tenants: 5_000,
  departments: 2_000,
  systems: 12_000,
  certifications: 500,
};
const demo: Scale = { label: 'demo', nodes: 1_500, agents: 30, tenants: 500, departments: 200, systems: 1_200, certifications: 50 };

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const iso = (d: Date) => d.toISOString();

/**
 * The dataset, in bulk SQL. Node i is probed by agents (i + 100·s) mod agents for s = 0, 1, 2
 * (agents/3 apart), so each agent probes 3 × nodes/agents of them; the nodes with i mod agents = 0
 * are edge nodes behind agent 0 alone. Agent 0 is the silent one: its last batch, an hour ago,
 * said every node it probes was down (its uplink failed).
 */
async function buildDataset(database: Database, scale: Scale, t0: Date): Promise<Record<string, number>> {
  const { db } = database;
  const stride = scale.agents / 3;
  const hour = iso(new Date(t0.getTime() - 3600_000));
  const now = iso(t0);
  const today = now.slice(0, 10);
  await loadDivisions(db);
  await db.execute(sql`
    insert into departments (code, name, region_code, kind, path)
    select 'BD' || lpad(i::text, 5, '0'), '部门 ' || i, r.codes[1 + i % cardinality(r.codes)], 'government', '/BD' || lpad(i::text, 5, '0') || '/'
    from generate_series(0, ${scale.departments - 1}) i,
         (select array_agg(code order by code) as codes from regions where level in ('city', 'county')) r`);
  await db.execute(sql`
    insert into clouds (code, name, kind, provider, region_code, vcpu_capacity, memory_capacity_gib, storage_capacity_gib)
    select 'cloud-' || lpad(i::text, 2, '0'), '政务云 ' || i, case when i = 0 then 'provincial' when i = 1 then 'industry' else 'city' end,
           'bench', case when i < 2 then p.code else c.codes[i - 1] end, 100000, 400000, 10000000
    from generate_series(0, 15) i, (select code from regions where level = 'province') p,
         (select array_agg(code order by code) as codes from regions where level = 'city') c`);
  // vCPU: 2 % of the tenants at 87.5 %, a tenth of those at 96.9 %; everything else below 75 %.
  await db.execute(sql`
    insert into cloud_tenants (cloud_id, department_id, external_id, vcpu_quota, vcpu_used, memory_quota_gib, memory_used_gib,
                               storage_quota_gib, storage_used_gib, workload_count, last_report_at)
    select cl.ids[1 + i % 16], d.ids[1 + (i * 7919) % cardinality(d.ids)], 'tenant-' || lpad(i::text, 5, '0'),
           64, case when i % 500 = 0 then 62 when i % 50 = 0 then 56 else 8 + (i * 37) % 40 end,
           256, 40 + (i * 13) % 150, 2048, 300 + (i * 29) % 1000, 1 + i % 20, ${now}::timestamptz
    from generate_series(0, ${scale.tenants - 1}) i,
         (select array_agg(id order by id) as ids from clouds) cl, (select array_agg(id order by id) as ids from departments) d`);
  await db.execute(sql`
    insert into network_nodes (code, name, region_code, tier, commissioned, commissioned_at, live_state, last_sample_at)
    select 'GXN' || lpad(i::text, 5, '0'), '节点 ' || i, r.codes[1 + i % cardinality(r.codes)],
           case when i % 50 = 0 then 'backbone' else 'metro' end, true, '2020-01-01', 'up', ${now}::timestamptz
    from generate_series(0, ${scale.nodes - 1}) i, (select array_agg(code order by code) as codes from regions where level <> 'province') r`);
  await db.execute(sql`
    insert into agents (name, kind, version, token_issued_at, last_seen_at, next_report_seconds)
    select 'net-' || lpad(a::text, 3, '0'), 'network', 'bench', ${now}::timestamptz - interval '30 days',
           case when a = 0 then ${hour}::timestamptz else ${now}::timestamptz end, 30
    from generate_series(0, ${scale.agents - 1}) a`);
  // ~1 % of the nodes down by all their agents (i mod 100 = 7), ~1 % degraded by one of them (i mod 100 = 13).
  await db.execute(sql`
    insert into node_vantages (node_id, agent_id, at, up, latency_ms, loss, since)
    select n.id, ag.id,
           case when ag.a = 0 then ${hour}::timestamptz else ${now}::timestamptz end,
           not (ag.a = 0 or n.i % 100 = 7),
           case when ag.a = 0 or n.i % 100 = 7 then null when n.i % 100 = 13 and s = 0 and n.i % 200 <> 13 then 450 else 2 + (n.i * 7 + s * 13) % 40 end,
           case when ag.a = 0 or n.i % 100 = 7 then 1 when n.i % 200 = 13 and s = 0 then 0.3 else 0 end,
           case when ag.a = 0 then ${hour}::timestamptz - interval '5 minutes'
                when n.i % 100 = 7 then ${now}::timestamptz - make_interval(mins => 5 + n.i % 20)
                else ${now}::timestamptz - interval '30 days' end
    from (select id, substr(code, 4)::int as i from network_nodes) n
    cross join generate_series(0, 2) s
    join (select id, substr(name, 5)::int as a from agents) ag on ag.a = (n.i + ${stride} * s) % ${scale.agents}
    where s = 0 or n.i % ${scale.agents} <> 0`);
  // Systems: 60 % migrated, of which 1 % never seen by a cloud agent (unverified for months).
  await db.execute(sql`
    insert into systems (code, name, department_id, classification, state, state_at, cloud_id, tenant, verified_at)
    select 'SYS' || lpad(i::text, 6, '0'), '系统 ' || i, d.ids[1 + (i * 31) % cardinality(d.ids)], 'pending',
           case when i % 10 < 6 then 'migrated' when i % 10 < 8 then 'migrating' when i % 10 = 8 then 'not_migrated' else 'retired' end,
           case when i % 10 < 8 then date '2024-01-01' + i % 600 end,
           case when i % 10 < 6 then cl.ids[1 + i % 16] end,
           case when i % 10 < 6 then 'tenant-' || lpad((i % ${scale.tenants})::text, 5, '0') end,
           case when i % 10 < 6 and i % 100 <> 0 then ${now}::timestamptz - make_interval(hours => i % 72) end
    from generate_series(0, ${scale.systems - 1}) i,
         (select array_agg(id order by id) as ids from departments) d, (select array_agg(id order by id) as ids from clouds) cl`);
  // Certifications with a re-review each: 4 % overdue, 4 % passed, the rest due later.
  await db.execute(sql`
    insert into users (name, display_name, roles, password_hash) values ('bench-reviewer', '评审员', '{reviewer}', 'x')`);
  await db.execute(sql`
    insert into certifications (kind, entity_id, classification, previous_classification, evidence, certified_by, certified_at)
    select 'system', s.id, 'classified', 'pending', 'bench', u.id, '2025-01-01'
    from (select id from systems order by id limit ${scale.certifications}) s, (select id from users where name = 'bench-reviewer') u`);
  await db.execute(sql`
    insert into re_reviews (certification_id, due_at, result, reviewed_at)
    select c.id, case when k % 25 in (0, 1) then ${today}::date - 5 else ${today}::date + 10 + k % 200 end,
           case when k % 25 = 1 then 'passed' end, case when k % 25 = 1 then ${now}::timestamptz end
    from (select id, (row_number() over (order by id))::int as k from certifications) c`);
  await db.execute(sql`analyze`);
  const [counts] = await queryRows<Record<string, number>>(
    db,
    sql`select (select count(*) from network_nodes)::int as network_nodes, (select count(*) from agents)::int as agents,
               (select count(*) from node_vantages)::int as node_vantages, (select count(*) from cloud_tenants)::int as cloud_tenants,
               (select count(*) from clouds)::int as clouds, (select count(*) from departments)::int as departments,
               (select count(*) from systems)::int as systems, (select count(*) from re_reviews)::int as re_reviews,
               (select count(*) from regions)::int as regions`,
  );
  return counts ?? {};
}

/** What ingest does every 30 s: each reporting agent's word on its nodes and its last_seen_at move to `at`. */
async function heartbeat(database: Database, at: Date): Promise<void> {
  await database.db.execute(sql`
    update node_vantages set at = ${iso(at)}::timestamptz
    where agent_id in (select id from agents where name <> 'net-000')`);
  await database.db.execute(sql`update agents set last_seen_at = ${iso(at)}::timestamptz where name <> 'net-000'`);
}

/**
 * 1 % of the nodes change state in one report: a third of the down nodes come back, as many
 * others go down (3 min ago), a sixth of the degraded ones recover and as many others degrade.
 */
async function changeOnePercent(database: Database, scale: Scale, at: Date): Promise<number> {
  const a = scale.agents;
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`with changed as (
          update node_vantages nv set
            up = case when x.i % 100 = 21 then false else true end,
            loss = case when x.i % 100 = 21 then 1 when x.i % 100 = 31 and x.s = 0 then 0.4 else 0 end,
            latency_ms = case when x.i % 100 = 21 then null else 5 end,
            since = case when x.i % 100 = 21 then ${iso(at)}::timestamptz - interval '3 minutes'
                         when x.i % 100 = 7 then ${iso(at)}::timestamptz else nv.since end,
            at = ${iso(at)}::timestamptz
          from (select n.id, substr(n.code, 4)::int as i, ag.id as agent_id,
                       ((substr(ag.name, 5)::int - substr(n.code, 4)::int) % ${a} + ${a}) % ${a} / ${a / 3} as s
                from network_nodes n join node_vantages v on v.node_id = n.id join agents ag on ag.id = v.agent_id) x
          where nv.node_id = x.id and nv.agent_id = x.agent_id
            and ((x.i % 300 = 7) or (x.i % 300 = 21) or (x.i % 600 = 13) or (x.i % 600 = 31))
          returning nv.node_id
        ) select count(distinct node_id)::int as n from changed`,
  );
  return row?.n ?? 0;
}

interface Timed {
  ms: number;
  result: CycleResult;
}

async function cycle(database: Database, now: Date): Promise<Timed> {
  const t = performance.now();
  const result = await runEvaluationCycle(database.db, engineOptions, now);
  const elapsed = performance.now() - t;
  if (!result.evaluated) throw new Error('the cycle did not evaluate (lock held?)');
  return { ms: elapsed, result };
}

async function roundTrip(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  const t = performance.now();
  await database.db.execute(query);
  return performance.now() - t;
}

interface StatementTime {
  text: string;
  values: unknown[];
  ms: number;
}

/** Times every statement sent over node-postgres while `fn` runs (one cycle), by wrapping Client.prototype.query. */
async function profileStatements(fn: () => Promise<unknown>): Promise<StatementTime[]> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const seen: StatementTime[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { text?: string; values?: unknown[] };
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    const values = (typeof config === 'object' && config?.values) || (Array.isArray(args[1]) ? (args[1] as unknown[]) : []);
    const t = performance.now();
    const out = original.apply(this, args);
    if (out && typeof (out as Promise<unknown>).then === 'function') {
      return (out as Promise<unknown>).then((r) => {
        seen.push({ text, values, ms: performance.now() - t });
        return r;
      });
    }
    return out;
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return seen;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

interface PhaseResult {
  build: number;
  counts: Record<string, number>;
  first: Timed;
  warmup: Timed[];
  steady: Timed[];
  change?: { nodes: number; cycle: Timed; after: Timed };
  refCount: number[];
  refTrivial: number[];
  openAlerts: Record<string, number>;
  muted: number;
  version: string;
  table: { dead: number; mib: number; updates: number; hot: number };
}

async function runPhase(database: Database, scale: Scale, opts: { change: boolean; profile: boolean }, say: (l: string) => void) {
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  const b0 = performance.now();
  const counts = await buildDataset(database, scale, t0);
  const build = performance.now() - b0;
  console.log(`${scale.label} dataset built in ${ms(build)}: ${JSON.stringify(counts)}`);
  const [v] = await queryRows<{ version: string }>(database.db, sql`select version()`);

  let clock = t0;
  const tick = async (k: number) => {
    clock = new Date(t0.getTime() + k * stepMs);
    if (k % 2 === 0) await heartbeat(database, clock); // agents report every 30 s, off the clock
    // What autovacuum would do once a minute of real time (its naptime); the simulated clock runs far faster than autovacuum.
    if (k % 4 === 0) await database.db.execute(sql`vacuum node_vantages, agents`);
  };
  // (a) the first cycle: an empty alerts table.
  const first = await cycle(database, clock);
  // The cycles until the last `for` (tenant_quota: 300 s) has passed: degraded nodes fire at +120 s, tenants at +300 s.
  const warmup: Timed[] = [];
  let k = 1;
  for (; k * stepMs <= 300_000; k++) {
    await tick(k);
    warmup.push(await cycle(database, clock));
  }
  // (b) steady state, with the reference interleaved.
  const steady: Timed[] = [];
  const refCount: number[] = [];
  const refTrivial: number[] = [];
  for (let r = 0; r < rounds; r++, k++) {
    await tick(k);
    steady.push(await cycle(database, clock));
    refCount.push(await roundTrip(database, sql`select count(*) from node_vantages`));
    refTrivial.push(await roundTrip(database, sql`select 1`));
  }
  for (const s of steady) {
    if (s.result.fired || s.result.resolved || s.result.pending)
      throw new Error(`steady state changed something: ${JSON.stringify(s.result)}`);
  }
  // (c) 1 % of the nodes change.
  let change: PhaseResult['change'];
  if (opts.change) {
    await tick(k + (k % 2)); // a report round
    k += 1 + (k % 2);
    const nodes = await changeOnePercent(database, scale, clock);
    const changed = await cycle(database, clock);
    clock = new Date(clock.getTime() + stepMs);
    const after = await cycle(database, clock);
    change = { nodes, cycle: changed, after };
  }
  const openRows = await queryRows<{ rule: string; n: number }>(
    database.db,
    sql`select rule, count(*)::int as n from alerts where state <> 'resolved' group by rule order by rule`,
  );
  const [mutedRow] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from alerts where state <> 'resolved' and inhibited_by is not null`,
  );
  const [table] = await queryRows<{ dead: number; size: number; upd: number; hot: number }>(
    database.db,
    sql`select n_dead_tup::int as dead, pg_relation_size('node_vantages')::int as size, n_tup_upd::int as upd, n_tup_hot_upd::int as hot
        from pg_stat_user_tables where relname = 'node_vantages'`,
  );
  const result: PhaseResult = {
    table: { dead: table?.dead ?? 0, mib: (table?.size ?? 0) / 1048576, updates: table?.upd ?? 0, hot: table?.hot ?? 0 },
    build,
    counts,
    first,
    warmup,
    steady,
    change,
    refCount,
    refTrivial,
    openAlerts: Object.fromEntries(openRows.map((r) => [r.rule, r.n])),
    muted: mutedRow?.n ?? 0,
    version: v?.version ?? '?',
  };

  if (opts.profile) {
    clock = new Date(clock.getTime() + stepMs);
    const statements = await profileStatements(() => cycle(database, clock));
    const total = statements.reduce((s, x) => s + x.ms, 0);
    const top = [...statements].sort((a, b) => b.ms - a.ms).slice(0, 6);
    say('');
    say(
      `### Where a steady-state cycle spends its time (PostgreSQL: a second, identical database taken through the same cycles, then one cycle with every statement timed; ${statements.length} statements, ${ms(total)} in all)`,
    );
    say('');
    say('| statement (start of its text) | time | share |');
    say('|---|---|---|');
    for (const s of top)
      say(`| \`${oneLine(s.text).slice(0, 110).replaceAll('|', '\\|')}…\` | ${ms(s.ms)} | ${((100 * s.ms) / total).toFixed(0)}% |`);
    const slowest = top.find((s) => /^\s*(with|select)/i.test(s.text));
    if (slowest) {
      const explained = await explain(database, slowest);
      say('');
      say(`EXPLAIN (ANALYZE, BUFFERS) of the slowest read, with the parameters the cycle sent:`);
      say('');
      say('```');
      for (const line of explained) say(line);
      say('```');
    }
  }
  return result;
}

async function explain(database: Database, statement: StatementTime): Promise<string[]> {
  const pool = (database.db as unknown as { $client: pg.Pool }).$client;
  const res = await pool.query({ text: `explain (analyze, buffers, costs off) ${statement.text}`, values: statement.values });
  return (res.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']);
}

function machine(): string[] {
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args).toString().trimEnd();
    } catch {
      return '?';
    }
  };
  const model = run('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-"]).trim();
  return [
    `- \`nproc\`: ${run('nproc', [])} (os.cpus(): ${cpus().length})`,
    `- CPU model (/proc/cpuinfo): ${model}`,
    '- `free -h`:',
    '',
    '```',
    run('free', ['-h']),
    '```',
    '',
    `- Node ${process.version} (${process.arch})`,
  ];
}

async function main() {
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  const startLoad = loadavg().map((x) => x.toFixed(1));
  const pgResult = await withBenchDatabase('alerts', async (database) => {
    await database.migrate();
    return runPhase(database, full, { change: true, profile: false }, () => {});
  });
  // The statement profile in a second run of its own, so that it does not disturb the figures above.
  const profileLines: string[] = [];
  await withBenchDatabase('alerts_profile', async (database) => {
    await database.migrate();
    await runPhase(database, { ...full }, { change: false, profile: true }, (l) => profileLines.push(l));
  });

  let pgliteResult: PhaseResult | null = null;
  let pgliteScale: Scale | null = null;
  if (pgliteMode !== 'off') {
    pgliteScale = pgliteMode === 'demo' ? demo : full;
    const client = new PGlite();
    const database = await openDatabase({ pglite: client });
    try {
      await database.migrate();
      pgliteResult = await runPhase(database, pgliteScale, { change: true, profile: false }, () => {});
    } finally {
      await database.close();
    }
  }
  const endLoad = loadavg().map((x) => x.toFixed(1));

  const c = pgResult.counts;
  say(`# Alert evaluation benchmark (${new Date().toISOString().slice(0, 10)})`);
  say('');
  say('`npm run bench:alerts` (`node --import tsx bench/alerts.ts`; BENCH_ROUNDS, BENCH_PGLITE=full|demo|off, BENCH_DATABASE_URL).');
  say('');
  say('## Machine');
  say('');
  for (const l of machine()) say(l);
  say(`- PostgreSQL: ${pgResult.version}`);
  if (pgliteResult) say(`- PGlite (@electric-sql/pglite, in-process WebAssembly): ${pgliteResult.version}`);
  say(
    `- Load average (1 / 5 / 15 min) at the start: ${startLoad.join(' / ')}, at the end: ${endLoad.join(' / ')} — a shared machine: compare with the reference measured in the same run.`,
  );
  say('');
  say('## Dataset');
  say('');
  say(
    `Written with bulk SQL (\`insert … select … from generate_series\`), not through the API, in ${(pgResult.build / 1000).toFixed(1)} s on PostgreSQL: ` +
      `${c.regions} regions (loadDivisions), ${c.departments} departments, ${c.clouds} clouds, ${c.cloud_tenants} cloud tenants ` +
      '(2 % at 87.5 % of their vCPU quota, a tenth of those at 96.9 %, the rest below 75 %), ' +
      `${c.network_nodes} network nodes, ${c.agents} network agents, ${c.node_vantages} node_vantages rows, ${c.systems} systems ` +
      '(60 % migrated, 1 % of those never seen by a cloud agent), ' +
      `${c.re_reviews} re-reviews (4 % overdue). No frozen snapshot, so target_behind reads one row and stops.`,
  );
  say('');
  say(
    'Each node is probed by 3 agents, 100 apart (each agent probes 150 nodes), except 50 edge nodes behind agent `net-000` alone. ' +
      '1 % of the nodes are down by all their agents (down 5–25 min), 1 % degraded by one agent (loss 30 % or latency 450 ms). ' +
      '`net-000` is silent: its last batch, an hour ago, said all its nodes were down. Its 100 shared nodes stay up by quorum ' +
      "(the other two agents say up); its 50 edge nodes fire node_down, inhibited by its agent_silent alert. The other agents' " +
      'last_seen_at is the clock.',
  );
  say('');
  say(
    `The engine runs on a simulated clock, one cycle every ${stepMs / 1000} s (YUNWANG_ALERT_EVALUATION_SECONDS), each cycle the real ` +
      '`runEvaluationCycle(db, {reopenMinutes: 10, retentionDays: 400}, now)` — one transaction, no notifier (the server starts it without one). ' +
      'Between cycles, off the clock, every agent but `net-000` reports every 30 s as ingest would: `node_vantages.at` and ' +
      '`agents.last_seen_at` move (44,750 rows updated), streaks do not — so the steady-state cycles read a table under the same churn as in production. ' +
      'Every simulated minute, also off the clock, `vacuum node_vantages, agents` stands in for autovacuum (naptime 1 min), which cannot keep pace with a clock running ~20× faster than real time.',
  );
  say('');

  const phase = (title: string, r: PhaseResult, scale: Scale) => {
    const refC = percentile(r.refCount, 50);
    const refT = percentile(r.refTrivial, 50);
    const s = r.steady.map((x) => x.ms);
    const med = percentile(s, 50);
    say(`## ${title}`);
    say('');
    say(
      `${scale.nodes} nodes, ${scale.agents} agents, ${r.counts.node_vantages} vantages, ${scale.tenants} tenants, ${scale.systems} systems; dataset built in ${(r.build / 1000).toFixed(1)} s.`,
    );
    say('');
    say('| cycle | n | median | p95 | max | conditions | fired | resolved | pending | median ÷ count(*) reference |');
    say('|---|---|---|---|---|---|---|---|---|---|');
    const row = (label: string, xs: Timed[]) => {
      const t = xs.map((x) => x.ms);
      const sum = (key: keyof CycleResult) => xs.reduce((a, x) => a + Number(x.result[key]), 0);
      say(
        `| ${label} | ${xs.length} | ${ms(percentile(t, 50))} | ${xs.length > 1 ? ms(percentile(t, 95)) : ''} | ${xs.length > 1 ? ms(Math.max(...t)) : ''} | ` +
          `${xs.length > 1 ? `${Math.min(...xs.map((x) => x.result.conditions))}–${Math.max(...xs.map((x) => x.result.conditions))}` : xs[0]?.result.conditions} | ` +
          `${sum('fired')} | ${sum('resolved')} | ${xs.length > 1 ? '' : xs[0]?.result.pending} | ${(percentile(t, 50) / refC).toFixed(1)}× |`,
      );
    };
    row('(a) first cycle, empty alerts table', [r.first]);
    const firing = r.warmup.filter((w) => w.result.fired > 0);
    row('warm-up cycles that fired the alerts held for their `for` (degraded +120 s, tenants +300 s)', firing);
    row(
      'warm-up cycles that fired nothing (to +300 s)',
      r.warmup.filter((w) => w.result.fired === 0),
    );
    row('**(b) steady state, nothing changing**', r.steady);
    if (r.change) {
      row(`(c) after ${r.change.nodes} nodes (${((100 * r.change.nodes) / scale.nodes).toFixed(1)} %) changed state`, [r.change.cycle]);
      row('the cycle after that', [r.change.after]);
    }
    say(
      `| reference: \`select count(*) from node_vantages\` | ${r.refCount.length} | ${ms(refC)} | ${ms(percentile(r.refCount, 95))} | ${ms(Math.max(...r.refCount))} | | | | | 1.0× |`,
    );
    say(
      `| reference: \`select 1\` round trip | ${r.refTrivial.length} | ${ms(refT)} | ${ms(percentile(r.refTrivial, 95))} | ${ms(Math.max(...r.refTrivial))} | | | | | ${(refT / refC).toFixed(2)}× |`,
    );
    say('');
    say(
      `Steady state: median **${ms(med)}** = ${(med / refC).toFixed(1)}× a count(*) of node_vantages and ${(med / refT).toFixed(0)}× a trivial round trip; ` +
        `worst cycle of the run (any kind): ${ms(Math.max(r.first.ms, ...r.warmup.map((w) => w.ms), ...s, ...(r.change ? [r.change.cycle.ms, r.change.after.ms] : [])))}.`,
    );
    say(
      `Open alerts at the end: ${Object.entries(r.openAlerts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}; ${r.muted} of them inhibited (the silent agent's edge nodes). ` +
        `node_vantages at the end: ${r.table.mib.toFixed(1)} MiB, ${r.table.dead} dead row versions; ` +
        `${r.table.hot} of its ${r.table.updates} row updates were HOT (${r.table.updates ? ((100 * r.table.hot) / r.table.updates).toFixed(0) : '–'} %).`,
    );
    say('');
  };
  phase(`PostgreSQL, ${full.label} scale`, pgResult, full);
  for (const l of profileLines) say(l);
  say('');
  if (pgliteResult && pgliteScale) phase(`PGlite (embedded default), ${pgliteScale.label} scale`, pgliteResult, pgliteScale);
  say('## Reading');
  say('');
  const worstOf = (r: PhaseResult) =>
    Math.max(
      r.first.ms,
      ...r.warmup.map((w) => w.ms),
      ...r.steady.map((w) => w.ms),
      ...(r.change ? [r.change.cycle.ms, r.change.after.ms] : []),
    );
  const worst = Math.max(worstOf(pgResult), ...(pgliteResult ? [worstOf(pgliteResult)] : []));
  say(
    `- The slowest cycle of the run, on either database, took ${ms(worst)}: ` +
      (worst < 1000 ? 'every cycle stays under the 1 s of the issue. ' : '**over the 1 s of the issue**. ') +
      "The spread (p95, max) follows the machine's load: compare the count(*) reference's own p95.",
  );
  say(
    '- The node conditions query (node_down / node_degraded in src/alerts/conditions.ts) is the largest part of a cycle (see its share above): it reads all vantages through ' +
      'the window over each agent, then sorts them by node (past the default work_mem of 4 MB: see the Sort Method in the plan) and runs four ' +
      '`array_agg(agent order by agent)` per node for all 15,000 nodes, to keep ~350. If it ever needs to be faster: aggregate only the nodes ' +
      'with at least one vantage down or over a threshold (a semi-join on those node ids; a node whose every vantage is up and within the ' +
      "thresholds can yield no condition), and take each agent's newest `at` from a `group by agent_id` instead of a window over the join.",
  );
  say(
    '- node_vantages is rewritten by every report (here 44,750 rows every 30 s). Its updates touch no indexed column, and drizzle/0005 ' +
      'gives it `fillfactor = 50` (as drizzle/0003 does network_nodes) so that they can stay HOT and the table does not bloat between ' +
      'autovacuum runs: the HOT share above says how many did.',
  );
  await writeFile(fileURLToPath(new URL('./ALERTS.md', import.meta.url)), `${lines.join('\n')}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
