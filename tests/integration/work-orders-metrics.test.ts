/** /metrics exports the work orders by state and priority and the SLA breaches, read from the database. */
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { workOrderPriorities, workOrderStates } from '../../src/db/schema/enums.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { apiClient } from '../helpers/api.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { PROMTOOL, parseExposition, promtoolCheck, requireProgram, select, sum } from '../helpers/exposition.ts';
import { insertWorkOrder } from '../helpers/work-orders.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
const noPromtool = requireProgram(PROMTOOL, 'apt-get install -y prometheus');
const opened = new Date('2026-11-02T01:00:00Z');

describeEachBackend('work order metrics', (getDb) => {
  let app: App;

  beforeAll(async () => {
    const db = getDb().db;
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    await insertWorkOrder(db, { createdAt: opened, priority: 'P1', state: 'new' });
    await insertWorkOrder(db, { createdAt: opened, priority: 'P1', state: 'new', breachedAt: opened, slaState: 'breached' });
    await insertWorkOrder(db, { createdAt: opened, priority: 'P3', state: 'accepted', acceptedAt: opened });
    await insertWorkOrder(db, { createdAt: opened, priority: 'P3', state: 'closed', breachedAt: opened, slaState: 'breached' });
  });

  const scrape = async () => {
    const { status, text } = await apiClient(app).get('/metrics');
    expect(status, text).toBe(200);
    return { text, series: parseExposition(text) };
  };

  it('exports every state × priority, zeros included, and the breaches by priority', async () => {
    const { series } = await scrape();
    const value = (name: string, labels: Record<string, string>) => select(series, name, labels).map((s) => s.value);
    expect(select(series, 'yunwang_work_orders')).toHaveLength(workOrderStates.length * workOrderPriorities.length);
    expect(sum(select(series, 'yunwang_work_orders'))).toBe(4);
    expect(value('yunwang_work_orders', { state: 'new', priority: 'P1' })).toEqual([2]);
    expect(value('yunwang_work_orders', { state: 'accepted', priority: 'P3' })).toEqual([1]);
    expect(value('yunwang_work_orders', { state: 'suspended', priority: 'P4' })).toEqual([0]);
    expect(select(series, 'yunwang_work_order_sla_breaches_total')).toHaveLength(workOrderPriorities.length);
    expect(value('yunwang_work_order_sla_breaches_total', { priority: 'P1' })).toEqual([1]);
    expect(value('yunwang_work_order_sla_breaches_total', { priority: 'P3' })).toEqual([1]);
    expect(value('yunwang_work_order_sla_breaches_total', { priority: 'P2' })).toEqual([0]);
  });

  it.skipIf(noPromtool)(`passes promtool check metrics without a warning${noPromtool ? ` — skipped: ${noPromtool}` : ''}`, async () => {
    const check = promtoolCheck((await scrape()).text);
    expect(check?.output).toBe('');
    expect(check?.status).toBe(0);
  });
});
