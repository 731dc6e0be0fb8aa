/**
 * The embedded database runs each statement on this thread and resolves at once: a chain of
 * awaited statements would keep the event loop from turning until it ends. Between them the
 * loop turns every turnMs, at the top level and inside a transaction, so a timer (or a
 * socket, a /livez probe) gets its turn while a long load or freeze goes on.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/raw.ts';
import { turnMs } from '../../src/kernel/yielding.ts';

let database: Database;

beforeAll(async () => {
  database = await openDatabase({});
  await database.db.execute(sql`create table turn_probe (n int)`);
});
afterAll(() => database.close());

const probeRows = async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from turn_probe`))[0]?.n;

/** Runs `statements` until at least `ms` have passed, counting how often a 0 ms timer fired meanwhile. */
async function timersDuring(statements: (i: number) => Promise<unknown>, ms: number): Promise<{ fired: number; ran: number }> {
  let fired = 0;
  let ticking = true;
  const tick = () => {
    fired++;
    if (ticking) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const started = performance.now();
  let ran = 0;
  while (performance.now() - started < ms) await statements(ran++);
  ticking = false;
  return { fired, ran };
}

describe('the embedded database lets the event loop turn', () => {
  it('between top-level statements', async () => {
    const { fired, ran } = await timersDuring((i) => database.db.execute(sql`insert into turn_probe values (${i})`), 300);
    expect(ran).toBeGreaterThan(10);
    // 300 ms of statements: a turn at least every few turnMs (timers fire on a turn's next loop).
    expect(fired).toBeGreaterThanOrEqual(Math.floor(300 / (turnMs * 4)));
  });

  it('between the statements of one transaction, which still commits whole', async () => {
    let fired = 0;
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`delete from turn_probe`);
      ({ fired } = await timersDuring((i) => tx.execute(sql`insert into turn_probe values (${i})`), 300));
    });
    expect(fired).toBeGreaterThanOrEqual(Math.floor(300 / (turnMs * 4)));
    expect(await probeRows()).toBeGreaterThan(10);
  });

  it('while a rolled-back transaction turns, nothing of it is seen and other calls wait for it', async () => {
    const before = await probeRows();
    let seenDuring: number | undefined;
    const during = new Promise<void>((resolve) => {
      setTimeout(async () => {
        seenDuring = await probeRows();
        resolve();
      }, 20);
    });
    await expect(
      database.db.transaction(async (tx) => {
        await timersDuring((i) => tx.execute(sql`insert into turn_probe values (${i})`), 100);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await during;
    expect(seenDuring).toBe(before);
  });
});
