/**
 * Ingest benchmark on a throwaway PostgreSQL server (or BENCH_DATABASE_URL), results in
 * bench/INGEST.md:
 *
 * 1. Throughput: agents post 1,500-sample rounds to the real API (`yunwang serve` in its
 *    own process, over HTTP) and the samples/s are set beside a raw COPY of the very same
 *    rows into the same table, in the same run.
 * 2. network-agent (the single-file build) probing 1,500 local targets (TCP and HTTP)
 *    every 30 s: its CPU and memory over a few rounds.
 *
 *   npm run bench:ingest      (BENCH_INGEST_ROUNDS=160 BENCH_INGEST_AGENTS=4 BENCH_TRIALS=3 BENCH_AGENT_ROUNDS=3)
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { buildAgents } from '../agents/build.ts';
import { openDatabase } from '../src/db/client.ts';
import { queryRows } from '../src/db/raw.ts';
import { rootActor } from '../src/identity/actor.ts';
import { issueAgentToken } from '../src/ingest/agents.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { upsertRecords } from '../src/registry/upsert.ts';
import { startPostgres } from '../tests/setup/global.ts';

const nodeCount = 1500;
const rounds = Number(process.env.BENCH_INGEST_ROUNDS ?? 160);
const agentCount = Number(process.env.BENCH_INGEST_AGENTS ?? 4);
const trials = Number(process.env.BENCH_TRIALS ?? 3);
const agentRounds = Number(process.env.BENCH_AGENT_ROUNDS ?? 3);
const agentInterval = Number(process.env.BENCH_AGENT_INTERVAL ?? 30);
const root = fileURLToPath(new URL('../', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('the server did not become ready');
}

/** CPU seconds (user + system) and memory of a process, from /proc. */
function processUsage(pid: number): { cpuSeconds: number; rssMiB: number; peakRssMiB: number } {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticks;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuSeconds, rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

async function main() {
  const server = process.env.BENCH_DATABASE_URL ? null : await startPostgres();
  const baseUrl = process.env.BENCH_DATABASE_URL ?? server?.url;
  if (!baseUrl) throw new Error('no PostgreSQL: install postgresql or set BENCH_DATABASE_URL');
  const name = `yunwang_ingest_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const databaseUrl = `${baseUrl}/${name}`;
  const database = await openDatabase({ databaseUrl, poolSize: 4 });
  const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-ingest-bench-'));
  const children: ChildProcess[] = [];
  const listeners: Server[] = [];
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  try {
    await database.migrate();
    const { db } = database;
    await loadDivisions(db);
    // One node set per agent; the "same nodes" layout has every agent probe the first set.
    const nodeSets = Array.from({ length: agentCount }, (_, a) =>
      Array.from({ length: nodeCount }, (_, i) => `BENCH-A${a + 1}-N${String(i + 1).padStart(4, '0')}`),
    );
    const codes = nodeSets[0] as string[];
    await upsertRecords(
      db,
      'network-nodes',
      nodeSets.flat().map((code, i) => ({
        code,
        name: `节点 ${i + 1}`,
        region_code: '450102',
        tier: 'metro' as const,
        commissioned: true,
        commissioned_at: '2020-01-01',
      })),
      rootActor('bench'),
    );
    const nodeIds = new Map(
      (await queryRows<{ id: number; code: string }>(db, sql`select id, code from network_nodes where code like 'BENCH-%'`)).map((r) => [
        r.code,
        r.id,
      ]),
    );

    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const api = spawn(process.execPath, [path.join(root, 'bin/yunwang.mjs'), 'serve'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: '10',
        YUNWANG_DEMO: '0',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(api);
    await waitForReady(apiUrl, api);

    say(
      `# Ingest benchmark (${new Date().toISOString().slice(0, 10)}, PostgreSQL ${server?.major ?? '(BENCH_DATABASE_URL)'}, ${cpus().length} cores, Node ${process.version})`,
    );
    say('');
    say(
      `Load average when the run started: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (1 / 5 / 15 min) — this is a shared machine, so compare the ratios measured in the same run, not the absolute rates.`,
    );
    say('');
    say('## Throughput: the API vs a raw COPY of the same rows');
    say('');
    say(
      `${agentCount} network agents each post ${rounds / agentCount} rounds of ${nodeCount} samples (one batch per round, one batch in flight per agent, as the agents send) ` +
        'to `POST /api/v1/ingest/batches` on `yunwang serve` (its own process, pool of 10) over HTTP. Each batch is validated, ' +
        "checked against the agent's scope and the registry, appended to `node_samples`, moves each node's latest state, and " +
        'records the batch for idempotency, in one transaction. The reference is `COPY node_samples FROM STDIN` of exactly the ' +
        'rows the API stored, into the same table (same key, BRIN index and foreign keys), emptied before each run. ' +
        `Request bodies and the CSV are built before the clock starts. ${trials} trials per layout, API and COPY alternating.`,
    );
    say('');
    say('| layout | trial | samples | API | API samples/s | COPY | COPY rows/s | API share of COPY |');
    say('|---|---|---|---|---|---|---|---|');

    const countSamples = async () => (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from node_samples`))[0]?.n;
    let epoch = Date.now() - 3600_000;
    const trial = async (shared: boolean, t: number) => {
      const agents = [];
      for (let a = 0; a < agentCount; a++) {
        const agentName = `bench-${shared ? 'shared' : 'own'}-t${t}-a${a + 1}`;
        const { token } = await issueAgentToken(db, { name: agentName, kind: 'network' }, rootActor('bench'));
        const [row] = await queryRows<{ id: number }>(db, sql`select id from agents where name = ${agentName}`);
        agents.push({ name: agentName, token, id: row?.id as number });
      }
      // Later trials carry later samples, so each moves the nodes' latest state as a real round would.
      const base = epoch;
      epoch += (rounds + 10) * 1000;
      const csv: string[] = [];
      const bodies = agents.map(() => [] as string[]);
      for (let r = 0; r < rounds; r++) {
        const a = r % agentCount;
        const agent = agents[a] as { name: string; id: number };
        const at = new Date(base + r * 1000);
        const items = (nodeSets[shared ? 0 : a] as string[]).map((node, i) => {
          const up = i % 50 !== 0;
          const loss = up ? (i % 7 === 0 ? 1 / 3 : 0) : 1;
          const latency = up ? Math.round((2 + ((i * 7919 + r) % 400) / 10) * 1000) / 1000 : null;
          const stamp = new Date(at.getTime() + (i % 1000)).toISOString();
          csv.push(`${nodeIds.get(node)},${stamp},${agent.id},${up},${latency ?? '\\N'},${loss}\n`);
          return { kind: 'node_sample', node, at: stamp, up, latency_ms: latency, loss };
        });
        bodies[a]?.push(
          JSON.stringify({
            agent: agent.name,
            seq: Math.floor(r / agentCount) + 1,
            sent_at: at.toISOString(),
            next_report_seconds: 30,
            items,
          }),
        );
      }
      const total = rounds * nodeCount;

      await db.execute(sql`truncate node_samples`);
      const t0 = performance.now();
      await Promise.all(
        agents.map(async (agent, a) => {
          for (const body of bodies[a] ?? []) {
            const res = await fetch(`${apiUrl}/api/v1/ingest/batches`, {
              method: 'POST',
              headers: { Authorization: `Bearer ${agent.token}`, 'Content-Type': 'application/json', 'User-Agent': 'yunwang-agent/bench' },
              body,
            });
            const text = await res.text();
            if (res.status !== 200 || !text.includes('"applied"')) throw new Error(`batch refused: ${res.status} ${text.slice(0, 300)}`);
          }
        }),
      );
      const apiSeconds = (performance.now() - t0) / 1000;
      if ((await countSamples()) !== total) throw new Error(`expected ${total} samples stored`);

      await db.execute(sql`truncate node_samples`);
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const c0 = performance.now();
      await pipeline(
        (async function* () {
          for (let i = 0; i < csv.length; i += 10_000) yield csv.slice(i, i + 10_000).join('');
        })(),
        client.query(copyFrom("COPY node_samples (node_id, at, agent_id, up, latency_ms, loss) FROM STDIN WITH (FORMAT csv, NULL '\\N')")),
      );
      const copySeconds = (performance.now() - c0) / 1000;
      await client.end();
      if ((await countSamples()) !== total) throw new Error(`COPY stored a different number of rows than ${total}`);
      const ratio = copySeconds / apiSeconds;
      say(
        `| ${shared ? `all ${agentCount} agents probe the same ${nodeCount} nodes` : `each agent its own ${nodeCount} nodes`} | ${t} | ${fmt(total)} | ${apiSeconds.toFixed(2)} s | ${fmt(total / apiSeconds)} | ${copySeconds.toFixed(2)} s | ${fmt(total / copySeconds)} | ${(100 * ratio).toFixed(0)}% |`,
      );
      return ratio;
    };
    const medians: string[] = [];
    for (const shared of [false, true]) {
      const ratios: number[] = [];
      for (let t = 1; t <= trials; t++) ratios.push(await trial(shared, t));
      const sorted = [...ratios].sort((a, b) => a - b);
      const median = sorted[Math.floor(ratios.length / 2)] as number;
      const range = `${(100 * (sorted[0] as number)).toFixed(0)}–${(100 * (sorted.at(-1) as number)).toFixed(0)}%`;
      medians.push(`${shared ? 'same nodes' : 'own nodes'}: **${(100 * median).toFixed(0)}%** of COPY (trials ${range})`);
    }
    say('');
    say(`Median share of the COPY rate — ${medians.join('; ')}; target: at least 35%.`);
    say(
      `Load average when the throughput runs ended: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' / ',
        )}. On a busy shared machine single trials swing widely (the COPY reference as much as the API); the median is the figure.`,
    );
    say(
      'With all agents on the same nodes, their history appends run side by side; only the short latest-state update of each ' +
        'batch waits for another agent’s (node rows are locked last, in id order, so never a deadlock). For scale, DESIGN.md ' +
        'expects ~50 samples/s for a province (1,500 nodes every 30 s) and ~1,700/s nationwide.',
    );
    say('');

    // ---------------------------------------------------------------------------------------
    // network-agent probing 1,500 local targets.
    say(`## network-agent probing ${nodeCount} local targets every ${agentInterval} s`);
    say('');
    const targets: { code: string; address: string; method: 'tcp' | 'http' }[] = [];
    for (let i = 0; i < nodeCount; i++) {
      const server =
        i % 2 === 0
          ? createTcpServer((socket) => socket.destroy())
          : createHttpServer((_req, res) => {
              res.writeHead(204);
              res.end();
            });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      listeners.push(server);
      const address = server.address();
      const p = typeof address === 'object' && address ? address.port : 0;
      targets.push({
        code: codes[i] as string,
        address: i % 2 === 0 ? `127.0.0.1:${p}` : `http://127.0.0.1:${p}/healthz`,
        method: i % 2 === 0 ? 'tcp' : 'http',
      });
    }
    const [bundle] = await buildAgents();
    if (!bundle) throw new Error('no agent bundle');
    const { token } = await issueAgentToken(db, { name: 'bench-probe', kind: 'network' }, rootActor('bench'));
    const metricsPort = await freePort();
    const config = path.join(dir, 'network.json');
    await writeFile(
      config,
      JSON.stringify({
        api_url: apiUrl,
        token,
        name: 'bench-probe',
        interval_seconds: agentInterval,
        spool_dir: path.join(dir, 'spool'),
        metrics_host: '127.0.0.1',
        metrics_port: metricsPort,
        attempts: 3,
        timeout_ms: 2000,
        concurrency: 256,
        max_batch_items: 1500,
        nodes: targets,
      }),
    );
    const agent = spawn(process.execPath, [bundle, '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(agent);
    const scrape = async () => {
      try {
        return await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      } catch {
        return '';
      }
    };
    for (let i = 0; i < 100 && !(await scrape()); i++) await sleep(100);
    const pid = agent.pid as number;
    const startUsage = processUsage(pid);
    const w0 = performance.now();
    const roundTimes: number[] = [];
    const rssSamples: number[] = [];
    let lastRounds = 0;
    while (performance.now() - w0 < agentRounds * agentInterval * 1000) {
      await sleep(500);
      rssSamples.push(processUsage(pid).rssMiB);
      const text = await scrape();
      const done = metric(text, 'yunwang_agent_rounds_total{result="ok"}');
      if (done > lastRounds) {
        lastRounds = done;
        roundTimes.push(metric(text, 'yunwang_agent_round_duration_seconds'));
      }
    }
    const endUsage = processUsage(pid);
    const wall = (performance.now() - w0) / 1000;
    const text = await scrape();
    const cpuPercent = (100 * (endUsage.cpuSeconds - startUsage.cpuSeconds)) / wall;
    const sentBatches = metric(text, 'yunwang_agent_batches_sent_total{outcome="applied"}');
    const upNodes = metric(text, 'yunwang_agent_probe_targets{state="up"}');
    agent.kill('SIGTERM');

    say(
      `The single-file build (\`dist/agents/network-agent.mjs\`), 3 attempts per node per round (4,500 probes), pool of 256, ` +
        `timeout 2 s; ${nodeCount / 2} TCP listeners and ${nodeCount / 2} HTTP servers on 127.0.0.1; delivering to the API above. ` +
        `Measured from /proc over ${wall.toFixed(0)} s (${agentRounds} intervals, after start-up).`,
    );
    say('');
    say('| figure | value |');
    say('|---|---|');
    say(`| rounds completed | ${lastRounds} (every node up in the last: ${upNodes} of ${nodeCount}) |`);
    say(`| round duration (4,500 probes) | ${roundTimes.map((t) => `${t.toFixed(2)} s`).join(', ')} |`);
    say(`| CPU, average over the window | ${cpuPercent.toFixed(1)}% of one core |`);
    const busy = roundTimes.reduce((a, b) => a + b, 0);
    if (busy > 0) {
      say(
        `| CPU while probing (CPU seconds ÷ round time) | ≈ ${Math.min(100, (100 * (endUsage.cpuSeconds - startUsage.cpuSeconds)) / busy).toFixed(0)}% of one core |`,
      );
    }
    say(
      `| resident memory | ${Math.min(...rssSamples).toFixed(0)}–${Math.max(...rssSamples).toFixed(0)} MiB (peak ${endUsage.peakRssMiB.toFixed(0)} MiB) |`,
    );
    say(`| batches delivered | ${sentBatches} |`);
    say('');
    say('Re-run: `npm run bench:ingest` (needs PostgreSQL binaries, or `BENCH_DATABASE_URL`).');
    // The agent-footprint section (bench/agent-footprint.ts) is another run's: keep it.
    const report = fileURLToPath(new URL('./INGEST.md', import.meta.url));
    const previous = await readFile(report, 'utf8').catch(() => '');
    const footprint = previous.indexOf('<!-- agent-footprint');
    await writeFile(report, `${lines.join('\n')}\n${footprint >= 0 ? `\n${previous.slice(footprint)}` : ''}`);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await sleep(500);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const l of listeners) l.close();
    await database.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
