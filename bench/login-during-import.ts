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
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { serve } from '@hono/node-server';
import { createApp } from '../src/app.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { createCast, testPassword } from '../tests/helpers/auth.ts';
import { withBenchDatabase } from './postgres.ts';

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

    const during = async (label: string) => {
      const form = new FormData();
      form.append('file', new File([file], 'bench.csv'));
      let done = false;
      const latencies: number[] = [];
      const started = performance.now();
      const importing = fetch(`${base}${path}`, { method: 'POST', body: form, headers: cast.callerFor('POST', path).headers }).then(
        async (res) => {
          const text = await res.text();
          done = true;
          if (res.status !== 200) throw new Error(`import answered ${res.status}: ${text.slice(0, 300)}`);
          return { ms: performance.now() - started, report: JSON.parse(text) as Record<string, unknown> };
        },
      );
      const inFlight: Promise<void>[] = [];
      let due = performance.now();
      while (!done) {
        const at = due;
        inFlight.push(signIn().then(() => void latencies.push(performance.now() - at)));
        due += everyMs;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      }
      const imported = await importing;
      await Promise.all(inFlight);
      const { created, updated, unchanged } = imported.report;
      console.log(
        `${label}: import ${(imported.ms / 1000).toFixed(1)} s (created ${created}, updated ${updated}, unchanged ${unchanged}); sign-ins ${summary(latencies)}`,
      );
      return { label, importMs: imported.ms, latencies, report: imported.report };
    };

    console.log(`idle sign-ins: ${summary(idle)}`);
    const runs = [await during('first import (writes every row)'), await during('second import (every row unchanged)')];

    const cpu = cpus();
    const doc = `# Sign-ins during a large import (issue 14, item 3)

Measured by \`npm run bench:login-import\` (bench/login-during-import.ts): the API on 127.0.0.1 over
PostgreSQL ${'15'}, a ${rows.toLocaleString('en')}-row systems CSV imported twice while a sign-in is started every ${everyMs} ms,
each timed from when it was due (so a stalled event loop counts). The promise of item 3 is 1 s.

Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
The machine was shared with other work while this ran.

| Phase | Import | Sign-ins | p50 | p95 | max |
|---|---|---|---|---|---|
| idle (no import) | — | ${idle.length} | ${quantile(idle, 0.5).toFixed(0)} ms | ${quantile(idle, 0.95).toFixed(0)} ms | ${Math.max(...idle).toFixed(0)} ms |
${runs
  .map(
    (r) =>
      `| ${r.label} | ${(r.importMs / 1000).toFixed(1)} s | ${r.latencies.length} | ${quantile(r.latencies, 0.5).toFixed(0)} ms | ${quantile(r.latencies, 0.95).toFixed(0)} ms | ${Math.max(0, ...r.latencies).toFixed(0)} ms |`,
  )
  .join('\n')}

A sign-in costs one scrypt hash (about ${quantile(idle, 0.5).toFixed(0)} ms here when idle), a session insert and an audit entry;
the audit entry takes the audit chain's lock, which an import's write phase holds from its own
audit entries to its commit. That lock is taken as late as it can be: the import writes its
records and transitions first and appends its audit entries last, just before it commits. While an
import only compares (every row unchanged) it takes no lock, and sign-ins stay within the 1 s of
item 3. While it writes 40,000 rows, a sign-in that arrives during the audit append waits for the
commit: the promise does not hold there (p95/max above). The chain's hash covers the previous
entry's, so the entries can only be hashed under the lock; shortening that wait needs a different
chaining (per-batch entries, or hashing outside the lock) and is left open in issue 14.
`;
    await writeFile(new URL('./LOGIN-DURING-IMPORT.md', import.meta.url), doc);
    console.log('written bench/LOGIN-DURING-IMPORT.md');
  } finally {
    server.close();
  }
});
