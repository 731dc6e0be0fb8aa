/**
 * GET /metrics at province scale on a throwaway PostgreSQL server (or BENCH_DATABASE_URL):
 * loads the demo dataset at DESIGN.md's province scale, has network agents report every node
 * and a cloud agent its tenants, then times scrapes through app.request() beside GET /livez
 * in the same run:
 *
 * - within the cache (YUNWANG_METRICS_CACHE_SECONDS), and once it has expired (with and
 *   without a registry write since): the scrape answers from the gauges it has and starts a
 *   refresh behind it, so these should all cost about the same;
 * - the refresh itself, off the scrape path: registry unchanged (indicator figures from the
 *   shared figure cache, keyed by registry version) and after a registry write (every figure
 *   of the province's own level and the 14 cities computed again).
 *
 * Results go to bench/METRICS.md.   npm run bench:metrics   (BENCH_SCALE=8, BENCH_ROUNDS=200)
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { createApp } from '../src/app.ts';
import { queryRows } from '../src/db/raw.ts';
import { loadDemoData } from '../src/demo/load.ts';
import { rootActor } from '../src/identity/actor.ts';
import { IndicatorCache } from '../src/indicators/cache.ts';
import type { IndicatorReport } from '../src/indicators/service.ts';
import { issueAgentToken } from '../src/ingest/agents.ts';
import { targetSampleSource } from '../src/leadership/metrics.ts';
import { businessSource } from '../src/metrics/sources.ts';
import { loadDivisions } from '../src/regions/service.ts';
import { withBenchDatabase } from './postgres.ts';

const scale = Number(process.env.BENCH_SCALE ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);
const slowRounds = Number(process.env.BENCH_SLOW_ROUNDS ?? 15);

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const config = { YUNWANG_BODY_LIMIT_BYTES: 1 << 20, YUNWANG_IMPORT_LIMIT_BYTES: 64 << 20, YUNWANG_INGEST_MAX_ITEMS: 5000 };

async function main() {
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  await withBenchDatabase('metrics', async (database) => {
    await database.migrate();
    const { db } = database;
    await loadDivisions(db);
    const t0 = performance.now();
    await loadDemoData(db, { scale });
    console.log(`demo data at scale ${scale} loaded in ${ms(performance.now() - t0)}`);

    // 1 s cache, so that the expired cases can be reached by waiting.
    const app = createApp({ database, config: { ...config, YUNWANG_METRICS_CACHE_SECONDS: 1 } });
    const actor = rootActor('bench');
    const nodes = await queryRows<{ code: string }>(db, sql`select code from network_nodes where commissioned order by code`);
    const now = new Date().toISOString();
    const agents = 4;
    for (let a = 0; a < agents; a++) {
      const { token } = await issueAgentToken(db, { name: `bench-network-${a}`, kind: 'network' }, actor);
      const mine = nodes.filter((_, i) => i % agents === a);
      const items = mine.map((n, i) => ({
        kind: 'node_sample',
        node: n.code,
        at: now,
        up: i % 50 !== 0,
        latency_ms: i % 50 ? 3 + (i % 7) : null,
        loss: i % 50 ? 0 : 1,
      }));
      const res = await app.request('/api/v1/ingest/batches', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ agent: `bench-network-${a}`, seq: 1, sent_at: now, next_report_seconds: 30, items }),
      });
      if (res.status !== 200) throw new Error(`ingest: ${res.status} ${await res.text()}`);
    }

    const scrape = async (path = '/metrics') => {
      const t = performance.now();
      const res = await app.request(path);
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body}`);
      return { ms: performance.now() - t, body };
    };
    const first = await scrape();
    const series = first.body.split('\n').filter((l) => l && !l.startsWith('#'));
    const families = first.body.split('\n').filter((l) => l.startsWith('# TYPE')).length;

    const warm: number[] = [];
    const livez: number[] = [];
    for (let i = 0; i < rounds; i++) {
      warm.push((await scrape()).ms);
      livez.push((await scrape('/livez')).ms);
    }
    const expired: number[] = [];
    const written: number[] = [];
    const bump = () => db.execute(sql`update registry_version set version = version + 1`);
    for (let i = 0; i < slowRounds; i++) {
      await sleep(1050);
      expired.push((await scrape()).ms);
      await sleep(500); // let the refresh it started finish
      await bump();
      await sleep(1050);
      written.push((await scrape()).ms);
      await sleep(800);
    }
    // The refresh, timed on its own: what the database does once per interval, off the scrape path.
    const cache = new IndicatorCache<IndicatorReport>();
    const refresh = async () => {
      const t = performance.now();
      await Promise.all([businessSource(db, { ttlMs: 0, cache }).snapshot(), targetSampleSource(db, { ttlMs: 0, cache }).targetSamples()]);
      return performance.now() - t;
    };
    await refresh();
    const refreshUnchanged: number[] = [];
    const refreshWritten: number[] = [];
    for (let i = 0; i < slowRounds; i++) {
      refreshUnchanged.push(await refresh());
      await bump();
      refreshWritten.push(await refresh());
    }

    const [counts] = await queryRows<Record<string, number>>(
      db,
      sql`select (select count(*) from systems)::int as systems, (select count(*) from service_items)::int as service_items,
                 (select count(*) from private_networks)::int as private_networks, (select count(*) from departments)::int as departments,
                 (select count(*) from network_nodes)::int as network_nodes, (select count(*) from cloud_tenants)::int as cloud_tenants`,
    );
    const [load1, load5, load15] = (await import('node:os')).loadavg().map((x) => x.toFixed(1));
    say(
      `# /metrics benchmark (${new Date().toISOString().slice(0, 10)}, scale ${scale}, PostgreSQL, ${process.arch}, Node ${process.version})`,
    );
    say('');
    say(
      `Load average at the end: ${load1} / ${load5} / ${load15} — a shared 2-core machine; compare against the reference in the same run.`,
    );
    say('');
    say(
      `Registry: ${Object.entries(counts ?? {})
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}; ${agents} network agents reported every commissioned node once.`,
    );
    say(`Exposition: ${families} families, ${series.length} series, ${(first.body.length / 1024).toFixed(0)} KiB.`);
    say('');
    say('| scrape of GET /metrics through app.request() | n | p50 | p95 | max | reference GET /livez p50 / p95 |');
    say('|---|---|---|---|---|---|');
    const row = (label: string, xs: number[]) =>
      say(
        `| ${label} | ${xs.length} | ${ms(percentile(xs, 50))} | ${ms(percentile(xs, 95))} | ${ms(Math.max(...xs))} | ${ms(percentile(livez, 50))} / ${ms(percentile(livez, 95))} |`,
      );
    row('within the cache (every scrape between refreshes)', warm);
    row('cache expired, registry unchanged (answers, refresh starts behind it)', expired);
    row('cache expired after a registry write (answers, refresh starts behind it)', written);
    say(`| first scrape after start (waits for the first computation) | 1 | ${ms(first.ms)} | | | |`);
    say('');
    say('| the refresh itself, off the scrape path | n | p50 | p95 | max | |');
    say('|---|---|---|---|---|---|');
    row('registry unchanged (indicator figures from the figure cache)', refreshUnchanged);
    row('after a registry write (16 scopes × 7 indicators computed: 14 cities, 本级, the province)', refreshWritten);
    say('');
    say(
      'A refresh runs at most once per YUNWANG_METRICS_CACHE_SECONDS (default 30 s) and once at a time, behind the scrape that found the gauges expired; ' +
        'only the very first scrape after start waits for it. The in-process counters and histograms are always live.',
    );
    await writeFile(fileURLToPath(new URL('./METRICS.md', import.meta.url)), `${lines.join('\n')}\n`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
