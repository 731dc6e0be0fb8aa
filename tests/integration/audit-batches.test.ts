/**
 * Large appends to the audit trail (an import's entries) are written as a batch: a chain of
 * their own, hashed without the chain's lock, sealed by one main-chain entry. Sign-ins then
 * wait only for the seal, not for 40,000 entries (issue 14, item 3; bench/LOGIN-DURING-IMPORT.md).
 * The batch must be as tamper-evident as the main chain: these tests edit it as a superuser
 * would, behind the append-only trigger, and expect `verifyAuditChain` to name the entry.
 */
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { batchSealAction, batchThreshold, recordAudit, verifyAuditChain } from '../../src/audit/service.ts';
import type { Database } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const actor = { ...rootActor('audit-batch-test'), sourceIp: '10.0.0.9', requestId: 'req-batch-1' };
const batchSize = batchThreshold + 20;

interface Row extends Record<string, unknown> {
  id: number;
  action: string;
  prev_hash: string | null;
  hash: string;
  batch_id: string | null;
  after: Record<string, unknown> | null;
}

const trail = (database: Database) =>
  queryRows<Row>(database, sql`select id::int as id, action, prev_hash, hash, batch_id, after from audit_log order by id`);

const entries = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({
    action: 'system.create',
    entityKind: 'system',
    entityCode: `${tag}-${i}`,
    after: { name: `系统 ${i}`, vcpu: i },
  }));

/** `session_replication_role = replica` skips the append-only trigger for one transaction. */
const asReplica = (database: Database, query: ReturnType<typeof sql>) =>
  database.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(query);
  });

/** Removes an entry, runs `check`, and puts the entry back exactly as it was. */
async function withoutEntry(database: Database, id: number, check: () => Promise<void>): Promise<void> {
  const [saved] = await queryRows<{ row: unknown }>(database, sql`select to_jsonb(a) as row from audit_log a where id = ${id}`);
  await asReplica(database, sql`delete from audit_log where id = ${id}`);
  try {
    await check();
  } finally {
    await database.db.execute(sql`insert into audit_log overriding system value
      select * from jsonb_populate_record(null::audit_log, ${JSON.stringify(saved?.row)}::jsonb)`);
  }
}

describeEachBackend('audit batches', (getDb) => {
  it('writes a large append as its own chain, sealed by one entry of the main chain', async () => {
    const database = getDb();
    await recordAudit(database.db, actor, entries(2, 'before'));
    await recordAudit(database.db, actor, entries(batchSize, 'batch'));
    await recordAudit(database.db, actor, entries(1, 'after'));
    const rows = await trail(database);
    expect(rows).toHaveLength(2 + batchSize + 1 + 1);

    const members = rows.filter((r) => r.batch_id !== null);
    expect(members).toHaveLength(batchSize);
    expect(new Set(members.map((r) => r.batch_id)).size).toBe(1);
    expect(members[0]?.prev_hash).toBeNull();
    for (let i = 1; i < members.length; i++) expect(members[i]?.prev_hash).toBe(members[i - 1]?.hash);

    const main = rows.filter((r) => r.batch_id === null);
    expect(main.map((r) => r.action)).toEqual(['system.create', 'system.create', batchSealAction, 'system.create']);
    for (let i = 1; i < main.length; i++) expect(main[i]?.prev_hash).toBe(main[i - 1]?.hash);
    const seal = main[2];
    expect(seal?.after).toEqual({ batch: members[0]?.batch_id, entries: batchSize, last: members.at(-1)?.hash });
    expect(seal?.id).toBeGreaterThan(members.at(-1)?.id ?? Number.POSITIVE_INFINITY);

    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, checked: rows.length, unchained: 0 });
  });

  it('chains an append below the threshold directly, with no seal', async () => {
    const database = getDb();
    const before = (await trail(database)).length;
    await recordAudit(database.db, actor, entries(batchThreshold - 1, 'small'));
    const added = (await trail(database)).slice(before);
    expect(added).toHaveLength(batchThreshold - 1);
    expect(added.every((r) => r.batch_id === null && r.action === 'system.create')).toBe(true);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('names an entry removed from the middle of a batch', async () => {
    const database = getDb();
    const members = (await trail(database)).filter((r) => r.batch_id !== null);
    const victim = members[40];
    await withoutEntry(database, victim?.id ?? 0, async () => {
      const report = await verifyAuditChain(database.db);
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toEqual({ id: members[41]?.id, reason: expect.stringContaining('in its batch') });
    });
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it("names a batch entry whose content was edited, and the seal when the batch's last entry is removed", async () => {
    const database = getDb();
    const members = (await trail(database)).filter((r) => r.batch_id !== null);
    const edited = members[7];
    await asReplica(database, sql`update audit_log set after = '{"name":"篡改","vcpu":7}'::jsonb where id = ${edited?.id}`);
    const report = await verifyAuditChain(database.db);
    expect(report.firstBroken).toEqual({ id: edited?.id, reason: expect.stringContaining('altered') });
    await asReplica(database, sql`update audit_log set after = ${JSON.stringify(edited?.after)}::jsonb where id = ${edited?.id}`);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);

    const seal = (await trail(database)).find((r) => r.action === batchSealAction);
    await withoutEntry(database, members.at(-1)?.id ?? 0, async () => {
      const truncated = await verifyAuditChain(database.db);
      expect(truncated.firstBroken).toEqual({ id: seal?.id, reason: expect.stringContaining('does not hold the entries it sealed') });
    });
  });

  it('names an entry added to a sealed batch, and a batch whose seal was removed', async () => {
    const database = getDb();
    const rows = await trail(database);
    const members = rows.filter((r) => r.batch_id !== null);
    const last = members.at(-1);
    // A copy of the batch's last entry, chained to it, appended at the end of the table.
    await database.db.execute(sql`insert into audit_log (at, actor, action, entity_kind, entity_code, result, after, prev_hash, hash, hash_alg, key_id, batch_id)
      select at, actor, action, entity_kind, entity_code || '-forged', result, after, hash, hash, hash_alg, key_id, batch_id
      from audit_log where id = ${last?.id}`);
    const [forged] = await queryRows<{ id: number }>(database, sql`select max(id)::int as id from audit_log`);
    const added = await verifyAuditChain(database.db);
    expect(added.firstBroken).toEqual({ id: forged?.id, reason: expect.stringContaining('in its batch') });
    await asReplica(database, sql`delete from audit_log where id = ${forged?.id}`);

    // The seal removed: the main chain breaks at the entry after it …
    const sealIndex = rows.findIndex((r) => r.action === batchSealAction);
    const seal = rows[sealIndex];
    const nextMain = rows.slice(sealIndex + 1).find((r) => r.batch_id === null);
    await withoutEntry(database, seal?.id ?? 0, async () => {
      expect((await verifyAuditChain(database.db)).firstBroken?.id).toBe(nextMain?.id);
      // … and when everything from the seal on is gone, the batch stands unsealed.
      const tail = rows.filter((r) => r.id > (seal?.id ?? 0)).map((r) => r.id);
      await asReplica(database, sql`delete from audit_log where id = any(${`{${tail.join(',')}}`}::bigint[])`);
      const unsealed = await verifyAuditChain(database.db);
      expect(unsealed.firstBroken).toEqual({ id: members[0]?.id, reason: expect.stringContaining('no entry seals') });
    });
  });
});
