import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import { insertRows } from '../db/bulk.ts';
import type { Db } from '../db/client.ts';
import { auditLog } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { yieldToEventLoop } from '../kernel/yielding.ts';
import { type ChainedContent, entryHash, isKeyed, keyedAlgorithm } from './chain.ts';
import { type AuditKey, currentAuditKey } from './key.ts';

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
 * From this many entries on, an append is written as a batch: hashed as a chain of its own
 * without the lock, then sealed by one entry of the main chain. An import of 40,000 rows
 * otherwise holds the lock, and every sign-in waiting on it, for seconds.
 */
export const batchThreshold = 100;
export const batchSealAction = 'audit.batch.sealed';

interface BatchSeal {
  batch: string;
  entries: number;
  last: string;
}

/**
 * Appends entries to the audit trail, each chained to the one before; call it with the
 * transaction that makes the change, so the change and its record commit together.
 */
export async function recordAudit(database: Db, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Inside the caller's transaction this is a savepoint, and the lock lasts to its commit;
  // called alone, it still reads the last hash and appends under one lock.
  await database.transaction(async (db) => {
    if (entries.length < batchThreshold) return appendChained(db, actor, entries);
    const seal = await appendBatch(db, actor, entries);
    await appendChained(db, actor, [{ action: batchSealAction, entityKind: 'audit_log', after: seal }]);
  });
}

/**
 * Entries of one long write appended as it goes (an import applied in parts), in the caller's
 * transaction: written exactly as one `recordAudit` of them all would be — a batch sealed by
 * one entry of the main chain, or chained directly when fewer than `batchThreshold` — without
 * holding them all. The chain's lock is taken only by `finish()`, at the end.
 */
export type AuditAppender = ReturnType<typeof auditAppender>;

export function auditAppender(db: Db, actor: Actor) {
  let waiting: AuditEntry[] = [];
  let batch: { id: string; entries: number; last: string } | null = null;
  return {
    async add(entries: AuditEntry[]): Promise<void> {
      if (batch) {
        batch.last = await insertHashed(db, actor, entries, batch.last, batch.id);
        batch.entries += entries.length;
        return;
      }
      waiting.push(...entries);
      if (waiting.length < batchThreshold) return;
      const id = randomUUID();
      batch = { id, entries: waiting.length, last: await insertHashed(db, actor, waiting, null, id) };
      waiting = [];
    },
    async finish(): Promise<void> {
      if (batch) {
        const seal: BatchSeal = { batch: batch.id, entries: batch.entries, last: batch.last };
        await appendChained(db, actor, [{ action: batchSealAction, entityKind: 'audit_log', after: seal }]);
      } else if (waiting.length > 0) await appendChained(db, actor, waiting);
    },
  };
}

/**
 * An entity code can come straight from a request path (a refused write is audited with the
 * path it named): PostgreSQL refuses NUL in text and an index row past ~2.7 KB, and either would
 * turn the refusal into a 500 with nothing audited. Keep what identifies it, bounded.
 */
function storableCode(code: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = code.replace(/[\u0000-\u001f\u007f]/g, '');
  return clean.length > entityCodeLimit ? `${clean.slice(0, entityCodeLimit)}…` : clean;
}

const entityCodeLimit = 200;

/** The main chain's last entry: batch entries hang off their seal, not off the chain. */
const mainChainEnd = and(isNotNull(auditLog.hash), isNull(auditLog.batchId));

