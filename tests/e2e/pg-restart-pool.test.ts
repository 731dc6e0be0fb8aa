/**
 * PostgreSQL restarted while transactions run: afterwards every pool client has come
 * back. (drizzle sends BEGIN outside its try/finally, so a BEGIN that fails on a connection
 * the restart just closed used to leak the client, and the pool shrank for good.)
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/raw.ts';
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
