/**
 * The wall screen (大屏), issue 18 item 5: GET /api/v1/screen answers with the figures the
 * indicators API gives, the frozen series and the red/black list the leadership API gives; the
 * `screen` account reads that, the map layers and /console/screen, and nothing else; it holds no
 * second role and gets no write token.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { createUser } from '../../src/identity/users.ts';
import { threeHundred } from '../../src/indicators/definitions.ts';
import { addDays, businessDate } from '../../src/kernel/dates.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient } from '../helpers/api.ts';
import { type Cast, callerWith, createCast, type Session, signIn, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { actor } from '../helpers/leadership.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_BACKDATE_DAYS: 3650 };

interface Figure {
  key: string;
  numerator: number;
  denominator: number;
  percent: number | null;
}
interface ScreenAnswer {
  at: string;
  province: { scope: string; name: string };
  figures: (Figure & { trend: { month: string; percent: number | null }[] })[];
  cities: { adcode: string; name: string; percents: Record<string, number | null> }[];
  ranking: { month: string; cities: { red: { name: string }[]; black: { name: string }[] } } | null;
  alerts: { total: number; items: unknown[] };
  nodes_down: { total: number; items: unknown[] };
}

let counter = 0;
const uid = (prefix: string) => `SCR-${prefix}-${process.pid}-${++counter}`;

describeEachBackend('wall screen', (getDb) => {
  let app: App;
  let api: ApiClient;
  let cast: Cast;
  let screen: TestCaller;
  let session: Session;
  const home = uid('HOME');

  const screenOf = async (who: TestCaller | Session = screen): Promise<ScreenAnswer> => {
    const res = await api.as(who).get('/api/v1/screen');
    expect(res.status, res.text).toBe(200);
    return res.body as unknown as ScreenAnswer;
  };
  const indicatorsOf = async (scope: string, at: string): Promise<Figure[]> => {
    const res = await api.as(cast.callers.leader).get(`/api/v1/indicators?scope=${scope}&at=${at}`);
    expect(res.status, res.text).toBe(200);
    return (res.body as { indicators: Figure[] }).indicators;
  };
  const page = (path: string, who: Session = session) => app.request(path, { headers: { Cookie: who.cookie } });

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
    cast = await createCast(app, db, { code: home, name: '大屏测试局', region_code: '450100' });
    // Two certified systems, one on the cloud: the province's 上云率 is something other than 0/0.
    await upsertRecords(
      db,
      'systems',
      ['migrated', 'not_migrated'].map((state) => ({
        code: uid('S'),
        name: `大屏系统 ${state}`,
        department_code: home,
        classification: 'non_classified' as const,
        state: state as 'migrated' | 'not_migrated',
        state_at: state === 'migrated' ? addDays(businessDate(), -1) : null,
      })),
      actor,
    );
    screen = await callerWith(db, ['screen'], { scope: 'read' });
    session = await signIn(app, screen.name);
    expect(session.status).toBe(200);
  });

  it('shows the province’s three 100% figures as GET /api/v1/indicators gives them, and every city’s', async () => {
    const answer = await screenOf();
    expect(answer.province.scope).toBe('450000');
    const official = await indicatorsOf('450000', answer.at);
    expect(answer.figures.map((f) => f.key)).toEqual([...threeHundred]);
    for (const figure of answer.figures) {
      const expected = official.find((f) => f.key === figure.key);
      expect({ key: figure.key, numerator: figure.numerator, denominator: figure.denominator, percent: figure.percent }).toEqual({
        key: expected?.key,
        numerator: expected?.numerator,
        denominator: expected?.denominator,
        percent: expected?.percent,
      });
    }
    expect(answer.figures.find((f) => f.key === 'cloud_migration')?.denominator).toBeGreaterThanOrEqual(2);

    expect(answer.cities).toHaveLength(14);
    const nanning = answer.cities.find((c) => c.adcode === '450100');
    const nanningOfficial = await indicatorsOf('450100', answer.at);
    for (const key of threeHundred) expect(nanning?.percents[key]).toBe(nanningOfficial.find((f) => f.key === key)?.percent ?? null);
    expect(nanning?.percents.cloud_migration).not.toBeNull();
  });

  it('draws each trend from the frozen months and lists the latest frozen month’s red/black list', async () => {
    const month = addDays(businessDate(), -40).slice(0, 7);
    await freezeMonths(getDb().db, [month], { actor, concurrency: 2 });
    const answer = await screenOf();
    for (const figure of answer.figures) {
      const series = await api.as(cast.callers.leader).get(`/api/v1/snapshots/series?scope=450000&indicator=${figure.key}`);
      expect(series.status).toBe(200);
      const points = (series.body as { points: { month: string; percent: number | null }[] }).points;
      expect(figure.trend).toEqual(points.slice(-12).map((p) => ({ month: p.month, percent: p.percent })));
      expect(figure.trend.at(-1)?.month).toBe(month);
    }
    const ranking = await api.as(cast.callers.leader).get(`/api/v1/ranking?month=${month}`);
    expect(ranking.status).toBe(200);
    const cities = (ranking.body as { cities: { red: { name: string }[]; black: { name: string }[] } }).cities;
    expect(answer.ranking?.month).toBe(month);
    expect(answer.ranking?.cities.red.map((e) => e.name)).toEqual(cities.red.map((e) => e.name));
    expect(answer.ranking?.cities.black.map((e) => e.name)).toEqual(cities.black.map((e) => e.name));
  });

  it('lists firing critical alerts that nothing mutes, and only those', async () => {
    const { db } = getDb();
    const insert = (fingerprint: string, severity: string, state: string) =>
      db.execute(sql`insert into alerts (fingerprint, rule, severity, state, subject_kind, subject_code, subject_name, summary, started_at, last_changed_at)
                     values (${fingerprint}, 'node_down', ${severity}, ${state}, 'node', ${fingerprint}, ${`节点 ${fingerprint}`}, 'down', now(), now())`);
    const before = (await screenOf()).alerts.total;
    await insert(uid('A'), 'critical', 'firing');
    await insert(uid('A'), 'warning', 'firing');
    await insert(uid('A'), 'critical', 'acknowledged');
    const after = await screenOf();
    expect(after.alerts.total).toBe(before + 1);
    expect(after.alerts.items.length).toBeLessThanOrEqual(10);
  });

  it('lets the screen account read the screen and the map layers, and refuses it every other read', async () => {
    expect((await api.as(screen).get('/geo/guangxi-cities.json')).status).toBe(200);
    for (const path of [
      '/api/v1/systems',
      '/api/v1/work-orders',
      '/api/v1/alerts',
      '/api/v1/indicators?scope=450000',
      '/api/v1/snapshots',
      '/api/v1/network-nodes',
      '/api/v1/users',
    ]) {
      expect((await api.as(screen).get(path)).status, path).toBe(403);
    }
    // Who else reads it: the readers of every scope, not a department's operator, not anonymous.
    expect((await api.as(cast.callers.leader).get('/api/v1/screen')).status).toBe(200);
    expect((await api.as(cast.callers.department).get('/api/v1/screen')).status).toBe(403);
    expect((await api.as(cast.callers.auditor).get('/api/v1/screen')).status).toBe(403);
    expect((await api.get('/api/v1/screen')).status).toBe(401);
  });

  it('opens /console/screen for the screen account, sends it there from /console, and refuses every other page', async () => {
    const res = await page('/console/screen');
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const id of ['screen-figures', 'screen-map', 'screen-ranking', 'screen-alerts', 'screen-nodes', 'city-bars']) {
      expect(html, id).toContain(`id="${id}"`);
    }
    const landing = await page('/console');
    expect(landing.status).toBe(302);
    expect(landing.headers.get('location')).toBe('/console/screen');
    for (const path of [
      '/console/overview',
      '/console/map',
      '/console/alerts',
      '/console/ops',
      '/console/work-orders',
      '/console/review',
      '/console/reports',
      '/console/idle',
      '/console/workspace',
      '/console/interconnection',
      '/console/items?indicator=cloud_migration&scope=450000',
    ]) {
      expect((await page(path)).status, path).toBe(403);
    }
    // A leader opens it too, and still lands on his to-do list.
    const leader = await signIn(app, (await callerWith(getDb().db, ['leader'])).name);
    expect((await page('/console/screen', leader)).status).toBe(200);
    expect((await page('/console', leader)).status).toBe(200);
  });

  it('never gives the screen account a second role', async () => {
    const secadmin = cast.callers.secadmin;
    for (const other of ['leader', 'ops', 'auditor']) {
      const res = await api.as(secadmin).put(`/api/v1/users/${screen.name}/roles`, { roles: ['screen', other] });
      expect(res.status, res.text).toBe(422);
      expect(res.text).toContain('screen');
    }
    await expect(createUser(getDb().db, { name: uid('u'), roles: ['screen', 'reviewer'] }, actor)).rejects.toThrow(
      /screen may not be held/,
    );
    // The database refuses it too, whatever writes the row.
    await expect(getDb().db.execute(sql`update users set roles = array['screen', 'leader'] where name = ${screen.name}`)).rejects.toThrow();
  });

  it('gives the screen account read tokens only, and a read token writes nothing', async () => {
    const write = await api.as(session).post('/api/v1/tokens', { name: 'wall-write', scope: 'write', expires_in_days: 30 });
    expect(write.status, write.text).toBe(422);
    expect(write.text).toContain('scope');
    const read = await api.as(session).post('/api/v1/tokens', { name: 'wall', scope: 'read', expires_in_days: 30 });
    expect(read.status, read.text).toBe(201);
    const token = String(read.body.token);
    const withToken = { headers: { Authorization: `Bearer ${token}` } };
    expect((await api.as(withToken).get('/api/v1/screen')).status).toBe(200);
    const refused = await api.as(withToken).post('/api/v1/snapshots', { month: '2020-01' });
    expect(refused.status).toBe(403);
  });
});
