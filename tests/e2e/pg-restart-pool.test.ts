/**
 * PostgreSQL restarted while transactions run: afterwards every pool client has come
 * back. (drizzle sends BEGIN outside its try/finally, so a BEGIN that fails on a connection
 * the restart just closed used to leak the client, and the pool shrank for good.) And the API
 * meanwhile answers 503 + Retry-After, as for agents, rather than 500.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/raw.ts';
import { withoutQueryParameters } from '../../src/kernel/log.ts';
import { apiClient } from '../helpers/api.ts';
import { callerWith } from '../helpers/auth.ts';
import { captureLogs } from '../helpers/logs.ts';
import { type PostgresServer, startPostgres } from '../setup/global.ts';

let server: PostgresServer | null = null;
let database: Database;

beforeAll(async () => {
  // Its own throwaway server: restarting the shared one would cut other test files off.
  server = await startPostgres();
  if (server) database = await openDatabase({ databaseUrl: `${server.url}/postgres`, poolSize: 4 });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

it('gives every pool client back after restarts under load', { timeout: 90_000 }, async (context) => {
  if (!server) {
    context.skip();
    return;
  }
  let stop = false;
  let committed = 0;
  const worker = async () => {
    while (!stop) {
      try {
        await database.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          await tx.execute(sql`select pg_sleep(0.001)`);
        });
        committed++;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  const workers = Array.from({ length: 12 }, worker);
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 500));
    await server.halt();
    await new Promise((r) => setTimeout(r, 300));
    await server.resume();
  }
  await new Promise((r) => setTimeout(r, 1000));
  const before = committed;
  await new Promise((r) => setTimeout(r, 500));
  stop = true;
  await Promise.all(workers);
  expect(committed).toBeGreaterThan(before); // still working after the last restart
  const closed = await Promise.race([database.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 30_000))]);
  expect(closed, 'a client was never released to the pool').toBe(true);
});

it('gives back a client whose connection died just before BEGIN', { timeout: 60_000 }, async (context) => {
  if (!server) {
    context.skip();
    return;
  }
  const single = await openDatabase({ databaseUrl: `${server.url}/postgres`, poolSize: 1 });
  const admin = new pg.Client({ connectionString: `${server.url}/postgres` });
  await admin.connect();
  try {
    // A few times: whether the dying client is checked out before its end is noticed is a race.
    for (let i = 0; i < 3; i++) {
      const [row] = await queryRows<{ pid: number }>(single.db, sql`select pg_backend_pid() as pid`);
      // The idle client's backend is told to go; the transaction checks it out before the news arrives.
      await admin.query('select pg_terminate_backend($1)', [row?.pid]);
      await single.db.transaction(async (tx) => tx.execute(sql`select 1`)).catch(() => undefined);
    }
    // With the client leaked, this would wait forever for the pool's only slot.
    const answered = await Promise.race([
      single.db.execute(sql`select 1 as one`).then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 20_000)),
    ]);
    expect(answered, 'the pool slot never came back').toBe(true);
  } finally {
    await admin.end();
    await Promise.race([single.close(), new Promise((r) => setTimeout(r, 5000))]);
  }
});

it('answers 503 with Retry-After, not 500, while the database is down, and logs no query parameters', {
  timeout: 90_000,
}, async (context) => {
  if (!server) {
    context.skip();
    return;
  }
  // Its own database on this server (the test above has closed its pool).
  const admin = new pg.Client({ connectionString: `${server.url}/postgres` });
  await admin.connect();
  await admin.query('create database outage_app');
  await admin.end();
  const appDatabase = await openDatabase({ databaseUrl: `${server.url}/outage_app`, poolSize: 2 });
  const logs = captureLogs();
  try {
    await appDatabase.migrate();
    const leader = await callerWith(appDatabase.db, ['leader']);
    const app = createApp({
      database: appDatabase,
      config: { YUNWANG_BODY_LIMIT_BYTES: 1_048_576, YUNWANG_IMPORT_LIMIT_BYTES: 67_108_864 },
      logger: logs.logger,
    });
    const api = apiClient(app, leader);
    expect((await api.get('/api/v1/systems')).status).toBe(200);
    await server.halt();
    try {
      const down = await api.get('/api/v1/systems');
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await server.resume();
    }
    // The outage was logged, without the failed query's parameters.
    expect(logs.records().some((r) => r.msg === 'database unavailable')).toBe(true);
    expect(logs.text()).not.toMatch(/params: (?!\[redacted\])/);
  } finally {
    await Promise.race([appDatabase.close(), new Promise((r) => setTimeout(r, 5000))]);
  }
});

it('keeps the SQL but not the values of a failed query in the log', () => {
  const message =
    'Failed query: select * from sessions where id_hash = $1\nparams: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
  expect(withoutQueryParameters(message)).toBe('Failed query: select * from sessions where id_hash = $1\nparams: [redacted]');
});
