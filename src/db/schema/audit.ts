import { isNull } from 'drizzle-orm';
import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { generatedBigId, instant } from './columns.ts';

/** The audit trail: who changed what, when, before → after, in the writer's transaction. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: generatedBigId(),
    at: instant().notNull().defaultNow(),
    actor: text().notNull(),
    sourceIp: text(),
    action: text().notNull(),
    entityKind: text().notNull(),
    entityCode: text(),
    result: text().notNull().default('ok'),
    before: jsonb(),
    after: jsonb(),
    requestId: text(),
    /** The hash chain (tamper evidence): each entry hashes its content and its predecessor's hash. */
    prevHash: text(),
    hash: text(),
    hashAlg: text(),
    /** Which audit key an `hmac-…` entry was keyed with (a digest of the key, see src/audit/key.ts). */
    keyId: text(),
    /**
     * A large append (an import) is hashed as its own chain outside the chain's lock: its entries
     * name their batch, and one entry of the main chain seals it (see src/audit/service.ts).
     */
    batchId: text(),
  },
  (t) => [
    index('audit_log_entity_idx').on(t.entityKind, t.entityCode),
    index('audit_log_at_idx').on(t.at),
    // Finding the main chain's last entry must not walk back over a batch being written.
    index('audit_log_chain_idx').on(t.id).where(isNull(t.batchId)),
  ],
);
