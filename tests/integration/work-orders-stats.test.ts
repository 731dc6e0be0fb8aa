/**
 * GET /api/v1/work-orders/stats against a hand-computed fixture: seven orders of November 2026
 * (Asia/Shanghai) with known acceptance and resolution times, one just outside the month.
 */
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { rootAccess } from '../../src/identity/access.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { workOrderStats } from '../../src/work-orders/stats.ts';
import { apiClient } from '../helpers/api.ts';
import { type Cast, createCast } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { insertWorkOrder } from '../helpers/work-orders.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
const minute = 60_000;
const hour = 60 * minute;
const at = (iso: string) => new Date(iso);
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

describeEachBackend('work order statistics', (getDb) => {
  let app: App;
  let cast: Cast;
  const home = `WOST${process.pid}`;
  const deptA = `WOSTA${process.pid}`;
  const deptB = `WOSTB${process.pid}`;

  beforeAll(async () => {
    const db = getDb().db;
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    cast = await createCast(app, db, { code: home, name: '统计测试局', region_code: '450100' });
    for (const [code, name, parent] of [
      [deptA, '甲处', home],
      [deptB, '乙局', undefined],
    ] as const) {
      const created = await apiClient(app, cast.callers.sysadmin).post('/api/v1/departments', {
        code,
        name,
        region_code: '450100',
        kind: 'government',
        parent_code: parent,
      });
      expect(created.status, created.text).toBe(201);
    }
    // P2: 30 min to accept, 8 h to resolve, around the clock.
    const d2 = at('2026-11-02T01:00:00Z');
    const d3 = at('2026-11-03T01:00:00Z');
    const d4 = at('2026-11-04T01:00:00Z');
    const d5 = at('2026-11-05T01:00:00Z');
    const d6 = at('2026-11-06T01:00:00Z');
    const d7 = at('2026-11-07T01:00:00Z');
    const orders = [
      // met: accepted after 10 min, resolved after 2 h.
      {
        createdAt: d2,
        category: 'fault',
        state: 'closed',
        assignee: deptA,
        acceptedAt: plus(d2, 10 * minute),
        resolvedAt: plus(d2, 2 * hour),
        closedAt: plus(d2, 3 * hour),
      },
      // breached: resolved after 10 h.
      {
        createdAt: d3,
        category: 'fault',
        state: 'resolved',
        assignee: deptA,
        acceptedAt: plus(d3, 20 * minute),
        resolvedAt: plus(d3, 10 * hour),
      },
      // breached: accepted after 40 min; reported by the home department.
      {
        createdAt: d4,
        category: 'change',
        state: 'resolved',
        assignee: deptB,
        reporterDepartment: home,
        acceptedAt: plus(d4, 40 * minute),
        resolvedAt: plus(d4, 3 * hour),
      },
      // open, in time.
      { createdAt: d5, category: 'request', state: 'accepted', assignee: deptB, acceptedAt: plus(d5, 5 * minute) },
      // open, breached (the watch saw it).
      { createdAt: d6, category: 'rectification', state: 'new', assignee: deptA, slaState: 'breached', breachedAt: plus(d6, 31 * minute) },
      // cancelled in time: neither met nor breached.
      { createdAt: d7, category: 'fault', state: 'cancelled', assignee: deptB, cancelledAt: plus(d7, 5 * minute) },
      // 1 November 00:00 in Shanghai: in the month; no region, no assignee.
      { createdAt: at('2026-10-31T16:00:00Z'), category: 'request', state: 'new', region: null },
      // 31 October 23:59 in Shanghai: not in the month.
      { createdAt: at('2026-10-31T15:59:00Z'), category: 'fault', state: 'new', assignee: deptA },
    ] as const;
    for (const o of orders) await insertWorkOrder(db, { priority: 'P2', ...o });
  });

  const get = (query: string, who: 'leader' | 'ops' | 'department' = 'leader') =>
    apiClient(app, cast.callers[who]).get(`/api/v1/work-orders/stats?${query}`);

  it('counts, mean times and compliance match the hand computation', async () => {
    const { status, body } = await get('from=2026-11-01&to=2026-12-01');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({
      from: '2026-11-01',
      to: '2026-12-01',
      scope: null,
      total: 7,
      by_category: { fault: 3, change: 1, request: 2, rectification: 1 },
      by_state: { new: 2, accepted: 1, suspended: 0, transferred: 0, resolved: 2, closed: 1, cancelled: 1 },
      // (600 + 1200 + 2400 + 300) / 4 and (7200 + 36000 + 10800) / 3
      mean_time_to_acknowledge_seconds: 1125,
      mean_time_to_resolve_seconds: 18000,
      sla: { met: 1, breached: 3, open: 2, compliance_percent: 25 },
      by_department: [
        {
          department: { code: deptA, name: '甲处' },
          total: 3,
          resolved: 2,
          breached: 2,
          compliance_percent: 33.3,
          mean_time_to_resolve_seconds: 21600,
        },
        {
          department: { code: deptB, name: '乙局' },
          total: 3,
          resolved: 1,
          breached: 1,
          compliance_percent: 0,
          mean_time_to_resolve_seconds: 10800,
        },
      ],
    });
  });

  it('scopes by department and by region', async () => {
    const b = await get(`from=2026-11-01&to=2026-12-01&scope=dept:${deptB}`, 'ops');
    expect(b.body).toMatchObject({ scope: `dept:${deptB}`, total: 3, sla: { met: 0, breached: 1, open: 1, compliance_percent: 0 } });
    const region = await get('from=2026-11-01&to=2026-12-01&scope=450100');
    expect(region.body.total).toBe(6);
    const unknown = await get('scope=dept:NOPE');
    expect(unknown.status).toBe(422);
  });

  it('a department user sees only the orders assigned to or reported by its department subtree', async () => {
    const { status, body } = await get('from=2026-11-01&to=2026-12-01', 'department');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      total: 4,
      by_category: { fault: 2, change: 1, request: 0, rectification: 1 },
      sla: { met: 1, breached: 3, open: 0, compliance_percent: 25 },
      by_department: [
        { department: { code: deptA, name: '甲处' }, total: 3 },
        { department: { code: deptB, name: '乙局' }, total: 1, breached: 1, compliance_percent: 0, mean_time_to_resolve_seconds: 10800 },
      ],
    });
  });

  it('defaults to the current month in Asia/Shanghai and bounds the period', async () => {
    const db = getDb().db;
    expect(await workOrderStats(db, rootAccess, {}, at('2026-11-15T00:00:00Z'))).toMatchObject({
      from: '2026-11-01',
      to: '2026-12-01',
      total: 7,
    });
    // 1 December 00:30 in Shanghai is still 30 November in UTC.
    expect(await workOrderStats(db, rootAccess, {}, at('2026-11-30T16:30:00Z'))).toMatchObject({
      from: '2026-12-01',
      to: '2027-01-01',
      total: 0,
    });
    expect(await workOrderStats(db, rootAccess, { from: '2026-11-01' }, at('2026-01-01T00:00:00Z'))).toMatchObject({ to: '2026-12-01' });
    expect((await get('from=2026-11-01&to=2026-11-01')).status).toBe(422);
    const long = await get('from=2025-01-01&to=2026-01-03');
    expect(long.status).toBe(422);
    expect(JSON.stringify(long.body)).toContain('to');
    expect((await get('from=2026-02-30')).status).toBe(422);
    expect((await get('from=2025-01-01&to=2026-01-02')).status).toBe(200);
  });
});
