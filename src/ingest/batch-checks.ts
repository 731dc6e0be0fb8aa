import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { departments, interfaceServices, networkNodes } from '../db/schema/index.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import type { AuthenticatedAgent } from './agents.ts';
import type { IngestBatch, IngestItem, TenantItem } from './schemas.ts';

// What a batch must pass before anything of it is written; every problem is named by item index and field.

/** A sample dated further ahead than this is a clock fault, not a fact. */
const maxClockSkewMs = 5 * 60 * 1000;

/** An item of a batch with its place in it, so that an error can name the item. */
export interface Indexed<T> {
  index: number;
  item: T;
}

/** The first five problems, and how many more there are. */
export function describe(errors: FieldError[]): string {
  const shown = errors.slice(0, 5).map((e) => `item ${e.index} ${e.field} ${e.message}`);
  return `${shown.join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`;
}

/** The item kinds each agent kind may report; an alertmanager reports none (it posts alerts). */
const reportable: Record<AuthenticatedAgent['kind'], readonly IngestItem['kind'][]> = {
  network: ['node_sample'],
  cloud: ['tenant', 'workload_seen'],
  exchange: ['exchange_volume'],
  alertmanager: [],
};

/**
 * A network agent reports node samples only; a cloud agent only its own cloud's tenants and
 * workloads; an exchange agent daily exchange counts of any service; an alertmanager nothing.
 */
export function checkScope(agent: AuthenticatedAgent, batch: IngestBatch): void {
  const errors: FieldError[] = [];
  batch.items.forEach((item, index) => {
    if (agent.kind === 'alertmanager') {
      errors.push({ index, field: 'kind', message: 'an alertmanager agent reports alerts to POST /api/v1/alerts/alertmanager, not items' });
    } else if (!reportable[agent.kind].includes(item.kind)) {
      errors.push({ index, field: 'kind', message: `a ${agent.kind} agent may not report ${item.kind} items` });
    } else if ((item.kind === 'tenant' || item.kind === 'workload_seen') && item.cloud !== agent.cloudCode) {
      errors.push({ index, field: 'cloud', message: `agent ${agent.name} may report only cloud ${agent.cloudCode}, not ${item.cloud}` });
    }
  });
  if (errors.length > 0)
    throw new AppError('forbidden', `batch ${batch.seq} is outside agent ${agent.name}'s scope: ${describe(errors)}`, errors);
}

export function checkClock(batch: IngestBatch, now: Date): void {
  const limit = now.getTime() + maxClockSkewMs;
  const errors: FieldError[] = [];
  const today = businessDate(now);
  batch.items.forEach((item, index) => {
    if (item.kind === 'exchange_volume') {
      if (item.date > today) errors.push({ index, field: 'date', message: `${item.date} is after today (${today}, Asia/Shanghai)` });
    } else if (Date.parse(item.at) > limit)
      errors.push({ index, field: 'at', message: 'is more than 5 minutes in the future (check the agent clock)' });
  });
  if (errors.length > 0) throw new AppError('validation_failed', `batch ${batch.seq} refused: ${describe(errors)}`, errors);
}

type CodedTable = typeof networkNodes | typeof departments | typeof interfaceServices;

/** Ids of the codes the items name; each unknown code is an error at its item. */
export async function resolveCodes<T>(
  db: Db,
  field: string,
  items: Indexed<T>[],
  codeOf: (item: T) => string,
  table: CodedTable,
): Promise<{ ids: Map<string, number>; errors: FieldError[] }> {
  const ids = new Map<string, number>();
  const codes = [...new Set(items.map((i) => codeOf(i.item)))];
  if (codes.length > 0) {
    // One array parameter, not one per code: a 1,500-node round is one short statement.
    const rows = await db
      .select({ id: table.id, code: table.code })
      .from(table)
      .where(sql`${table.code} = any(${sql.param(codes)}::text[])`);
    for (const row of rows) ids.set(row.code, row.id);
  }
  const noun = field === 'node' ? 'network node' : field === 'service' ? 'interface service' : field;
  const errors = items
    .filter((i) => !ids.has(codeOf(i.item)))
    .map((i) => ({ index: i.index, field, message: `unknown ${noun} "${codeOf(i.item)}"` }));
  return { ids, errors };
}

export function duplicateTenants(tenants: Indexed<TenantItem>[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const { index, item } of tenants) {
    if (seen.has(item.external_id))
      errors.push({ index, field: 'external_id', message: `tenant ${item.external_id} appears twice in the batch` });
    seen.add(item.external_id);
  }
  return errors;
}
