import { asc, desc, gt, isNotNull, sql } from 'drizzle-orm';
import { insertRows } from '../db/bulk.ts';
import type { Db } from '../db/client.ts';
import { auditLog } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { type ChainedContent, chainAlgorithm, entryHash } from './chain.ts';

export interface AuditEntry {
  action: string;
  entityKind: string;
  entityCode?: string | null;
  before?: unknown;
  after?: unknown;
  result?: 'ok' | 'denied' | 'failed';
}

const chunkSize = 1000;
/** Serialises appends: each entry's hash needs its predecessor's, so appends take turns. */
const chainLock = 0x7977_6175; // "ywau"

/**
 * Appends entries to the audit trail, each chained to the one before; call it with the
 * transaction that makes the change, so the change and its record commit together.
 */
export async function recordAudit(database: Db, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Inside the caller's transaction this is a savepoint, and the lock lasts to its commit;
  // called alone, it still reads the last hash and appends under one lock.
  await database.transaction((db) => appendChained(db, actor, entries));
}

async function appendChained(db: Db, actor: Actor, entries: AuditEntry[]): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${chainLock})`);
  const [last] = await db
    .select({ hash: auditLog.hash })
    .from(auditLog)
    .where(isNotNull(auditLog.hash))
    .orderBy(desc(auditLog.id))
    .limit(1);
  let prevHash = last?.hash ?? null;
  const at = new Date();
  for (let i = 0; i < entries.length; i += chunkSize) {
    const rows = entries.slice(i, i + chunkSize).map((e) => {
      const content: ChainedContent = {
        at,
        actor: actor.name,
        sourceIp: actor.sourceIp ?? null,
        action: e.action,
        entityKind: e.entityKind,
        entityCode: e.entityCode ?? null,
        result: e.result ?? 'ok',
        before: e.before ?? null,
        after: e.after ?? null,
        requestId: actor.requestId ?? null,
      };
      const hash = entryHash(chainAlgorithm, prevHash, content);
      const row = { ...content, prevHash, hash, hashAlg: chainAlgorithm };
      prevHash = hash;
      return row;
    });
    await insertRows(db, auditLog, rows);
  }
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** Entries written before the chain existed (no hash): reported, not judged. */
  unchained: number;
  firstBroken?: { id: number; reason: string };
}

/** Walks the whole chain in id order and names the first entry that does not hold. */
export async function verifyAuditChain(db: Db): Promise<ChainReport> {
  let checked = 0;
  let unchained = 0;
  let prevHash: string | null = null;
  let afterId = 0;
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, afterId)).orderBy(asc(auditLog.id)).limit(5000);
    if (rows.length === 0) break;
    for (const row of rows) {
      afterId = row.id;
      if (!row.hash || !row.hashAlg) {
        if (checked > 0)
          return { ok: false, checked, unchained, firstBroken: { id: row.id, reason: 'entry has no hash inside the chain' } };
        unchained++;
        continue;
      }
      // The first chained entry has no predecessor: one that names a hash lost its predecessors.
      if (row.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          unchained,
          firstBroken: { id: row.id, reason: 'does not follow the entry before it (an entry was removed or reordered)' },
        };
      }
      const { id: _id, prevHash: storedPrev, hash, hashAlg, ...content } = row;
      const expected = entryHash(hashAlg, storedPrev, content);
      if (expected !== hash) {
        return {
          ok: false,
          checked,
          unchained,
          firstBroken: { id: row.id, reason: 'its content does not match its hash (the entry was altered)' },
        };
      }
      prevHash = hash;
      checked++;
    }
  }
  return { ok: true, checked, unchained };
}