async function appendChained(db: Db, actor: Actor, entries: AuditEntry[]): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${chainLock})`);
  const [last] = await db.select({ hash: auditLog.hash }).from(auditLog).where(mainChainEnd).orderBy(desc(auditLog.id)).limit(1);
  await insertHashed(db, actor, entries, last?.hash ?? null);
}

/**
 * Writes a batch's entries, each chained to the one before within the batch (the first to
 * none), and returns what its seal records. Takes no lock: nothing else appends to a batch.
 */
async function appendBatch(db: Db, actor: Actor, entries: AuditEntry[]): Promise<BatchSeal> {
  const batch = randomUUID();
  const last = await insertHashed(db, actor, entries, null, batch);
  return { batch, entries: entries.length, last };
}

/** Inserts `entries` chained from `prevHash`, in chunks; returns the last entry's hash. */
async function insertHashed(db: Db, actor: Actor, entries: AuditEntry[], prevHash: string | null, batchId?: string): Promise<string> {
  const key = currentAuditKey();
  const at = new Date();
  let hashOfPrevious = prevHash;
  for (let i = 0; i < entries.length; i += chunkSize) {
    // An import appends tens of thousands: other requests get their turn between chunks.
    if (i > 0) await yieldToEventLoop();
    const rows = entries.slice(i, i + chunkSize).map((e) => {
      const content: ChainedContent = {
        at,
        actor: actor.name,
        sourceIp: actor.sourceIp ?? null,
        action: e.action,
        entityKind: e.entityKind,
        entityCode: e.entityCode == null ? null : storableCode(e.entityCode),
        result: e.result ?? 'ok',
        before: e.before ?? null,
        after: e.after ?? null,
        requestId: actor.requestId ?? null,
        batchId: batchId ?? null,
      };
      const hash = entryHash(keyedAlgorithm, hashOfPrevious, content, key.secret);
      const row = { ...content, prevHash: hashOfPrevious, hash, hashAlg: keyedAlgorithm, keyId: key.id };
      hashOfPrevious = hash;
      return row;
    });
    await insertRows(db, auditLog, rows);
  }
  return hashOfPrevious as string;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** Entries written before the chain existed (no hash): reported, not judged. */
  unchained: number;
  firstBroken?: { id: number; reason: string };
}

/**
 * Walks the whole chain in id order and names the first entry that does not hold. Entries
 * hashed before the chain was keyed (plain `sm3`/`sha256`) may only come first, and a keyed
 * entry must follow them: it seals them, since its HMAC covers the last one's hash. So a chain
 * recomputed without the key fails here — with plain digests nothing is keyed or an unkeyed
 * entry sits inside the keyed segment, and with a guessed key no HMAC matches.
 *
 * A batch's entries form a chain of their own, interleaved by id with the main chain; its seal
 * (a main-chain entry after them) names how many there are and the last one's hash, so an
 * entry removed, altered or added anywhere in a batch breaks it as it would the main chain.
 */
export function verifyAuditChain(database: Db, key: AuditKey = currentAuditKey()): Promise<ChainReport> {
  // One snapshot: a batch's entries get their ids before they commit, so a walk of separate
  // reads could see a seal whose entries it had already paged past.
  return database.transaction((db) => walkChain(db, key), { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

interface OpenBatch {
  firstId: number;
  entries: number;
  last: string;
}

async function walkChain(db: Db, key: AuditKey): Promise<ChainReport> {
  let checked = 0;
  let unchained = 0;
  let prevHash: string | null = null;
  let keyedSeen = false;
  let lastId = 0;
  const batches = new Map<string, OpenBatch>();
  const broken = (id: number, reason: string): ChainReport => ({ ok: false, checked, unchained, firstBroken: { id, reason } });
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id)).limit(5000);
    if (rows.length === 0) break;
    for (const row of rows) {
      lastId = row.id;
      if (!row.hash || !row.hashAlg) {
        if (checked > 0) return broken(row.id, 'entry has no hash inside the chain');
        unchained++;
        continue;
      }
      const { id: _id, prevHash: storedPrev, hash, hashAlg, keyId, ...content } = row;
      if (row.batchId !== null) {
        // Batches exist only since the chain is keyed.
        if (!isKeyed(hashAlg) || keyId !== key.id) return broken(row.id, `a batch entry not keyed with the configured audit key ${key.id}`);
        const batch = batches.get(row.batchId);
        if (storedPrev !== (batch?.last ?? null)) {
          return broken(row.id, 'does not follow the entry before it in its batch (an entry was removed or reordered)');
        }
        if (entryHash(hashAlg, storedPrev, content, key.secret) !== hash)
          return broken(row.id, 'its content does not match its hash (the entry was altered)');
        batches.set(row.batchId, { firstId: batch?.firstId ?? row.id, entries: (batch?.entries ?? 0) + 1, last: hash });
        checked++;
        continue;
      }
      // The first chained entry has no predecessor: one that names a hash lost its predecessors.
      if (storedPrev !== prevHash) return broken(row.id, 'does not follow the entry before it (an entry was removed or reordered)');
      if (isKeyed(hashAlg)) {
        if (keyId !== key.id) return broken(row.id, `keyed with audit key ${keyId ?? '(none)'}, not the configured key ${key.id}`);
        keyedSeen = true;
      } else if (keyedSeen) {
        return broken(row.id, 'an unkeyed entry inside the keyed chain (the chain was recomputed without the audit key)');
      }
      if (entryHash(hashAlg, storedPrev, content, key.secret) !== hash) {
        return broken(row.id, 'its content does not match its hash (the entry was altered)');
      }
      if (row.action === batchSealAction && isKeyed(hashAlg)) {
        const seal = row.after as Partial<BatchSeal> | null;
        const batch = seal?.batch ? batches.get(seal.batch) : undefined;
        if (!batch || batch.entries !== seal?.entries || batch.last !== seal.last) {
          return broken(row.id, 'the batch it seals does not hold the entries it sealed (entries were removed or added)');
        }
        batches.delete(seal.batch as string);
      }
      prevHash = hash;
      checked++;
    }
  }
  const [unsealed] = [...batches.values()].sort((a, b) => a.firstId - b.firstId);
  if (unsealed) return broken(unsealed.firstId, 'a batch of entries that no entry seals (its seal was removed)');
  // Every start seals the unkeyed entries of old with a keyed one (sealUnkeyedChain).
  if (checked > 0 && !keyedSeen) {
    return broken(lastId, 'no entry is keyed: the chain was recomputed without the audit key, or never sealed');
  }
  return { ok: true, checked, unchained };
}

/**
 * Appends a keyed entry after entries hashed before the chain was keyed (a database migrated
 * to audit_keyed), so that they are covered by the key from then on. Nothing when the last
 * entry is already keyed or the trail is empty.
 */
export function sealUnkeyedChain(database: Db, actor: Actor): Promise<boolean> {
  return database.transaction(async (db) => {
    // Under the append lock, so that two replicas starting together seal once.
    await db.execute(sql`select pg_advisory_xact_lock(${chainLock})`);
    const [last] = await db.select({ hashAlg: auditLog.hashAlg }).from(auditLog).where(mainChainEnd).orderBy(desc(auditLog.id)).limit(1);
    if (!last?.hashAlg || isKeyed(last.hashAlg)) return false;
    const [counted] = await db.select({ n: count() }).from(auditLog);
    await appendChained(db, actor, [
      { action: 'audit.chain.keyed', entityKind: 'audit_log', after: { entriesBefore: counted?.n ?? 0, keyId: currentAuditKey().id } },
    ]);
    return true;
  });
}
