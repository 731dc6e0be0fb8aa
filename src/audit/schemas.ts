import { z } from '@hono/zod-openapi';
import { paging } from '../http/schemas.ts';
import { isoDate } from '../registry/schemas.ts';

export const AuditQuery = z.object({
  from: isoDate.optional(),
  to: isoDate.optional(),
  actor: z.string().optional(),
  action: z.string().optional(),
  entity_kind: z.string().optional(),
  entity_code: z.string().optional(),
  ...paging,
});
/** A filter of the trail; without `limit`, the whole filtered trail (an export). */
export type AuditFilter = Omit<z.infer<typeof AuditQuery>, 'limit'> & { limit?: number };

export const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    source_ip: z.string().nullable(),
    action: z.string(),
    entity_kind: z.string(),
    entity_code: z.string().nullable(),
    result: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    request_id: z.string().nullable(),
    hash: z.string().nullable(),
    hash_alg: z.string().nullable(),
  })
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditVerdict = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  unchained: z.number().int(),
  firstBroken: z.object({ id: z.number().int(), reason: z.string() }).optional(),
});
