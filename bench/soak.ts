/**
 * Soak benchmark (issue 14), results in bench/SOAK.md: `yunwang serve` in its own process on a
 * throwaway PostgreSQL server, for `--minutes` (10 by default) under agents ingesting (the real
 * agent client, spool and retries), users reading indicators and drill-downs, a department
 * importing CSV, and exports (drill-down CSV, registry CSV, audit CSV, report XLSX); halfway
 * through, PostgreSQL is stopped (`-m fast`) and started again a few seconds later.
 *
 * Pass: 0 lost and 0 duplicated samples, 0 × 5xx outside the restart window, resident memory
 * growing < 10 % after warm-up. Every server it talks to is one it started, on 127.0.0.1.
 *
 *   npm run bench:soak -- --minutes 1        (default 10; --agents 4 --nodes 50 --interval 2)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase } from '../src/db/client.ts';
import { queryRows } from '../src/db/raw.ts';
import { rootActor } from '../src/identity/actor.ts';
import { issueAgentToken } from '../src/ingest/agents.ts';
import { upsertRecords } from '../src/registry/upsert.ts';
import { startPostgres } from '../tests/setup/global.ts';
import { agentCounters, drainAgents, maxSerial, type SoakAgent, startSoakAgent } from './soak-agents.ts';
import { fmt, ms, percentile, type RssSample, routeFigures, routeTable, rssCurve, rssFigures, type Window } from './soak-report.ts';
import { Recorder, recordIngestRequests, runWorkloads, type Session, sessionHeaders, signIn } from './soak-traffic.ts';
import { soakWorkloads } from './soak-workloads.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    agents: { type: 'string', default: '4' },
    nodes: { type: 'string', default: '50' },
    interval: { type: 'string', default: '2' },
    'outage-seconds': { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
const minutes = Number(args.minutes);
const agentCount = Number(args.agents);
const nodesPerAgent = Number(args.nodes);
const intervalSeconds = Number(args.interval);
const outageSeconds = Number(args['outage-seconds']);
if (![minutes, agentCount, nodesPerAgent, intervalSeconds, outageSeconds].every((n) => Number.isFinite(n) && n > 0)) {
  throw new Error('--minutes, --agents, --nodes, --interval and --outage-seconds must be positive numbers');
}
if ((minutes * 60 * nodesPerAgent) / intervalSeconds > maxSerial) throw new Error('too many samples per agent for the serials');
const durationMs = minutes * 60_000;
/** After PostgreSQL is back, the pool's dead connections are replaced within this grace. */
const graceMs = 10_000;
const demoPassword = 'Demo-Passw0rd!';
const root = fileURLToPath(new URL('../', import.meta.url));
const outFile = args.out ?? fileURLToPath(new URL('./SOAK.md', import.meta.url));

