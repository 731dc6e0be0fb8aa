import { sql } from 'drizzle-orm';
import { boolean, check, date, index, pgTable, real, text, timestamp } from 'drizzle-orm/pg-core';
import { entityColumns } from './columns.ts';
import { type NodeLiveState, type NodeTier, nodeLiveStates, nodeTiers, sqlList } from './enums.ts';
import { regions } from './regions.ts';

/** 电子政务外网节点: a backbone or metro (horizontal) node of the e-government extranet. */
export const networkNodes = pgTable(
  'network_nodes',
  {
    ...entityColumns,
    code: text().notNull().unique('network_nodes_code_key'),
    name: text().notNull(),
    regionCode: text()
      .notNull()
      .references(() => regions.code),
    tier: text().$type<NodeTier>().notNull(),
    probeAddress: text(),
    commissioned: boolean().notNull().default(false),
    commissionedAt: date({ mode: 'string' }),
    liveState: text().$type<NodeLiveState>().notNull().default('unknown'),
    latencyMs: real(),
    loss: real(),
    lastSampleAt: timestamp({ withTimezone: true, mode: 'date' }),
    /** Last sample + 3 × the reporting agent's declared interval: past it the node is `unknown`. */
    liveUntil: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('network_nodes_tier_check', sql`${t.tier} in (${sql.raw(sqlList(nodeTiers))})`),
    check('network_nodes_live_state_check', sql`${t.liveState} in (${sql.raw(sqlList(nodeLiveStates))})`),
    index('network_nodes_region_code_idx').on(t.regionCode),
  ],
);
