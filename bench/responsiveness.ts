/**
 * Responsiveness under background work and load (issue 19, item 4), with autocannon on the demo
 * (`yunwang serve` on a fresh embedded database, demo live agents on):
 *   1. GET /livez while the demo's monthly snapshots freeze after ready (windows of
 *      BENCH_WINDOW seconds until the last month is frozen);
 *   2. GET /livez once idle;
 *   3. a signed-in (leader) GET /api/v1/indicators, cached, beside /livez on the same server.
 * Goals: /livez p99 < 20 ms while the jobs run; the signed-in read ≥ 1/4 of /livez's req/s. Each of
 * BENCH_RUNS runs starts its own server; the goals are judged on the median run.
 * Results go to the `responsiveness` section of bench/STARTUP.md.
 *
 *   npm run bench:responsiveness   (BENCH_RUNS=3, BENCH_CONNECTIONS=20, BENCH_WINDOW=10, BENCH_SECONDS=10)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort } from '../tests/helpers/ports.ts';
import { resultsSection } from './report.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const windowSeconds = Number(process.env.BENCH_WINDOW ?? 10);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const runs = Number(process.env.BENCH_RUNS ?? 3);

interface Run {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
}

async function cannon(url: string, duration: number, headers: Record<string, string> = {}): Promise<Run> {
  const result = await autocannon({ url, connections, duration, headers });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const rowOf = (what: string, run: Run) =>
  `| ${what} | ${Math.round(run.rps).toLocaleString('en')} | ${run.p50} ms | ${run.p99} ms | ${run.max} ms | ${run.errors + run.non2xx} |`;

interface Measured {
  during: Run[];
  freezeSeconds: number;
  idle: Run;
  signedIn: Run;
  livezBeside: Run;
}

/** One server from a fresh data directory: /livez while it freezes, idle, then the signed-in read beside /livez. */
async function measureOnce(): Promise<Measured> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-responsiveness-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const server: ChildProcess = spawn(process.execPath, ['bin/yunwang.mjs', 'serve'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', YUNWANG_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' },
  });
  server.stdout?.on('data', (d) => {
    output += d;
  });
  server.stderr?.on('data', (d) => {
    output += d;
  });
  try {
    for (;;) {
      if (server.exitCode !== null) throw new Error(`yunwang serve exited ${server.exitCode}:\n${output}`);
      if ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The snapshot job's one run after ready freezes every queued month; its last success says it is done.
    const frozen = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return /^yunwang_job_last_success_timestamp_seconds\{[^}]*job="snapshot_freeze"[^}]*\} [1-9]/m.test(text);
    };
    const during: Run[] = [];
    const t0 = performance.now();
    while (during.length === 0 || !(await frozen())) {
      during.push(await cannon(`${base}/livez`, windowSeconds));
      if (performance.now() - t0 > 600_000) throw new Error(`the demo's snapshots were not frozen in 10 minutes:\n${output}`);
    }
    const freezeSeconds = (performance.now() - t0) / 1000;
    const idle = await cannon(`${base}/livez`, seconds);

    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'leader', password: process.env.YUNWANG_DEMO_PASSWORD ?? 'Demo-Passw0rd!' }),
    });
    if (login.status !== 200) throw new Error(`sign-in answered ${login.status}: ${await login.text()}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const indicators = `${base}/api/v1/indicators?scope=450000`;
    const first = await fetch(indicators, { headers: { cookie } });
    if (first.status !== 200) throw new Error(`GET /api/v1/indicators answered ${first.status}: ${await first.text()}`);
    const signedIn = await cannon(indicators, seconds, { cookie });
    const livezBeside = await cannon(`${base}/livez`, seconds);
    return { during, freezeSeconds, idle, signedIn, livezBeside };
  } finally {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;

async function main() {
  const page = resultsSection(new URL('./STARTUP.md', import.meta.url), 'responsiveness');
  const { say } = page;
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
  // The first seconds after ready are short and busy: one run's p99 moves by several milliseconds
  // with whatever else the machine does, so every run is shown, and the goals are judged on the median.
  const results: Measured[] = [];
  for (let i = 0; i < runs; i++) results.push(await measureOnce());

  say(
    `## Responsiveness (${new Date().toISOString().slice(0, 10)}, ${process.arch}, Node ${process.version}, load average ${load} at the start)`,
  );
  say('');
  say(
    `Command: \`npm run bench:responsiveness\`. ${runs} runs, each on a fresh embedded database with the demo (live agents on), \`yunwang serve\` logging at warn; autocannon, ${connections} connections.`,
  );
  say(
    `In each: \`/livez\` while the demo's 19 monthly snapshots freeze after ready (${results.map((r) => `${r.freezeSeconds.toFixed(0)} s`).join(', ')}; windows of ${windowSeconds} s), then idle, then a signed-in \`leader\` reading \`GET /api/v1/indicators\` (cached) beside \`/livez\` on the same server.`,
  );
  say('');
  say('| run | requests | req/s | p50 | p99 | max | errors + non-2xx |');
  say('|---|---|---|---|---|---|---|');
  results.forEach((r, n) => {
    const row = (what: string, run: Run) => say(`| ${n + 1} ${rowOf(what, run)}`);
    r.during.forEach((run, i) => {
      row(`/livez while snapshots freeze, window ${i + 1}`, run);
    });
    row('/livez idle', r.idle);
    row('GET /api/v1/indicators?scope=450000, signed in, cached', r.signedIn);
    row('/livez, right after', r.livezBeside);
  });
  say('');
  const worstP99s = results.map((r) => Math.max(...r.during.map((run) => run.p99)));
  const ratios = results.map((r) => r.signedIn.rps / r.livezBeside.rps);
  const p99 = median(worstP99s);
  const ratio = median(ratios);
  say(
    `Goals, on the median run: /livez p99 < 20 ms while background jobs run — each run's worst window ${worstP99s.map((x) => `${x} ms`).join(', ')} (median ${p99} ms, worst request ${Math.max(...results.flatMap((r) => r.during.map((run) => run.max)))} ms): ${p99 < 20 ? 'met' : 'missed'}. ` +
      `Signed-in cached read ≥ 1/4 of /livez's req/s — ${ratios.map((x) => x.toFixed(2)).join(', ')} (median ${ratio.toFixed(2)}): ${ratio >= 0.25 ? 'met' : 'missed'}.`,
  );
  await page.write();
}

await main();