const sleep = (n: number) => new Promise((resolve) => setTimeout(resolve, n));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function waitFor(what: string, timeoutMs: number, ready: () => Promise<boolean>, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} while waiting for ${what}`);
    try {
      if (await ready()) return;
    } catch {
      // not there yet
    }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main() {
  const postgres = await startPostgres();
  if (!postgres) throw new Error('the soak needs the PostgreSQL 15 binaries (apt-get install -y postgresql)');
  const dbName = `yunwang_soak_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${postgres.url}/postgres` });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  await admin.end();
  const databaseUrl = `${postgres.url}/${dbName}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-soak-'));
  const serverLog = path.join(dir, 'server.log');
  let server: ChildProcess | undefined;
  const agents: SoakAgent[] = [];
  let restoreFetch = () => {};
  try {
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const logFd = openSync(serverLog, 'a');
    server = spawn(process.execPath, [path.join(root, 'bin/yunwang.mjs'), 'serve'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: '10',
        // The demo dataset and its users (one per role, no second factor), without the demo's own agents.
        YUNWANG_DEMO: '1',
        YUNWANG_DEMO_LIVE: '0',
        YUNWANG_DEMO_PASSWORD: demoPassword,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', logFd, logFd],
    });
    const started = performance.now();
    await waitFor('the server to be ready', 10 * 60_000, async () => (await fetch(`${apiUrl}/readyz`)).ok, server);
    const readySeconds = (performance.now() - started) / 1000;
    console.log(`server ready in ${readySeconds.toFixed(1)} s (pid ${server.pid}); log: ${serverLog}`);

    const sessions: Record<string, Session> = {};
    for (const name of ['leader', 'ops', 'auditor', 'dept-P001']) sessions[name] = await signIn(apiUrl, name, demoPassword);
    const leader = sessions.leader as Session;
    // The report reads frozen months only: the demo freezes them in the background after ready.
    await waitFor('the demo snapshots (2020-07)', 10 * 60_000, async () => {
      const res = await fetch(`${apiUrl}/api/v1/reports/supervision?month=2020-07&format=html`, { headers: sessionHeaders(leader) });
      await res.arrayBuffer();
      return res.ok;
    });

    // Nodes and agent tokens, written as the operator would at the command line.
    const database = await openDatabase({ databaseUrl, poolSize: 2 });
    const agentSeeds: { name: string; token: string; nodes: string[] }[] = [];
    try {
      for (let a = 1; a <= agentCount; a++) {
        const nodes = Array.from({ length: nodesPerAgent }, (_, i) => `SOAK-A${a}-N${String(i + 1).padStart(3, '0')}`);
        await upsertRecords(
          database.db,
          'network-nodes',
          nodes.map((code) => ({ code, name: `浸泡节点 ${code}`, region_code: '450102', tier: 'metro' as const, commissioned: false })),
          rootActor('soak'),
        );
        const name = `soak-agent-${a}`;
        const { token } = await issueAgentToken(database.db, { name, kind: 'network' }, rootActor('soak'));
        agentSeeds.push({ name, token, nodes });
      }
    } finally {
      await database.close();
    }

    // Reference: /livez on the idle server, in this run.
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await (await fetch(`${apiUrl}/livez`)).arrayBuffer();
      idle.push(performance.now() - t0);
    }
    idle.sort((x, y) => x - y);
    const loadAtStart = loadavg();

    // ---------------------------------------------------------------------------------------
    console.log(
      `soak: ${minutes} min, ${agentCount} agents × ${nodesPerAgent} nodes every ${intervalSeconds} s, restart at ${minutes / 2} min`,
    );
    const recorder = new Recorder();
    restoreFetch = recordIngestRequests(recorder, apiUrl);
    let producing = true;
    let loadRunning = true;
    for (const seed of agentSeeds) {
      agents.push(await startSoakAgent({ apiUrl, ...seed, intervalSeconds, dir: path.join(dir, 'spool'), producing: () => producing }));
    }
    const rss: RssSample[] = [];
    const serverPid = server.pid as number;
    const rssTimer = setInterval(() => rss.push({ atMs: recorder.now(), mib: rssMiB(serverPid) }), 2000);
    const workloads = soakWorkloads(apiUrl, sessions);
    const load = runWorkloads(workloads, recorder, () => loadRunning);

    await sleep(durationMs / 2);
    const window: Window = { startMs: recorder.now(), endMs: Number.NaN };
    console.log(`${(window.startMs / 60_000).toFixed(1)} min: stopping PostgreSQL (-m fast) for ${outageSeconds} s`);
    await postgres.halt();
    await sleep(outageSeconds * 1000);
    await postgres.resume();
    const upAgainMs = recorder.now();
    window.endMs = upAgainMs + graceMs;
    console.log(`${(upAgainMs / 60_000).toFixed(1)} min: PostgreSQL is back (down ${((upAgainMs - window.startMs) / 1000).toFixed(1)} s)`);
    await sleep(Math.max(0, durationMs - recorder.now()));

    producing = false;
    loadRunning = false;
    clearInterval(rssTimer);
    await load;
    const drained = await drainAgents(agents, 120_000);
    const counters = await Promise.all(agents.map(agentCounters));
    for (const agent of agents) await agent.running.stop();
    restoreFetch();
    const elapsedMs = recorder.now();

    // Exact accounting, in the database: every serial once, and nothing else.
    const counting = await openDatabase({ databaseUrl, poolSize: 1 });
    const stored = await queryRows<{ name: string; rows: number; distinct_serials: number; max_serial: number | null }>(
      counting.db,
      sql`select a.name, count(*)::int as rows, count(distinct s.latency_ms)::int as distinct_serials, max(s.latency_ms)::int as max_serial
          from node_samples s join agents a on a.id = s.agent_id where a.name like 'soak-agent-%' group by a.name`,
    );
    await counting.close();
    const byName = new Map(stored.map((r) => [r.name, r]));
    const ingest = agents.map((agent, i) => {
      const row = byName.get(agent.name);
      const rows = row?.rows ?? 0;
      const distinct = row?.distinct_serials ?? 0;
      return {
        agent,
        counters: counters[i] as Awaited<ReturnType<typeof agentCounters>>,
        rows,
        lost: agent.generated - distinct,
        duplicated: rows - distinct,
        stray: (row?.max_serial ?? -1) >= agent.generated,
      };
    });

    // ---------------------------------------------------------------------------------------
    const seconds = durationMs / 1000;
    const who = new Map(workloads.map((w) => [w.route, w.who]));
    who.set('POST /api/v1/ingest/batches', `${agentCount} agents`);
    const figures = routeFigures(recorder.records, who, window, seconds).sort((a, b) => a.route.localeCompare(b.route));
    const rssF = rssFigures(rss, durationMs);
    const generated = ingest.reduce((n, i) => n + i.agent.generated, 0);
    const lost = ingest.reduce((n, i) => n + i.lost, 0);
    const duplicated = ingest.reduce((n, i) => n + i.duplicated, 0);
    const serverErrorsOutside = figures.reduce((n, f) => n + f.serverErrorsOutside, 0);
    const noAnswerOutside = figures.reduce((n, f) => n + f.noAnswerOutside, 0);
    const serverErrorsInWindow = figures.reduce((n, f) => n + f.serverErrorsInWindow, 0);
    const fivexx = recorder.records.filter((r) => r.status >= 500);
    const lastFailureAfterRestart = Math.max(
      ...recorder.records.filter((r) => (r.status >= 500 || r.status === 0) && r.startMs >= window.startMs).map((r) => r.endMs),
      Number.NEGATIVE_INFINITY,
    );
    const checks = [
      {
        what: 'lost samples',
        ok: lost === 0 && drained && ingest.every((i) => !i.stray),
        value: `${lost}${drained ? '' : ' (spools not drained)'}`,
      },
      { what: 'duplicated samples', ok: duplicated === 0, value: String(duplicated) },
      { what: '5xx outside the restart window', ok: serverErrorsOutside === 0, value: String(serverErrorsOutside) },
      { what: 'requests without an answer outside the window', ok: noAnswerOutside === 0, value: String(noAnswerOutside) },
      { what: 'RSS growth after warm-up', ok: rssF.growth < 0.1, value: `${(100 * rssF.growth).toFixed(1)} %` },
    ];

    const lines: string[] = [];
    const say = (line = '') => {
      lines.push(line);
    };
    const date = new Date().toISOString().slice(0, 10);
    say(`# Soak benchmark (${date})`);
    say();
    say(
      `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, PostgreSQL ${postgres.major} ` +
        `(throwaway server on 127.0.0.1, fsync off), \`yunwang serve\` in its own process with a pool of 10. Load average at the start: ` +
        `${loadAtStart.map((l) => l.toFixed(1)).join(' / ')}; at the end: ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' / ')} (1 / 5 / 15 min). The machine is shared: compare ratios within this run rather than absolutes.`,
    );
    say();
    say(
      `Command: \`npm run bench:soak -- --minutes ${minutes} --agents ${agentCount} --nodes ${nodesPerAgent} --interval ${intervalSeconds} --outage-seconds ${outageSeconds}\``,
    );
    say();
    say('## Verdict');
    say();
    say('| check | value | pass |');
    say('|---|---|---|');
    for (const c of checks) say(`| ${c.what} | ${c.value} | ${c.ok ? 'yes' : '**NO**'} |`);
    say();
    say('## Load');
    say();
    say(
      `For ${minutes} min: ${agentCount} network agents (the real agent client — spool, sender, backoff with jitter capped at 10 s — run in the ` +
        `benchmark process), each reporting ${nodesPerAgent} nodes every ${intervalSeconds} s; and signed-in users (the demo users, sessions with ` +
        'CSRF tokens) each looping over one request at a bounded rate (±25 % jitter): ' +
        workloads.map((w) => `\`${w.route}\` as ${w.who} every ${(w.everyMs / 1000).toFixed(1)} s`).join('; ') +
        '. The registry is the demo dataset; the import rewrites the same 20 systems of department P001 with alternating names, so ' +
        'every import writes and audits.',
    );
    say();
    say(
      `PostgreSQL was stopped (\`pg_ctl stop -m fast\`) at ${(window.startMs / 60_000).toFixed(2)} min and started again ${outageSeconds} s ` +
        `later; it answered again at ${(upAgainMs / 60_000).toFixed(2)} min. The restart window runs from the stop to ${graceMs / 1000} s after ` +
        `the start (${((window.endMs - window.startMs) / 1000).toFixed(1)} s). The server was not restarted. The last failed request ` +
        `(5xx or no answer) after the stop ended at ${
          Number.isFinite(lastFailureAfterRestart) ? `${(lastFailureAfterRestart / 60_000).toFixed(2)} min` : '— (none)'
        }.`,
    );
    say();
    say('## Ingest: every sample accounted for');
    say();
    say(
      'Each sample carries a serial number unique to its agent (in `latency_ms`); after the load, the spools are drained and ' +
        '`node_samples` is counted: lost = serials generated but not stored, duplicated = rows beyond one per serial.',
    );
    say();
    say(
      '| agent | samples generated | rows stored | lost | duplicated | batches applied | acknowledged as duplicate | retried | dead-lettered | dropped |',
    );
    say('|---|---|---|---|---|---|---|---|---|---|');
    for (const i of ingest) {
      say(
        `| ${i.agent.name} | ${fmt(i.agent.generated)} | ${fmt(i.rows)} | ${i.lost} | ${i.duplicated} | ${fmt(i.counters.applied)} | ${i.counters.duplicate} | ${i.counters.retried} | ${i.counters.deadLettered} | ${i.counters.dropped} |`,
      );
    }
    say();
    say(
      `Total: ${fmt(generated)} samples (${(generated / seconds).toFixed(0)} samples/s), ${lost} lost, ${duplicated} duplicated; spools ${drained ? 'drained' : '**not drained** within 2 min'} (${((elapsedMs - durationMs) / 1000).toFixed(1)} s after the load stopped).`,
    );
    say();
    say('## Latency and errors per route');
    say();
    say(
      `Percentiles (nearest rank) over the answered requests outside the restart window; counts over all. Reference, same run: ` +
        `\`GET /livez\` on the idle server before the load, 200 sequential requests: p50 ${ms(percentile(idle, 50))} ms, ` +
        `p99 ${ms(percentile(idle, 99))} ms.`,
    );
    say();
    for (const line of routeTable(figures)) say(line);
    say();
    say(
      `Throughput: ${fmt(recorder.records.length)} requests in ${seconds.toFixed(0)} s (${(recorder.records.length / seconds).toFixed(1)} req/s); ` +
        `5xx: ${serverErrorsInWindow} inside the restart window, ${serverErrorsOutside} outside (statuses: ${
          [...new Set(fivexx.map((r) => r.status))].join(', ') || 'none'
        }).`,
    );
    say();
    say('First answer of each error status per route (time in the run; the body shortened):');
    say();
    for (const [key, e] of [...recorder.firstErrors.entries()].sort((a, b) => a[1].atMs - b[1].atMs)) {
      say(
        `- ${(e.atMs / 1000).toFixed(1)} s \`${key}\`${e.atMs >= window.startMs && e.atMs <= window.endMs ? ' (restart window)' : ''}: ${e.body.replaceAll('|', '\\|')}`,
      );
    }
    if (recorder.firstErrors.size === 0) say('- none');
    say();
    say('## Resident memory of the server');
    say();
    say(
      `Sampled every 2 s from /proc (VmRSS). Warm-up: the first quarter (${(rssF.warmupEndMs / 60_000).toFixed(1)} min). ` +
        `Baseline (median of the tenth after warm-up) ${rssF.baselineMiB.toFixed(0)} MiB; end (median of the last tenth) ` +
        `${rssF.finalMiB.toFixed(0)} MiB: **${(100 * rssF.growth).toFixed(1)} %**; range ${rssF.minMiB.toFixed(0)}–${rssF.maxMiB.toFixed(0)} MiB ` +
        `(peak after warm-up ${rssF.peakAfterWarmupMiB.toFixed(0)} MiB). Server ready ${readySeconds.toFixed(0)} s after start (demo seed on an empty database).`,
    );
    say();
    say(`Median RSS (MiB) over time (m:ss MiB): ${rssCurve(rss, 20)}`);
    say();
    say('Re-run: `npm run bench:soak` (10 min; `-- --minutes 1` for a short run). Needs the PostgreSQL 15 binaries.');
    await writeFile(outFile, `${lines.join('\n')}\n`);
    console.log(lines.join('\n'));
    if (checks.some((c) => !c.ok)) {
      const errors = readFileSync(serverLog, 'utf8').split('\n').filter(Boolean).slice(-30);
      console.error(`\nsoak FAILED; last server log lines:\n${errors.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    restoreFetch();
    for (const agent of agents) await agent.running.stop();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      for (let i = 0; i < 100 && server.exitCode === null; i++) await sleep(100);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
