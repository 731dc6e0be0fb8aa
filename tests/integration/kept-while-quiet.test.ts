/**
 * keptWhileQuiet: on the embedded database a read is kept only while nothing else has been asked
 * of it — any other call, a write through drizzle, raw SQL or a transaction, makes it read again.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, keptWhileQuiet, openDatabase } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/raw.ts';

let database: Database;
let reads = 0;
const readValue = keptWhileQuiet(async (db) => {
  reads++;
  const [row] = await queryRows<{ v: number }>(db, sql`select v from kept_probe`);
  return row?.v;
});

beforeAll(async () => {
  database = await openDatabase({});
  await database.db.execute(sql`create table kept_probe (v int)`);
  await database.db.execute(sql`insert into kept_probe values (1)`);
});
afterAll(() => database.close());

describe('keptWhileQuiet on the embedded database', () => {
  it('reads once while nothing else runs, and again after any other call', async () => {
    expect(await readValue(database.db)).toBe(1);
    const after = reads;
    expect(await readValue(database.db)).toBe(1);
    expect(reads).toBe(after);

    await database.db.execute(sql`update kept_probe set v = 2`);
    expect(await readValue(database.db)).toBe(2);

    await database.db.transaction(async (tx) => {
      await tx.execute(sql`update kept_probe set v = 3`);
    });
    expect(await readValue(database.db)).toBe(3);

    const client = (database.db as unknown as { $client: { query(q: string): Promise<unknown> } }).$client;
    await client.query('update kept_probe set v = 4');
    expect(await readValue(database.db)).toBe(4);
  });

  it('keeps nothing from a read another call overlapped, and sees a write queued behind it', async () => {
    const reading = readValue(database.db);
    const writing = database.db.execute(sql`update kept_probe set v = 5`);
    await Promise.all([reading, writing]);
    expect(await readValue(database.db)).toBe(5);
  });

  it('reads every time inside a transaction (its handle is not the database)', async () => {
    await database.db.transaction(async (tx) => {
      const before = reads;
      await readValue(tx);
      await readValue(tx);
      expect(reads).toBe(before + 2);
    });
  });
});
