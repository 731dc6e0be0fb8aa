/**
 * network-agent footprint (issue 19, item 10), results in bench/INGEST.md (its own section):
 * the single-file build probing 1,500 loopback targets every 30 s, its resident memory set
 * beside a bare Node process (`node -e "setInterval(()=>{},1000)"`) in the same run, with
 * the API up and with it down (a closed port on loopback: every round spools). The three
 * processes run side by side, so the machine's load weighs on them alike.
 *
 * "API up" is a loopback ingest endpoint that reads each batch, checks its seq follows the
 * last and answers as the API does (200 {"status":"applied"}): the agent's memory does not
 * depend on what the server does with a batch, and this needs no PostgreSQL. After the
 * window the "down" agent's API comes up on its port, and the run waits until its spool has
 * drained, to show that spooled batches are delivered, in order, none missing.
 *
 *   npm run bench:agent-footprint   (BENCH_AGENT_ROUNDS=3 BENCH_AGENT_INTERVAL=30;
 *                                    BENCH_AGENT_NODE_OPTIONS="…" runs the agents with node flags;
 *                                    BENCH_AGENT_LABEL="…" names the run in its heading;
 *                                    BENCH_AGENT_SECTION=key writes its own section;
 *                                    BENCH_AGENT_WRITE=0 prints without writing)
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAgents } from '../agents/build.ts';

const nodeCount = 1500;
const agentRounds = Number(process.env.BENCH_AGENT_ROUNDS ?? 3);
const agentInterval = Number(process.env.BENCH_AGENT_INTERVAL ?? 30);
const nodeOptions = process.env.BENCH_AGENT_NODE_OPTIONS ?? '';
const label = process.env.BENCH_AGENT_LABEL ?? '';
const reportFile = fileURLToPath(new URL('./INGEST.md', import.meta.url));
// One section per BENCH_AGENT_SECTION (e.g. one without flags, one with), replaced on a re-run.
const sectionKey = process.env.BENCH_AGENT_SECTION ? `:${process.env.BENCH_AGENT_SECTION}` : '';
const sectionStart = `<!-- agent-footprint${sectionKey}:start -->`;
const sectionEnd = `<!-- agent-footprint${sectionKey}:end -->`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listen(server: Server | HttpServer, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Memory {
  rssMiB: number;
  /** Anonymous memory: heap, stacks, buffers; the rest of RSS is mapped files (the node binary). */
  anonMiB: number;
  peakMiB: number;
}

function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rssMiB: kib('VmRSS'), anonMiB: kib('RssAnon'), peakMiB: kib('VmHWM') };
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

const scrape = async (port: number) => {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return '';
  }
};

