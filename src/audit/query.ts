import { and, asc, count, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditLog } from '../db/schema/index.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import type { AuditEntry, AuditFilter } from './schemas.ts';
import { recordAudit, verifyAuditChain } from './service.ts';

const conditions = (f: AuditFilter): SQL | undefined =>
  and(
    f.from ? gte(auditLog.at, new Date(`${f.from}T00:00:00+08:00`)) : undefined,
    // `to` is a whole business day, inclusive.
    f.to ? lt(auditLog.at, new Date(new Date(`${f.to}T00:00:00+08:00`).getTime() + 86_400_000)) : undefined,
    f.actor ? eq(auditLog.actor, f.actor) : undefined,
    f.action ? eq(auditLog.action, f.action) : undefined,
    f.entity_kind ? eq(auditLog.entityKind, f.entity_kind) : undefined,
    f.entity_code ? eq(auditLog.entityCode, f.entity_code) : undefined,
  );

/** The auditor reads the trail; reading it for an export is itself recorded. */
export async function listAuditEntries(db: Db, filter: AuditFilter, actor: Actor, purpose: 'view' | 'export' = 'view') {
  assertCan(actor.access, 'read', 'audit');
  const where = conditions(filter);
  const [counted] = await db.select({ n: count() }).from(auditLog).where(where);
  const query = db.select().from(auditLog).where(where).orderBy(asc(auditLog.id)).$dynamic();
  const rows = await (filter.limit === undefined ? query : query.limit(filter.limit).offset(filter.offset));
  if (purpose === 'export') {
    await recordAudit(db, actor, [{ action: 'audit.export', entityKind: 'audit_log', after: { ...filter, rows: rows.length } }]);
  }
  const items: AuditEntry[] = rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    source_ip: r.sourceIp,
    action: r.action,
    entity_kind: r.entityKind,
    entity_code: r.entityCode,
    result: r.result,
    before: r.before,
    after: r.after,
    request_id: r.requestId,
    hash: r.hash,
    hash_alg: r.hashAlg,
  }));
  return { items, total: counted?.n ?? 0 };
}

export async function verifyAuditTrail(db: Db, actor: Actor) {
  assertCan(actor.access, 'read', 'audit');
  return verifyAuditChain(db);
}
