import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { extranet } from '../db/schema/index.ts';
import { assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { isoDate, name, securityLevel } from './fields.ts';

// 电子政务外网: the extranet's own 等保 protection, beside the clouds' and the systems'. One
// record, written only here.

export const ExtranetInput = z
  .object({
    name,
    security_level: securityLevel.nullable().openapi({ description: '等保 level 1–4' }),
    filing_number: z.string().trim().max(100).nullable().openapi({ description: '等保备案 number' }),
    assessed_on: isoDate.nullable().openapi({ description: 'Business date of the last 等保 assessment (测评)' }),
  })
  .openapi('ExtranetInput');
export type ExtranetInput = z.infer<typeof ExtranetInput>;

export const Extranet = ExtranetInput.extend({ updated_at: z.string().nullable() }).openapi('Extranet');
export type ExtranetView = z.infer<typeof Extranet>;

/** Before ops record anything: the extranet by its name, its protection not yet known. */
const unrecorded: ExtranetView = { name: '电子政务外网', security_level: null, filing_number: null, assessed_on: null, updated_at: null };

async function loadExtranet(db: Db): Promise<ExtranetView> {
  const [row] = await db.select().from(extranet).where(eq(extranet.id, 1));
  if (!row) return unrecorded;
  return {
    name: row.name,
    security_level: row.securityLevel,
    filing_number: row.filingNumber,
    assessed_on: row.assessedOn,
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function readExtranet(db: Db, actor: Actor): Promise<ExtranetView> {
  assertCan(actor.access, 'read', 'network-nodes');
  return loadExtranet(db);
}

/** Records the extranet's protection as a whole; an assessment dated after today is refused. */
export async function updateExtranet(database: Db, input: ExtranetInput, actor: Actor): Promise<ExtranetView> {
  assertCan(actor.access, 'write', 'network-nodes');
  const today = businessDate();
  if (input.assessed_on && input.assessed_on > today) {
    throw new AppError('validation_failed', `assessed_on ${input.assessed_on} is in the future`, [
      { field: 'assessed_on', message: `${input.assessed_on} is in the future (today is ${today})` },
    ]);
  }
  return database.transaction(async (db) => {
    const { updated_at: _u, ...before } = await loadExtranet(db);
    const values = {
      name: input.name,
      securityLevel: input.security_level,
      filingNumber: input.filing_number,
      assessedOn: input.assessed_on,
    };
    await db
      .insert(extranet)
      .values({ id: 1, ...values })
      .onConflictDoUpdate({ target: extranet.id, set: { ...values, updatedAt: new Date() } });
    await recordAudit(db, actor, [{ action: 'extranet.update', entityKind: 'extranet', entityCode: 'extranet', before, after: input }]);
    return loadExtranet(db);
  });
}
