/**
 * What the access log costs a request: GET /livez on a real socket (node-server, keep-alive
 * connections, no autocannon needed), the app's logger at info (one JSON line per request
 * written synchronously to /dev/null, as pino writes to a redirected stdout) against the same
 * app at warn (no access line), alternating runs in one process on an embedded database.
 *
 * Results go to bench/LOGS.md.   node --import tsx bench/access-log.ts   (BENCH_SECONDS=5, BENCH_CONNECTIONS=20, BENCH_RUNS=3)
 */
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { createApp } from '../src/app.ts';
import { openDatabase } from '../src/db/client.ts';
import { createLogger, type LogLevel } from '../src/kernel/log.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const runs = Number(process.env.BENCH_RUNS ?? 3);

const database = await openDatabase({});
await database.migrate();

async function measure(level: LogLevel): Promise<{ rps: number; p50: number; p99: number; max: number }> {
  const logger = createLogger({ level, destination: pino.destination({ dest: '/dev/null', sync: true }) });
  const app = createApp({ database, config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 }, logger });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/livez', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await get();
        latencies.push(performance.now() - started);
      }
    }),
  );
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN };
}

const rows: string[] = [];
for (let run = 1; run <= runs; run++) {
  for (const level of ['info', 'warn'] as const) {
    const r = await measure(level);
    rows.push(`| ${run} | ${level} | ${Math.round(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} |`);
    console.log(rows.at(-1));
  }
}
await database.close();

const report = `# The access log's cost

\`node --import tsx bench/access-log.ts\` (BENCH_SECONDS=${seconds}, BENCH_CONNECTIONS=${connections}, BENCH_RUNS=${runs}),
Node ${process.versions.node}, on the development machine (2 cores shared with other work: compare
the two levels within a run, not the absolutes). GET /livez over ${connections} keep-alive connections for
${seconds} s; \`info\` writes one JSON access line per request (synchronously, to /dev/null), \`warn\`
writes none. The client runs in the same process, so both share the cores.

| run | LOG_LEVEL | req/s | p50 ms | p99 ms | max ms |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
await writeFile(fileURLToPath(new URL('./LOGS.md', import.meta.url)), report);
console.log('written to bench/LOGS.md');
