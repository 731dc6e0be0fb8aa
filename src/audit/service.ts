import type { Db } from '../db/client.ts';
import { auditLog } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';

export interface AuditEntry {
  action: string;
  entityKind: string;
  entityCode?: string | null;
  before?: unknown;
  after?: unknown;
  result?: 'ok' | 'denied' | 'failed';
}

const chunkSize = 1000;

/** Appends entries to the audit trail; call it with the transaction that makes the change. */
export async function recordAudit(db: Db, actor: Actor, entries: AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += chunkSize) {
    const rows = entries.slice(i, i + chunkSize).map((e) => ({
      actor: actor.name,
      sourceIp: actor.sourceIp ?? null,
      requestId: actor.requestId ?? null,
      action: e.action,
      entityKind: e.entityKind,
      entityCode: e.entityCode ?? null,
      result: e.result ?? 'ok',
      before: e.before ?? null,
      after: e.after ?? null,
    }));
    await db.insert(auditLog).values(rows);
  }
}
