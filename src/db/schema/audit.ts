import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The audit trail: who changed what, when, before → after, in the writer's transaction. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
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
  },
  (t) => [index('audit_log_entity_idx').on(t.entityKind, t.entityCode), index('audit_log_at_idx').on(t.at)],
);
