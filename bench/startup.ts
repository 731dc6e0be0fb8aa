/**
 * Start-up (issue 19, item 3): `npm start` as a whole process, from spawning it to the first
 * 200 from /readyz — cold on a fresh data directory (the demo unpacked from the build's
 * template), warm, restarted on the data an earlier run left, and for comparison cold with the
 * demo loaded through the write path (YUNWANG_AUDIT_KEY set, which the template is not keyed
 * with). Beside it, in the same run, a reference: spawning `node -e ""`. Results go to bench/STARTUP.md.
 *
 *   npm run bench:startup          (BENCH_COLD=3, BENCH_WARM=5, BENCH_WRITE_PATH=2)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/helpers/ports.ts';
import { percentile, resultsSection } from './report.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const coldRuns = Number(process.env.BENCH_COLD ?? 3);
const warmRuns = Number(process.env.BENCH_WARM ?? 5);
const writePathRuns = Number(process.env.BENCH_WRITE_PATH ?? 2);

/** Spawns `npm start` on `dataDir`; answers the time to /readyz and the process, left running. */
async function start(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ ms: number; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const t0 = performance.now();
  // Its own process group, so that stopping it stops npm and the server under it.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', YUNWANG_DATA_DIR: dataDir, YUNWANG_DEMO_LIVE: '0', ...env },
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (performance.now() - t0 > 180_000) throw new Error(`not ready in 180 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { ms: performance.now() - t0, child, output: () => output };
}

/** Stops the whole process group and waits until every process in it is gone (npm exits before the server). */
async function stop(child: ChildProcess): Promise<void> {
  const group = -(child.pid as number);
  const exited = once(child, 'exit');
  process.kill(group, 'SIGTERM');
  await exited;
  for (;;) {
    try {
      process.kill(group, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function bareNode(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return performance.now() - t0;
}

const summary = (xs: number[]) =>
  `${(Math.min(...xs) / 1000).toFixed(2)} s | ${(percentile(xs, 50) / 1000).toFixed(2)} s | ${(Math.max(...xs) / 1000).toFixed(2)} s`;

async function main() {
  const page = resultsSection(new URL('./STARTUP.md', import.meta.url), 'startup');
  const { say } = page;
  const load = loadavg()[0]?.toFixed(2);
  const cold: number[] = [];
  const warm: number[] = [];
  const writePath: number[] = [];
  const reference: number[] = [];
  const dirs: string[] = [];
  // As after `npm ci` (its prepare script builds): npm start then runs dist/yunwang.mjs, not the sources.
  const build = spawn('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const [code] = await once(build, 'exit');
  if (code !== 0) throw new Error(`npm run build exited ${code}`);
  try {
    for (let i = 0; i < coldRuns; i++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-startup-'));
      dirs.push(dir);
      const run = await start(path.join(dir, 'data'));
      cold.push(run.ms);
      await stop(run.child);
      reference.push(await bareNode());
    }
    for (let i = 0; i < writePathRuns; i++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-startup-'));
      dirs.push(dir);
      const run = await start(path.join(dir, 'data'), { YUNWANG_AUDIT_KEY: 'b'.repeat(64) });
      if (!run.output().includes('through the write path'))
        throw new Error(`the demo did not load through the write path:\n${run.output()}`);
      writePath.push(run.ms);
      await stop(run.child);
    }
    for (let i = 0; i < warmRuns; i++) {
      const run = await start(path.join(dirs[0] as string, 'data'));
      warm.push(run.ms);
      await stop(run.child);
      reference.push(await bareNode());
    }
  } finally {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
  say(
    `## Start-up (${new Date().toISOString().slice(0, 10)}, ${process.arch}, Node ${process.version}, load average ${load} at the start)`,
  );
  say('');
  say('Command: `npm run bench:startup`. It runs `npm run build` first (as `npm ci` does), so `npm start` runs the');
  say('compiled `dist/yunwang.mjs`. Each run spawns `npm start` (the demo, the embedded database) and');
  say('times it to the first 200 from `/readyz`, then stops it with SIGTERM. Cold: a fresh data directory each time,');
  say("the demo unpacked from the build's template (dist/demo-template) and brought up to today; warm: restarted on the");
  say("first cold run's data; for comparison, cold with the demo loaded through the write path (YUNWANG_AUDIT_KEY set,");
  say('which the template is not keyed with). Reference: spawning `node -e ""`, after each cold run.');
  say('');
  say('| start | runs | min | median | max | median ÷ bare node |');
  say('|---|---|---|---|---|---|');
  const ref = percentile(reference, 50);
  say(`| cold (fresh data directory, demo loaded) | ${cold.length} | ${summary(cold)} | ${(percentile(cold, 50) / ref).toFixed(0)}× |`);
  say(`| warm (restart on existing data) | ${warm.length} | ${summary(warm)} | ${(percentile(warm, 50) / ref).toFixed(0)}× |`);
  if (writePath.length > 0)
    say(
      `| cold, demo through the write path (no template) | ${writePath.length} | ${summary(writePath)} | ${(percentile(writePath, 50) / ref).toFixed(0)}× |`,
    );
  say(`| reference: \`node -e ""\` | ${reference.length} | ${summary(reference)} | 1× |`);
  await page.write();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
