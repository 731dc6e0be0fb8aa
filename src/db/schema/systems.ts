import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { clouds } from './clouds.ts';
import { calendarDate, enumChecks, instant } from './columns.ts';
import { certifiedRecordColumns, reviewQueueIndex } from './department-records.ts';
import { drSiteKinds, systemStates } from './enums.ts';

/** 信息系统. `state`/`stateAt` mirror the latest transition; history lives in `transitions`. */
export const systems = pgTable(
  'systems',
  {
    ...certifiedRecordColumns('systems', systemStates, 'not_migrated'),
    cloudId: integer().references(() => clouds.id),
    tenant: text(),
    evidence: text(),
    /** Set when a cloud agent saw the system's workload in the named tenant (claimed → verified). */
    verifiedAt: instant(),
    /** The last time a cloud agent saw any workload of the system (evidence of use; idle systems lack it). */
    lastSeenAt: instant(),
    /** 等保: protection level 1–4, its filing (备案) number and the last assessment (测评). */
    securityLevel: integer(),
    filingNumber: text(),
    assessedOn: calendarDate(),
    /** Disaster recovery (灾备): where the copy runs, on which cloud, and the recovery targets. */
    drSite: text({ enum: drSiteKinds }),
    drCloudId: integer().references(() => clouds.id),
    rtoMinutes: integer(),
    rpoMinutes: integer(),
  },
  (t) => [
    ...enumChecks(t.classification, t.state, t.drSite),
    check('systems_security_level_check', sql`${t.securityLevel} is null or ${t.securityLevel} between 1 and 4`),
    check('systems_recovery_targets_check', sql`coalesce(${t.rtoMinutes}, 0) >= 0 and coalesce(${t.rpoMinutes}, 0) >= 0`),
    index('systems_department_id_idx').on(t.departmentId),
    reviewQueueIndex('systems', t),
  ],
);
