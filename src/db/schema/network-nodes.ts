import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, real, text } from 'drizzle-orm/pg-core';
import { calendarDate, enumChecks, instant, recordColumns, requiredCode } from './columns.ts';
import { nodeLiveStates, nodeTiers } from './enums.ts';
import { regions } from './regions.ts';

/** 电子政务外网节点: a backbone or metro (horizontal) node of the e-government extranet. */
export const networkNodes = pgTable(
  'network_nodes',
  {
    ...recordColumns('network_nodes'),
    regionCode: requiredCode(() => regions.code),
    tier: text({ enum: nodeTiers }).notNull(),
    probeAddress: text(),
    commissioned: boolean().notNull().default(false),
    commissionedAt: calendarDate(),
    liveState: text({ enum: nodeLiveStates }).notNull().default('unknown'),
    latencyMs: real(),
    loss: real(),
    lastSampleAt: instant(),
    /** Last sample + 3 × the reporting agent's declared interval: past it the node is `unknown`. */
    liveUntil: instant(),
  },
  (t) => [...enumChecks(t.tier, t.liveState), index('network_nodes_region_code_idx').on(t.regionCode)],
);

/**
 * 电子政务外网: the one extranet the nodes make up, and its 等保 protection — level, filing
 * (备案) number, last assessment (测评). A single row (id 1), written by ops.
 */
export const extranet = pgTable(
  'extranet',
  {
    id: integer().primaryKey().default(1),
    name: text().notNull(),
    securityLevel: integer(),
    filingNumber: text(),
    assessedOn: calendarDate(),
    updatedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    check('extranet_single_row_check', sql`${t.id} = 1`),
    check('extranet_security_level_check', sql`${t.securityLevel} is null or ${t.securityLevel} between 1 and 4`),
  ],
);