/** A loopback stand-in for POST /api/v1/ingest/batches that checks seqs arrive in order, none missing. */
function ingestEndpoint() {
  const seen = { batches: 0, items: 0, lastSeq: 0, outOfOrder: 0 };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { seq: number; items: unknown[] };
      if (batch.seq <= seen.lastSeq) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status":"duplicate"}');
        return;
      }
      if (batch.seq !== seen.lastSeq + 1) seen.outOfOrder++;
      seen.lastSeq = batch.seq;
      seen.batches++;
      seen.items += batch.items.length;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"applied"}');
    });
  });
  return { server, seen };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] ?? Number.NaN, median: s[Math.floor(s.length / 2)] ?? Number.NaN, max: s.at(-1) ?? Number.NaN };
};
const mib = (n: number) => n.toFixed(1);

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-agent-footprint-'));
  const children: ChildProcess[] = [];
  const servers: (Server | HttpServer)[] = [];
  try {
    // 750 TCP listeners and 750 HTTP servers on loopback, as bench/ingest.ts probes.
    const targets: { code: string; address: string; method: 'tcp' | 'http' }[] = [];
    for (let i = 0; i < nodeCount; i++) {
      const tcp = i % 2 === 0;
      const server = tcp
        ? createTcpServer((socket) => socket.destroy())
        : createHttpServer((_req, res) => {
            res.writeHead(204);
            res.end();
          });
      servers.push(server);
      const port = await listen(server);
      targets.push({
        code: `BENCH-N${String(i + 1).padStart(4, '0')}`,
        address: tcp ? `127.0.0.1:${port}` : `http://127.0.0.1:${port}/healthz`,
        method: tcp ? 'tcp' : 'http',
      });
    }
    const up = ingestEndpoint();
    servers.push(up.server);
    const upPort = await listen(up.server);
    const downPort = await freePort(); // closed until the window ends

    const [bundle] = await buildAgents();
    if (!bundle) throw new Error('no agent bundle');
    const startAgent = async (name: string, apiPort: number) => {
      const metricsPort = await freePort();
      const config = path.join(dir, `${name}.json`);
      await writeFile(
        config,
        JSON.stringify({
          api_url: `http://127.0.0.1:${apiPort}`,
          token: 'bench-token-not-checked',
          name,
          interval_seconds: agentInterval,
          spool_dir: path.join(dir, `${name}-spool`),
          metrics_host: '127.0.0.1',
          metrics_port: metricsPort,
          attempts: 3,
          timeout_ms: 2000,
          concurrency: 256,
          max_batch_items: 1500,
          // The "down" agent retries often, so a long outage is a steady stream of failed sends.
          backoff_max_ms: 10_000,
          nodes: targets,
        }),
      );
      // On the command line, as the image's ENTRYPOINT does: Node 24 refuses some V8 flags
      // (--memory-saver-mode) in NODE_OPTIONS.
      const flags = nodeOptions.split(' ').filter(Boolean);
      const child = spawn(process.execPath, [...flags, bundle, '--config', config], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.on('data', () => {}); // its log lines (retries) are not the subject
      children.push(child);
      for (let i = 0; i < 100 && !(await scrape(metricsPort)); i++) await sleep(100);
      return { child, pid: child.pid as number, metricsPort };
    };
    const bare = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
    children.push(bare);
    const agentUp = await startAgent('footprint-up', upPort);
    const agentDown = await startAgent('footprint-down', downPort);
    const load0 = loadavg();

    const samples = { bare: [] as Memory[], up: [] as Memory[], down: [] as Memory[] };
    const rounds = { up: [] as number[], down: [] as number[] };
    const cpu0 = { up: cpuSeconds(agentUp.pid), down: cpuSeconds(agentDown.pid) };
    const w0 = performance.now();
    while (performance.now() - w0 < agentRounds * agentInterval * 1000) {
      await sleep(500);
      samples.bare.push(memory(bare.pid as number));
      samples.up.push(memory(agentUp.pid));
      samples.down.push(memory(agentDown.pid));
    }
    const wall = (performance.now() - w0) / 1000;
    const cpu = { up: cpuSeconds(agentUp.pid) - cpu0.up, down: cpuSeconds(agentDown.pid) - cpu0.down };
    const textUp = await scrape(agentUp.metricsPort);
    const textDown = await scrape(agentDown.metricsPort);
    rounds.up.push(metric(textUp, 'yunwang_agent_rounds_total{result="ok"}'));
    rounds.down.push(metric(textDown, 'yunwang_agent_rounds_total{result="ok"}'));
    const upNodes = metric(textUp, 'yunwang_agent_probe_targets{state="up"}');
    const spooledDown = metric(textDown, 'yunwang_agent_spool_batches');
    const retriedDown = metric(textDown, 'yunwang_agent_batches_retried_total');

    // The API comes back for the "down" agent: everything it spooled must arrive, in order.
    const back = ingestEndpoint();
    servers.push(back.server);
    await listen(back.server, downPort);
    const d0 = performance.now();
    let left = spooledDown;
    while (performance.now() - d0 < 60_000) {
      left = metric(await scrape(agentDown.metricsPort), 'yunwang_agent_spool_batches');
      if (left === 0) break;
      await sleep(250);
    }
    const drainSeconds = (performance.now() - d0) / 1000;
    const droppedDown = ['bytes', 'age', 'error']
      .map((reason) => metric(textDown, `yunwang_agent_batches_dropped_total{reason="${reason}"}`))
      .reduce((a, b) => a + b, 0);

    const lines: string[] = [];
    const say = (line = '') => {
      console.log(line);
      lines.push(line);
    };
    const bareRss = stats(samples.bare.map((m) => m.rssMiB));
    say(sectionStart);
    say(`## network-agent footprint: resident memory beside a bare Node process${label ? ` — ${label}` : ''}`);
    say();
    say(
      `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores, load ${load0.map((l) => l.toFixed(1)).join(' / ')} at the start. ` +
        `The single-file build (\`dist/agents/network-agent.mjs\`, run by \`node\`, no tsx) probing ${nodeCount} loopback targets ` +
        `(${nodeCount / 2} TCP, ${nodeCount / 2} HTTP) every ${agentInterval} s, 3 attempts each, pool of 256, one batch of 1,500 samples a round. ` +
        `Three processes side by side for ${wall.toFixed(0)} s (${agentRounds} intervals, sampled from /proc every 0.5 s after start-up): ` +
        '`node -e "setInterval(()=>{},1000)"`, the agent with its API up (a loopback endpoint answering 200 applied), and the agent ' +
        `with its API down (a closed loopback port; it retries with backoff up to 10 s and spools every round).` +
        (nodeOptions ? ` The agents ran as \`node ${nodeOptions}\`.` : ''),
    );
    say();
    say(
      '| process | RSS min | RSS median | RSS max | peak (VmHWM) | of which anonymous (median) | median ÷ bare Node | max ÷ bare Node | CPU (% of one core, window average) |',
    );
    say('|---|---|---|---|---|---|---|---|---|');
    for (const [name, xs, cpuUsed] of [
      ['bare Node', samples.bare, undefined],
      ['agent, API up', samples.up, cpu.up],
      ['agent, API down', samples.down, cpu.down],
    ] as const) {
      const rss = stats(xs.map((m) => m.rssMiB));
      const anon = stats(xs.map((m) => m.anonMiB));
      say(
        `| ${name} | ${mib(rss.min)} MiB | ${mib(rss.median)} MiB | ${mib(rss.max)} MiB | ${mib(Math.max(...xs.map((m) => m.peakMiB)))} MiB | ${mib(anon.median)} MiB | ${(rss.median / bareRss.median).toFixed(2)}× | ${(rss.max / bareRss.median).toFixed(2)}× | ${cpuUsed === undefined ? '—' : `${((100 * cpuUsed) / wall).toFixed(1)}%`} |`,
      );
    }
    say();
    say(
      `API up: ${rounds.up[0]} rounds, ${up.seen.batches} batches (${up.seen.items.toLocaleString('en-US')} samples) received in seq order ` +
        `(${up.seen.outOfOrder} out of order); ${upNodes} of ${nodeCount} nodes up in the last round. ` +
        `API down: ${rounds.down[0]} rounds, ${spooledDown} batches in the spool and ${retriedDown} failed sends at the end of the window; ` +
        `once its API came up, ${back.seen.batches} batches (${back.seen.items.toLocaleString('en-US')} samples) arrived in ${drainSeconds.toFixed(1)} s, ` +
        `seq 1…${back.seen.lastSeq} in order (${back.seen.outOfOrder} out of order), ${left} left in the spool, ${droppedDown} dropped.`,
    );
    say();
    say(
      `Re-run: \`${[
        nodeOptions && `BENCH_AGENT_NODE_OPTIONS="${nodeOptions}"`,
        sectionKey && `BENCH_AGENT_SECTION=${sectionKey.slice(1)}`,
        label && `BENCH_AGENT_LABEL="${label}"`,
        'npm run bench:agent-footprint',
      ]
        .filter(Boolean)
        .join(' ')}\` (no database needed).`,
    );
    say(sectionEnd);
    const section = lines.join('\n');
    if (process.env.BENCH_AGENT_WRITE !== '0') {
      const report = await readFile(reportFile, 'utf8');
      const start = report.indexOf(sectionStart);
      const end = report.indexOf(sectionEnd);
      const next =
        start >= 0 && end > start
          ? `${report.slice(0, start)}${section}${report.slice(end + sectionEnd.length)}`
          : `${report.trimEnd()}\n\n${section}\n`;
      await writeFile(reportFile, next);
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await sleep(500);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
