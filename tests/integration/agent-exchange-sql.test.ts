/**
 * exchange-agent's SQL source against a real PostgreSQL (the test server's, a database of
 * its own standing in for the exchange platform's): dates as the platform stores them, the
 * "since" cursor with its look-back, the statement timeout, the row bound, a read-only
 * transaction, and a bad row failing the round by row and column.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, type ExchangeAgentConfig, ExchangeSqlSource } from '../../agents/client/config.ts';
import { createAgentMetrics } from '../../agents/client/metrics.ts';
import { startAgent } from '../../agents/client/runner.ts';
import { exchangeCollector, sqlStateFile } from '../../agents/exchange/agent.ts';
import { SqlSource } from '../../agents/exchange/sql.ts';
import { metricValue, type RecordingApi, startRecordingApi } from '../helpers/agents.ts';
import { createPostgresDatabase } from '../helpers/db.ts';
import { POSTGRES_SKIP_MESSAGE } from '../setup/context.ts';

const postgresUrl = inject('postgresUrl');

// Under CI=true the global setup fails when PostgreSQL is missing, so this skips only on a developer's machine.
describe.skipIf(!postgresUrl)(`exchange-agent's SQL source${postgresUrl ? '' : ` — ${POSTGRES_SKIP_MESSAGE}`}`, () => {
  let platform: { url: string; drop(): Promise<void> };
  let admin: pg.Client;
  let dir: string;
  let api: RecordingApi;
  // Fixed "now": 2026-12-06 12:00 in Beijing.
  const now = () => Date.parse('2026-12-06T04:00:00Z');

  beforeAll(async () => {
    platform = await createPostgresDatabase({ empty: true });
    admin = new pg.Client({ connectionString: platform.url });
    await admin.connect();
    await admin.query(`
      create table daily_counts (iface text not null, day date not null, n bigint not null, primary key (iface, day));
      create role exchange_reader login password 'reader-secret';
      grant select on daily_counts to exchange_reader;
      create sequence probe;
      grant usage, update on sequence probe to exchange_reader;`);
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-exchange-sql-'));
    api = await startRecordingApi();
  });
  afterAll(async () => {
    await api?.close();
    await admin?.query('drop owned by exchange_reader; drop role exchange_reader').catch(() => undefined);
    await admin?.end();
    await platform?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  let counter = 0;
  const readerUrl = () => {
    const url = new URL(platform.url);
    url.username = 'exchange_reader';
    return url.toString();
  };
  const sqlConfig = (extra: Record<string, unknown> = {}) =>
    ExchangeSqlSource.parse({
      connection: readerUrl(),
      password_env: 'EXCHANGE_PW',
      query: 'select iface as service, day as date, n as count from daily_counts where day >= $1',
      start_date: '2026-12-01',
      ...extra,
    });
  const source = (extra: Record<string, unknown> = {}) =>
    new SqlSource(sqlConfig(extra), { stateFile: path.join(dir, `state-${++counter}.json`), env: { EXCHANGE_PW: 'reader-secret' }, now });
  const metrics = () => createAgentMetrics('exchange', '0.1.0', () => ({ batches: 0, bytes: 0, oldestAgeSeconds: 0, nextSeq: 1 }));
  const put = async (rows: [string, string, number | string][]) => {
    for (const [iface, day, n] of rows)
      await admin.query('insert into daily_counts values ($1, $2, $3) on conflict (iface, day) do update set n = excluded.n', [
        iface,
        day,
        n,
      ]);
  };

  it('reads from start_date, then only the days not yet reported plus the look-back, advancing once spooled', async () => {
    await admin.query('truncate daily_counts');
    await put([
      ['GX-IF-001', '2026-11-30', 1],
      ['GX-IF-001', '2026-12-01', 100],
      ['GX-IF-002', '2026-12-01', 200],
      ['GX-IF-001', '2026-12-02', 101],
      ['GX-IF-001', '2026-12-04', 9_007_199_254_740_991],
    ]);
    const s = source({ lookback_days: 2 });
    const m = metrics();
    expect(await s.since()).toBe('2026-12-01');
    const first = await s.collect(m);
    expect(first.items).toEqual([
      { kind: 'exchange_volume', service: 'GX-IF-001', date: '2026-12-01', count: 100 },
      { kind: 'exchange_volume', service: 'GX-IF-002', date: '2026-12-01', count: 200 },
      { kind: 'exchange_volume', service: 'GX-IF-001', date: '2026-12-02', count: 101 },
      { kind: 'exchange_volume', service: 'GX-IF-001', date: '2026-12-04', count: 9_007_199_254_740_991 },
    ]);
    // Not spooled yet: the cursor has not moved.
    expect(await s.since()).toBe('2026-12-01');
    await first.afterSpooled();
    // Newest reported 12-04, look-back 2: 12-03 and 12-04 again.
    expect(await s.since()).toBe('2026-12-03');

    await put([
      ['GX-IF-001', '2026-12-02', 555],
      ['GX-IF-001', '2026-12-04', 7],
      ['GX-IF-003', '2026-12-05', 30],
    ]);
    const second = await s.collect(m);
    // 12-02 changed too, but it is past the look-back: not read again.
    expect(second.items.map((i) => [i.service, i.date, i.count])).toEqual([
      ['GX-IF-001', '2026-12-04', 7],
      ['GX-IF-003', '2026-12-05', 30],
    ]);
    await second.afterSpooled();
    expect(await s.since()).toBe('2026-12-04');
    // A round with nothing new keeps the cursor; it never goes backwards.
    await admin.query(`delete from daily_counts where day = '2026-12-05'`);
    const third = await s.collect(m);
    await third.afterSpooled();
    expect(await s.since()).toBe('2026-12-04');
    expect(metricValue(await m.registry.metrics(), 'yunwang_agent_exchange_rows_read_total', '{source="sql"}')).toBe(4 + 2 + 1);
  });

  it('starts 30 days back when no start_date is given, and from the day after the newest with no look-back', async () => {
    const s = source({ start_date: undefined, lookback_days: 0 });
    expect(await s.since()).toBe('2026-11-06');
    await admin.query('truncate daily_counts');
    await put([['GX-IF-001', '2026-12-03', 5]]);
    await (await s.collect(metrics())).afterSpooled();
    expect(await s.since()).toBe('2026-12-04');
  });

  it('fails the round, counted, when the query times out, returns too many rows, writes, or names its columns wrongly', async () => {
    await admin.query('truncate daily_counts');
    await put([
      ['GX-IF-001', '2026-12-01', 1],
      ['GX-IF-002', '2026-12-01', 2],
      ['GX-IF-003', '2026-12-01', 3],
    ]);
    const m = metrics();
    const slow = source({
      query: 'select iface as service, day as date, n as count from daily_counts, pg_sleep(5) where day >= $1',
      statement_timeout_seconds: 0.3,
    });
    const started = Date.now();
    await expect(slow.collect(m)).rejects.toThrow(/statement timeout/);
    expect(Date.now() - started).toBeLessThan(4000);
    await expect(source({ max_rows: 2 }).collect(m)).rejects.toThrow(
      'the query returned more than max_rows (2) rows from 2026-12-01; narrow it or raise sql.max_rows',
    );
    // The reader may advance this sequence, but not inside the agent's read-only transaction.
    await expect(
      source({ query: `select iface as service, day as date, nextval('probe') as count from daily_counts where day >= $1` }).collect(m),
    ).rejects.toThrow('cannot execute nextval() in a read-only transaction');
    await expect(source({ query: 'select iface, day, n from daily_counts where day >= $1' }).collect(m)).rejects.toThrow(
      /the query must return columns named service, date and count/,
    );
    expect(metricValue(await m.registry.metrics(), 'yunwang_agent_exchange_query_failures_total')).toBe(4);
    expect((await admin.query('select last_value, is_called from probe')).rows[0]).toEqual({ last_value: '1', is_called: false });
  });

  it('fails the whole round when one row is bad, naming its row and column, and leaves the cursor alone', async () => {
    await admin.query('truncate daily_counts');
    await put([
      ['GX-IF-001', '2026-12-01', 1],
      ['GX-IF-002', '2026-12-01', 2],
    ]);
    const s = source({
      query: `select iface as service, day as date, case when iface = 'GX-IF-002' then -5 else n end as count from daily_counts where day >= $1`,
    });
    await expect(s.collect(metrics())).rejects.toThrow(
      'the query returned 1 bad value(s), nothing sent: row 2, column count: "-5" is not a whole number ≥ 0',
    );
    const twice = source({ query: `select 'GX-IF-001' as service, day as date, n as count from daily_counts where day >= $1` });
    await expect(twice.collect(metrics())).rejects.toThrow(/row 2: GX-IF-001 on 2026-12-01 comes twice \(sum it in the query\)/);
    expect(await s.since()).toBe('2026-12-01');
  });

  it('takes the password only from password_env or password_file, and never a URL holding one', async () => {
    expect(() => new SqlSource(sqlConfig(), { stateFile: path.join(dir, 'x.json'), env: {} }).password()).toThrow(ConfigError);
    expect(() => new SqlSource(sqlConfig(), { stateFile: path.join(dir, 'x.json'), env: {} }).password()).toThrow(
      'sql.password_env: the variable EXCHANGE_PW is not set',
    );
    const withPassword = new URL(readerUrl());
    withPassword.password = 'reader-secret';
    const parsed = ExchangeSqlSource.safeParse({ connection: withPassword.toString(), query: 'select $1' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('must not hold the password: use password_env or password_file');
    expect(JSON.stringify(parsed.error?.issues)).not.toContain('reader-secret');
  });

  it('runs as `yunwang-agent exchange --once`: the rows reach the API and the state file records the newest date', async () => {
    await admin.query('truncate daily_counts');
    await put([
      ['GX-IF-001', '2026-12-05', 11],
      ['GX-IF-002', '2026-12-05', 22],
    ]);
    const config: ExchangeAgentConfig = {
      api_url: api.url,
      token: 'ywa_test',
      name: 'exchange-sql-once',
      interval_seconds: 300,
      spool_dir: path.join(dir, 'spool-once'),
      spool_max_bytes: 1024 * 1024,
      spool_max_age_hours: 72,
      max_batch_items: 1000,
      request_timeout_seconds: 5,
      backoff_initial_ms: 10,
      backoff_max_ms: 50,
      metrics_enabled: false,
      metrics_host: '127.0.0.1',
      metrics_port: 0,
      sql: sqlConfig(),
    };
    api.batches = [];
    const agent = await startAgent({
      kind: 'exchange',
      config,
      collect: exchangeCollector(config, { env: { EXCHANGE_PW: 'reader-secret' }, now }),
      once: true,
      log: () => {},
    });
    expect(await agent.done).toBe(0);
    expect(api.batches.flatMap((b) => b.items)).toEqual([
      { kind: 'exchange_volume', service: 'GX-IF-001', date: '2026-12-05', count: 11 },
      { kind: 'exchange_volume', service: 'GX-IF-002', date: '2026-12-05', count: 22 },
    ]);
    expect(JSON.parse(await readFile(sqlStateFile(config), 'utf8'))).toEqual({ reported_through: '2026-12-05' });
  });
});
