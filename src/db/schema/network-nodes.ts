import { boolean, index, pgTable, real, text } from 'drizzle-orm/pg-core';
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
