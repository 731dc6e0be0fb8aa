/**
 * Sign-ins while a large import runs (issue 14, item 3: "a login must keep answering within
 * 1 s while an import runs"), on PostgreSQL. Starts the API on 127.0.0.1 over a throwaway
 * PostgreSQL (bench/postgres.ts), imports a 40,000-row systems CSV twice (the first writes every
 * row, the second finds them unchanged) while a sign-in is started every 200 ms, each timed
 * from when it was due, and prints max/p95 next to idle sign-ins. Writes bench/LOGIN-DURING-IMPORT.md.
 *
 *   npm run bench:login-import            (BENCH_ROWS=40000 by default)
 *
 * The server runs in this process: a stalled event loop delays the client's timers as it
 * delays the server, which is what "timed from when it was due" measures.
 */

import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from '../src/app.ts';
import { batchThreshold } from '../src/audit/service.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { createCast, testPassword } from '../tests/helpers/auth.ts';
import { withBenchDatabase } from './postgres.ts';

const execFileAsync = promisify(execFile);
const rows = Number(process.env.BENCH_ROWS ?? 40_000);
const everyMs = 200;

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
};
const summary = (xs: number[]) =>
  `n ${xs.length}, p50 ${quantile(xs, 0.5).toFixed(0)} ms, p95 ${quantile(xs, 0.95).toFixed(0)} ms, max ${Math.max(0, ...xs).toFixed(0)} ms`;

await withBenchDatabase('login_import', async (database) => {
  await database.migrate();
  await loadDivisions(database.db);
  const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100_000 };
  const app = createApp({ database, config });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const home = 'BENCH-HOME';
    const cast = await createCast(app, database.db, { code: home, name: '基准测试部门', region_code: '450000' });
    const user = cast.callers.leader.name;
    const signIn = async () => {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: user, password: testPassword }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`sign-in answered ${res.status}`);
    };

    const idle: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await signIn();
      idle.push(performance.now() - t0);
    }

    const header = ['编码', '名称', '部门编码', '密级', '状态', '状态日期'];
    const lines = Array.from({ length: rows }, (_, i) =>
      [`BENCH-S-${i}`, `基准测试系统 ${i}`, home, '待认定', '已上云', '2020-01-01'].join(','),
    );
    const file = new TextEncoder().encode([header.join(','), ...lines].join('\r\n'));
    const path = '/api/v1/import/systems';

    const fileDir = await mkdtemp(join(tmpdir(), 'yunwang-bench-'));
    const filePath = join(fileDir, 'bench.csv');
    await writeFile(filePath, file);
    const headers = Object.entries(cast.callerFor('POST', path).headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);

    const during = async (label: string) => {
      let done = false;
      const latencies: number[] = [];
      const slow: string[] = [];
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const started = performance.now();
      // The upload comes from another process, as it would from a clerk's browser: building and
      // sending a 1.5 MB form here would stall this process's sign-ins on the client's account.
      const importing = execFileAsync('curl', ['-sS', '-w', '\n%{http_code}', ...headers, '-F', `file=@${filePath}`, `${base}${path}`], {
        maxBuffer: 64 * 1024 * 1024,
      }).then(({ stdout }) => {
        done = true;
        const status = stdout.slice(stdout.lastIndexOf('\n') + 1);
        const text = stdout.slice(0, stdout.lastIndexOf('\n'));
        if (status !== '200') throw new Error(`import answered ${status}: ${text.slice(0, 300)}`);
        return { ms: performance.now() - started, report: JSON.parse(text) as Record<string, unknown> };
      });
      const inFlight: Promise<void>[] = [];
      let due = performance.now();
      while (!done) {
        const at = due;
        inFlight.push(
          signIn().then(() => {
            const ms = performance.now() - at;
            latencies.push(ms);
            if (ms > 700) slow.push(`${((at - started) / 1000).toFixed(1)}s:${ms.toFixed(0)}`);
          }),
        );
        due += everyMs;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      }
      const imported = await importing;
      await Promise.all(inFlight);
      loop.disable();
      const loopMaxMs = loop.max / 1e6;
      const { created, updated, unchanged } = imported.report;
      console.log(
        `${label}: import ${(imported.ms / 1000).toFixed(1)} s (created ${created}, updated ${updated}, unchanged ${unchanged}); sign-ins ${summary(latencies)}; event loop delay max ${loopMaxMs.toFixed(0)} ms; slow (due at:ms) ${slow.join(' ') || 'none'}`,
      );
      return { label, importMs: imported.ms, latencies, loopMaxMs, report: imported.report };
    };

    console.log(`idle sign-ins: ${summary(idle)}`);
    const runs = [await during('first import (writes every row)'), await during('second import (every row unchanged)')];

    const cpu = cpus();
    const doc = `# Sign-ins during a large import (issue 14, item 3)

Measured by \`npm run bench:login-import\` (bench/login-during-import.ts): the API on 127.0.0.1 over
PostgreSQL ${'15'}, a ${rows.toLocaleString('en')}-row systems CSV uploaded twice by curl (another process, as a
clerk's browser would be) while a sign-in is started every ${everyMs} ms,
each timed from when it was due (so a stalled event loop counts). The promise of item 3 is 1 s.

Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
Nothing else ran on the machine.

| Phase | Import | Sign-ins | p50 | p95 | max | event-loop delay max |
|---|---|---|---|---|---|---|
| idle (no import) | — | ${idle.length} | ${quantile(idle, 0.5).toFixed(0)} ms | ${quantile(idle, 0.95).toFixed(0)} ms | ${Math.max(...idle).toFixed(0)} ms | — |
${runs
  .map(
    (r) =>
      `| ${r.label} | ${(r.importMs / 1000).toFixed(1)} s | ${r.latencies.length} | ${quantile(r.latencies, 0.5).toFixed(0)} ms | ${quantile(r.latencies, 0.95).toFixed(0)} ms | ${Math.max(0, ...r.latencies).toFixed(0)} ms | ${r.loopMaxMs.toFixed(0)} ms |`,
  )
  .join('\n')}

A sign-in costs one scrypt hash (about ${quantile(idle, 0.5).toFixed(0)} ms here when idle), a session insert and an audit entry,
which takes the audit chain's lock. An import writes its records and transitions first and its
audit entries last; from ${batchThreshold} entries on they are a batch (src/audit/service.ts): chained among
themselves without the lock, then sealed by one entry of the main chain, so the lock is held only
from the seal to the commit. While an import only compares (every row unchanged) it takes no lock.
Item 3's 1 s holds when the max column of both import rows is under 1,000 ms. The event-loop
delay is the longest this process's thread was held at once during the import (sampled every 10 ms):
the rest of a sign-in's time is its scrypt hash sharing two cores with the import and PostgreSQL.

Before audit batches (commit 8c8b2c3), every entry was chained under the lock and statements were
built 5,000 rows at a time: the same bench on the same machine on 2026-12-06 (the upload then sent
from this process) measured sign-ins during the first import at p95 3,794 ms, max 4,010 ms (idle
p50 179 ms).
`;
    await writeFile(new URL('./LOGIN-DURING-IMPORT.md', import.meta.url), doc);
    console.log('written bench/LOGIN-DURING-IMPORT.md');
    await rm(fileDir, { recursive: true });
  } finally {
    server.close();
  }
});
