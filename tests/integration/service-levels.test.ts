/**
 * Service levels over HTTP: the SLA policies, the working hours and the holiday calendar by
 * year, who may read and change them, their validation, their audit, and that a changed
 * policy moves the deadlines of orders opened afterwards.
 */
import { and, eq, gte } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { auditLog, calendarDays } from '../../src/db/schema/index.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { loadWorkCalendar, slaTermsFor } from '../../src/work-orders/service-levels.ts';
import { type ApiClient, apiClient, type Json } from '../helpers/api.ts';
import { type Cast, createCast } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
type FieldError = { field: string; message: string; row?: number; column?: string };

describeEachBackend('service levels API', (getDb) => {
  let app: App;
  let cast: Cast;
  let api: ApiClient;

  const fieldsOf = (body: Json) => ((body.errors as FieldError[] | undefined) ?? []).map((e) => e.field);
  const auditOf = async (action: string) => getDb().db.select().from(auditLog).where(eq(auditLog.action, action));

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    cast = await createCast(app, getDb().db, { code: `SLA-HOME-${process.pid}`, name: '服务级别测试部门', region_code: '450000' });
    api = apiClient(app);
  });

  it('lists the seeded policies to every reader', async () => {
    for (const caller of [cast.callers.ops, cast.callers.leader, cast.callers.department]) {
      const { status, body } = await api.as(caller).get('/api/v1/sla-policies');
      expect(status).toBe(200);
      const items = body.items as Json[];
      expect(items.map((p) => p.priority)).toEqual(['P1', 'P2', 'P3', 'P4']);
      expect(items[2]).toMatchObject({
        priority: 'P3',
        clock: 'working',
        response_minutes: 240,
        resolution_minutes: 1260,
        updated_by: 'migration',
      });
    }
  });

  it('lets ops change a policy, refuses department and leader, and names the bad field', async () => {
    const change = { items: [{ priority: 'P2', clock: 'calendar', response_minutes: 20, resolution_minutes: 360 }] };
    expect((await api.as(cast.callers.department).put('/api/v1/sla-policies', change)).status).toBe(403);
    expect((await api.as(cast.callers.leader).put('/api/v1/sla-policies', change)).status).toBe(403);

    const bad = await api.as(cast.callers.ops).put('/api/v1/sla-policies', {
      items: [
        { priority: 'P1', clock: 'calendar', response_minutes: 30, resolution_minutes: 20 },
        { priority: 'P3', clock: 'sometimes', response_minutes: 0, resolution_minutes: 100 },
      ],
    });
    expect(bad.status).toBe(422);
    expect(fieldsOf(bad.body)).toEqual(expect.arrayContaining(['items[1].clock', 'items[1].response_minutes']));
    const reversed = await api.as(cast.callers.ops).put('/api/v1/sla-policies', {
      items: [{ priority: 'P1', clock: 'calendar', response_minutes: 30, resolution_minutes: 20 }],
    });
    expect(reversed.status).toBe(422);
    expect(fieldsOf(reversed.body)).toEqual(['items[0].resolution_minutes']);
    const twice = await api.as(cast.callers.ops).put('/api/v1/sla-policies', {
      items: [change.items[0], change.items[0]],
    });
    expect(twice.status).toBe(422);
    expect(fieldsOf(twice.body)).toEqual(['items[1].priority']);
    const tooLong = await api.as(cast.callers.ops).put('/api/v1/sla-policies', {
      items: [{ priority: 'P4', clock: 'working', response_minutes: 60, resolution_minutes: 60 * 24 * 60 + 1 }],
    });
    expect(fieldsOf(tooLong.body)).toEqual(['items[0].resolution_minutes']);

    const ok = await api.as(cast.callers.ops).put('/api/v1/sla-policies', change);
    expect(ok.status).toBe(200);
    const p2 = (ok.body.items as Json[]).find((p) => p.priority === 'P2');
    expect(p2).toMatchObject({ response_minutes: 20, resolution_minutes: 360, updated_by: cast.callers.ops.name });
    // Only the given priority changed.
    expect((ok.body.items as Json[]).find((p) => p.priority === 'P1')).toMatchObject({ response_minutes: 15, resolution_minutes: 240 });
    const audit = await auditOf('sla_policy.update');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      entityCode: 'P2',
      actor: cast.callers.ops.name,
      after: { response_minutes: 20, resolution_minutes: 360 },
    });
    expect(audit[0]?.before).toMatchObject({ response_minutes: 30, resolution_minutes: 480 });
  });

  it('a new policy sets the deadlines of orders opened after it; terms already computed stay', async () => {
    const db = getDb().db;
    const opened = new Date('2026-09-30T07:00:00Z'); // 15:00 in Beijing, the eve of National Day
    const calendar = await loadWorkCalendar(db);
    const before = await slaTermsFor(db, 'P3', opened, calendar);
    expect(before.responseDueAt).toEqual(new Date('2026-10-08T10:30:00+08:00'));
    const put = await api.as(cast.callers.ops).put('/api/v1/sla-policies', {
      items: [{ priority: 'P3', clock: 'working', response_minutes: 120, resolution_minutes: 1260 }],
    });
    expect(put.status).toBe(200);
    const after = await slaTermsFor(db, 'P3', opened, calendar);
    // 150 min are left on 09-30 at 15:00: a 2-hour response now falls before the holiday.
    expect(after.responseSeconds).toBe(7200);
    expect(after.responseDueAt).toEqual(new Date('2026-09-30T17:00:00+08:00'));
    expect(before.responseDueAt).toEqual(new Date('2026-10-08T10:30:00+08:00'));
  });

  it('reads and sets the working hours, with validation', async () => {
    const got = await api.as(cast.callers.department).get('/api/v1/working-hours');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      timezone: 'Asia/Shanghai',
      periods: [
        { start: '09:00', end: '12:00' },
        { start: '13:30', end: '17:30' },
      ],
    });
    const hours = {
      timezone: 'Asia/Shanghai',
      periods: [
        { start: '08:30', end: '12:00' },
        { start: '14:00', end: '17:30' },
      ],
    };
    expect((await api.as(cast.callers.department).put('/api/v1/working-hours', hours)).status).toBe(403);
    const badZone = await api.as(cast.callers.ops).put('/api/v1/working-hours', { ...hours, timezone: 'Mars/Olympus' });
    expect(badZone.status).toBe(422);
    expect(fieldsOf(badZone.body)).toEqual(['timezone']);
    const overlapping = await api.as(cast.callers.ops).put('/api/v1/working-hours', {
      timezone: 'Asia/Shanghai',
      periods: [
        { start: '09:00', end: '12:00' },
        { start: '11:00', end: '17:00' },
        { start: '18:00', end: '25:00' },
      ],
    });
    expect(overlapping.status).toBe(422);
    expect(fieldsOf(overlapping.body)).toEqual(['periods[1].start', 'periods[2].end']);
    const none = await api.as(cast.callers.ops).put('/api/v1/working-hours', { timezone: 'Asia/Shanghai', periods: [] });
    expect(fieldsOf(none.body)).toEqual(['periods']);

    const ok = await api.as(cast.callers.ops).put('/api/v1/working-hours', hours);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ...hours, updated_by: cast.callers.ops.name });
    expect((await loadWorkCalendar(getDb().db)).periods).toEqual([
      { startMinute: 510, endMinute: 720 },
      { startMinute: 840, endMinute: 1050 },
    ]);
    expect(await auditOf('working_hours.update')).toHaveLength(1);
    // Back to the seeded hours for the other tests.
    const restored = await api.as(cast.callers.ops).put('/api/v1/working-hours', {
      timezone: 'Asia/Shanghai',
      periods: [
        { start: '09:00', end: '12:00' },
        { start: '13:30', end: '17:30' },
      ],
    });
    expect(restored.status).toBe(200);
  });

  it('returns the seeded 2026 days, and nothing for a year not yet published', async () => {
    const { status, body } = await api.as(cast.callers.leader).get('/api/v1/calendar/2026');
    expect(status).toBe(200);
    const days = body.days as Json[];
    expect(body.year).toBe(2026);
    expect(days.find((d) => d.day === '2026-10-10')).toMatchObject({ kind: 'workday', name: '国庆节调休' });
    expect(days.filter((d) => d.name === '国庆节' && d.kind === 'holiday')).toHaveLength(7);
    expect(String(days[0]?.source)).toContain('国务院办公厅关于2026年部分节假日安排的通知');
    expect(((await api.as(cast.callers.leader).get('/api/v1/calendar/2027')).body.days as Json[]).length).toBe(0);
    expect((await api.as(cast.callers.leader).get('/api/v1/calendar/1999')).status).toBe(422);
  });

  it('lets ops add 2027 by JSON, then replace it by CSV with Chinese headers', async () => {
    const json = {
      source: 'test notice 2027',
      days: [
        { day: '2027-01-01', kind: 'holiday', name: '元旦' },
        { day: '2027-02-06', kind: 'workday', name: '春节调休', source: 'row source' },
      ],
    };
    expect((await api.as(cast.callers.department).post('/api/v1/calendar/2027', json)).status).toBe(403);
    const byJson = await api.as(cast.callers.ops).post('/api/v1/calendar/2027', json);
    expect(byJson.status).toBe(200);
    expect(byJson.body).toMatchObject({
      year: 2027,
      removed: 0,
      days: [
        { day: '2027-01-01', kind: 'holiday', name: '元旦', source: 'test notice 2027' },
        { day: '2027-02-06', kind: 'workday', name: '春节调休', source: 'row source' },
      ],
    });

    const csv =
      '\uFEFF日期,类型,名称,来源\n2027-10-01,放假,国庆节,国办通知\n2027-10-02,放假,国庆节,国办通知\n2027-10-09,上班,国庆节调休,国办通知\n';
    const byCsv = await api.as(cast.callers.ops).post('/api/v1/calendar/2027', csv, { contentType: 'text/csv; charset=utf-8' });
    expect(byCsv.status).toBe(200);
    expect(byCsv.body.removed).toBe(2);
    expect((byCsv.body.days as Json[]).map((d) => [d.day, d.kind])).toEqual([
      ['2027-10-01', 'holiday'],
      ['2027-10-02', 'holiday'],
      ['2027-10-09', 'workday'],
    ]);
    const calendar = await loadWorkCalendar(getDb().db);
    expect(calendar.days.get('2027-10-09')).toBe('workday');
    expect(calendar.days.has('2027-01-01')).toBe(false);

    const english = 'day,kind,name\n2027-01-01,holiday,New Year\n';
    expect((await api.as(cast.callers.ops).post('/api/v1/calendar/2027', english, { contentType: 'text/csv' })).status).toBe(200);

    const audit = await auditOf('calendar.replace_year');
    expect(audit).toHaveLength(3);
    expect(audit[1]).toMatchObject({ entityCode: '2027', before: { days: 2 }, after: { days: 3, holidays: 2, workdays: 1 } });
    // 2026 untouched.
    const kept = await getDb().db.select().from(calendarDays).where(gte(calendarDays.day, '2026-01-01'));
    expect(kept.filter((d) => d.day.startsWith('2026-')).length).toBeGreaterThan(30);
  });

  it('refuses a bad row naming its row and column, and writes nothing', async () => {
    const before = (await api.as(cast.callers.ops).get('/api/v1/calendar/2027')).body.days;
    const csv = '日期,类型,名称\n2027-05-01,放假,劳动节\n2028-05-02,放假,劳动节\n2027-05-03,休息,劳动节\n';
    const bad = await api.as(cast.callers.ops).post('/api/v1/calendar/2027', csv, { contentType: 'text/csv' });
    expect(bad.status).toBe(422);
    const errors = bad.body.errors as FieldError[];
    expect(errors).toEqual([
      expect.objectContaining({ field: 'day', row: 3, column: '日期' }),
      expect.objectContaining({ field: 'kind', row: 4, column: '类型' }),
    ]);
    const badJson = await api.as(cast.callers.ops).post('/api/v1/calendar/2027', {
      days: [
        { day: '2027-02-30', kind: 'holiday', name: 'x' },
        { day: '2027-03-01', kind: 'off', name: 'y' },
      ],
    });
    expect(badJson.status).toBe(422);
    expect(fieldsOf(badJson.body)).toEqual(['days[1].kind']);
    const badDate = await api.as(cast.callers.ops).post('/api/v1/calendar/2027', {
      days: [{ day: '2027-02-30', kind: 'holiday', name: 'x' }],
    });
    expect(fieldsOf(badDate.body)).toEqual(['days[0].day']);
    const missingColumn = await api
      .as(cast.callers.ops)
      .post('/api/v1/calendar/2027', '日期,名称\n2027-05-01,劳动节\n', { contentType: 'text/csv' });
    expect(missingColumn.status).toBe(422);
    expect(fieldsOf(missingColumn.body)).toEqual(['kind']);
    expect((await api.as(cast.callers.ops).get('/api/v1/calendar/2027')).body.days).toEqual(before);
    expect(await auditOf('calendar.replace_year')).toHaveLength(3);
    expect((await api.as(cast.callers.ops).post('/api/v1/calendar/2027', 'x', { contentType: 'text/plain' })).status).toBe(415);
  });

  it('refuses a body over 64 KB with 413 and more than 400 rows with 422', async () => {
    const big = `日期,类型,名称\n${'2027-05-01,放假,劳动节\n'.repeat(3000)}`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    const tooLarge = await api.as(cast.callers.ops).post('/api/v1/calendar/2027', big, { contentType: 'text/csv' });
    expect(tooLarge.status).toBe(413);
    const manyRows = `日期,类型,名称\n${'2027-05-01,放假,x\n'.repeat(401)}`;
    const tooMany = await api.as(cast.callers.ops).post('/api/v1/calendar/2027', manyRows, { contentType: 'text/csv' });
    expect(tooMany.status).toBe(422);
    expect((tooMany.body.errors as FieldError[])[0]).toMatchObject({ field: 'file', row: 402 });
    const rows = await getDb()
      .db.select()
      .from(calendarDays)
      .where(and(gte(calendarDays.day, '2027-01-01')));
    expect(rows.map((r) => r.day)).toEqual(['2027-01-01']);
  });
});
