/**
 * The indicators API over HTTP (`app.request`, no port): figures for a hand-built dataset,
 * scopes, as-of dates, the figure cache expiring on writes, drill-down pages and CSV, the
 * problem+json errors, the OpenAPI document and docs page, probes and body limits.
 *
 * Every API request is made as a caller whose roles allow it (tests/helpers/auth.ts): the
 * system administrator creates departments, a department user bound to the home department
 * they sit under creates systems, private networks and service items, operations creates
 * network nodes, the reviewer certifies classifications (认定), and the leader reads.
 */
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { indicatorKeys } from '../../src/indicators/definitions.ts';
import { businessDate } from '../../src/kernel/dates.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { type Answer, type ApiClient, apiClient, type Json } from '../helpers/api.ts';
import { type Cast, createCast } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
}

interface Indicator {
  key: string;
  name: string;
  name_en: string;
  numerator: number;
  denominator: number;
  ratio: number | null;
  percent: number | null;
  pending: number;
  breakdown?: { by_system_type: Record<string, Json>; by_level: Record<string, Json> };
}

interface Report {
  scope: string;
  scope_name: string;
  scope_kind: 'region' | 'department';
  self: boolean;
  at: string;
  indicators: Indicator[];
}

interface ItemsPage {
  key: string;
  scope: string;
  at: string;
  missing: boolean;
  total: number;
  limit: number | null;
  offset: number;
  columns: string[];
  items: Json[];
}

// Transitions here are dated in 2020 to move the figures of that date; the back-dating window
// (YUNWANG_BACKDATE_DAYS) is tested in exposure-hardening.test.ts.
const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_BACKDATE_DAYS: 3650 };

let counter = 0;
/** A code no other test in this file uses. */
const uid = (prefix: string) => `AI-${prefix}-${++counter}`;

/** [numerator, denominator, percent, pending] of one figure, for compact expectations. */
const counts = (f: Indicator | undefined) => (f ? [f.numerator, f.denominator, f.percent, f.pending] : undefined);

describeEachBackend('indicators API', (getDb) => {
  let app: App;
  let cast: Cast;
  /** Sends each request as a caller whose roles allow it. */
  let api: ApiClient;
  const problem = (a: Answer) => a.body as unknown as Problem;
  const fields = (a: Answer) => (problem(a).errors ?? []).map((e) => e.field);

  const created = async (path: string, body: Json): Promise<string> => {
    const a = await api.post(path, body);
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    return String(a.body.code);
  };
  /**
   * A system or private network of a classification: created by the department user (待认定
   * pending) and certified by the reviewer (认定) as of 2019-01-01, before every date the
   * figures below are asked for.
   */
  const classified = async (path: '/api/v1/systems' | '/api/v1/private-networks', body: Json): Promise<string> => {
    const { classification, ...rest } = body;
    const code = await created(path, rest);
    if (classification !== undefined && classification !== 'pending') {
      const a = await api.post(`${path}/${code}/certifications`, { classification, evidence: '测试认定', certified_at: '2019-01-01' });
      expect(a.status, JSON.stringify(a.body)).toBe(201);
    }
    return code;
  };

  const report = async (query: string): Promise<Report> => {
    const a = await api.get(`/api/v1/indicators?${query}`);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.type).toContain('application/json');
    return a.body as unknown as Report;
  };
  const indicator = (r: Report, key: string) => r.indicators.find((i) => i.key === key);
  const items = async (key: string, query: string): Promise<ItemsPage> => {
    const a = await api.get(`/api/v1/indicators/${key}/items?${query}`);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    return a.body as unknown as ItemsPage;
  };
  const expectProblem = (a: Answer, status: number, code?: string) => {
    expect(a.status, JSON.stringify(a.body)).toBe(status);
    expect(a.type).toContain('application/problem+json');
    expect(problem(a).status).toBe(status);
    expect(problem(a).requestId).toEqual(expect.any(String));
    expect(problem(a).code).toEqual(code ?? expect.any(String));
  };

  /** Divisions under 桂林市 (450300) of one level, counted from the seeded table. */
  const regionsUnder = async (level: string) => {
    const [row] = await queryRows<{ n: number }>(
      getDb(),
      sql`select count(*)::int as n from regions where level = ${level} and path like ${'%/450300/%'}`,
    );
    return row?.n ?? 0;
  };

  // The hand-built dataset, all in 桂林市 (450300) so that no other test's data moves its figures.
  const gl = { city: uid('D'), sub: uid('D'), xf: uid('D') };
  const sys = { a: uid('S'), b: uid('S'), c: uid('S'), d: uid('S'), e: uid('S'), f: uid('S') };

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    // The home department is at province level (450000): no figure of 桂林市 or 梧州市 counts it.
    cast = await createCast(app, getDb().db, { code: uid('HOME'), name: '自治区测试主管部门', region_code: '450000' });
    api = apiClient(app, cast);

    await created('/api/v1/departments', {
      code: gl.city,
      name: '桂林市大数据发展局',
      region_code: '450300',
      parent_code: cast.home,
      kind: 'government',
      extranet_connected: true,
      extranet_connected_at: '2019-01-01',
    });
    await created('/api/v1/departments', {
      code: gl.sub,
      name: '桂林市信息中心',
      region_code: '450300',
      parent_code: gl.city,
      kind: 'institution',
    });
    await created('/api/v1/departments', {
      code: gl.xf,
      name: '秀峰区政务服务中心',
      region_code: '450302',
      parent_code: cast.home,
      kind: 'government',
      extranet_connected: true,
      extranet_connected_at: '2020-01-01',
    });

    const system = (code: string, department_code: string, classification: string, state: string, state_at?: string) =>
      classified('/api/v1/systems', {
        code,
        name: `系统${code}`,
        department_code,
        classification,
        state,
        ...(state_at ? { state_at } : {}),
      });
    await system(sys.a, gl.city, 'non_classified', 'migrated', '2019-06-01');
    await system(sys.b, gl.city, 'non_classified', 'not_migrated');
    await system(sys.c, gl.city, 'classified', 'migrated', '2019-06-01');
    await system(sys.d, gl.sub, 'pending', 'not_migrated');
    await system(sys.e, gl.xf, 'non_classified', 'retired', '2019-03-01');
    await system(sys.f, gl.xf, 'non_classified', 'migrating', '2019-05-01');

    const network = (department_code: string, classification: string, state: string, state_at?: string) =>
      classified('/api/v1/private-networks', {
        code: uid('PN'),
        name: '专网',
        department_code,
        classification,
        state,
        ...(state_at ? { state_at } : {}),
      });
    await network(gl.city, 'non_classified', 'interconnected', '2020-01-01');
    await network(gl.xf, 'non_classified', 'not_started');
    await network(gl.xf, 'pending', 'not_started');
    await network(gl.sub, 'classified', 'interconnected', '2020-01-01');

    const item = (department_code: string, system_type: string, extra: Json) =>
      created('/api/v1/service-items', { code: uid('SI'), name: '政务服务事项', department_code, system_type, ...extra });
    await item(gl.city, 'provincial', { integrated: true, integrated_at: '2020-01-01' });
    await item(gl.xf, 'city', {});
    await item(gl.xf, 'self_built', { integration_required: false });
    await item(gl.sub, 'national', { integrated: true, integrated_at: '2020-03-01' });

    const node = (region_code: string, tier: string, commissioned_at?: string) =>
      created('/api/v1/network-nodes', {
        code: uid('N'),
        name: '节点',
        region_code,
        tier,
        ...(commissioned_at ? { commissioned: true, commissioned_at } : {}),
      });
    await node('450300', 'metro', '2019-01-01');
    await node('450302', 'metro', '2020-01-01');
    await node('450303', 'backbone', '2019-01-01');
    await node('450304', 'metro');
    await node('450302001', 'metro', '2020-02-01');
  });

  describe('GET /api/v1/indicators', () => {
    it('returns all seven indicators of a region with the hand-counted figures', async () => {
      const counties = await regionsUnder('county');
      const townships = await regionsUnder('township');
      expect(counties).toBe(17);
      expect(townships).toBeGreaterThan(0);

      const r = await report('scope=450300&at=2020-06-30');
      expect(r).toMatchObject({ scope: '450300', scope_name: '桂林市', scope_kind: 'region', self: false, at: '2020-06-30' });
      expect(r.indicators.map((i) => i.key)).toEqual([...indicatorKeys]);
      for (const i of r.indicators) {
        expect(Object.keys(i)).toEqual(expect.arrayContaining(['key', 'name', 'numerator', 'denominator', 'ratio', 'percent', 'pending']));
        expect(i.ratio).toBe(i.denominator === 0 ? null : i.numerator / i.denominator);
      }
      expect(indicator(r, 'cloud_migration')).toMatchObject({ name: '上云率', numerator: 1, denominator: 3, percent: 33.3, pending: 1 });
      expect(counts(indicator(r, 'private_network_interconnection'))).toEqual([1, 2, 50, 1]);
      expect(counts(indicator(r, 'service_integration'))).toEqual([2, 3, 66.7, 0]);
      expect(counts(indicator(r, 'horizontal_coverage_city'))).toEqual([1, 1, 100, 0]);
      expect(counts(indicator(r, 'horizontal_coverage_county'))).toEqual([1, counties, Math.round(1000 / counties) / 10, 0]);
      const township = indicator(r, 'horizontal_coverage_township');
      expect([township?.numerator, township?.denominator]).toEqual([1, townships]);
      expect(counts(indicator(r, 'extranet_access'))).toEqual([2, 3, 66.7, 0]);

      const integration = indicator(r, 'service_integration');
      expect(integration?.breakdown?.by_system_type.provincial).toMatchObject({ numerator: 1, denominator: 1 });
      expect(integration?.breakdown?.by_system_type.city).toMatchObject({ numerator: 0, denominator: 1 });
      expect(integration?.breakdown?.by_system_type.national).toMatchObject({ numerator: 1, denominator: 1 });
      expect(integration?.breakdown?.by_level.city).toMatchObject({ numerator: 2, denominator: 2 });
      expect(integration?.breakdown?.by_level.county).toMatchObject({ numerator: 0, denominator: 1 });
    });

    it('rebuilds earlier dates from the history', async () => {
      const r = await report('scope=450300&at=2019-04-30');
      // a not yet migrated, e already retired, f not yet migrating.
      expect(counts(indicator(r, 'cloud_migration'))).toEqual([0, 3, 0, 1]);
      expect(counts(indicator(r, 'private_network_interconnection'))).toEqual([0, 2, 0, 1]);
      expect(counts(indicator(r, 'extranet_access'))).toEqual([1, 3, 33.3, 0]);
      expect(indicator(r, 'horizontal_coverage_county')?.numerator).toBe(0);
      expect(indicator(r, 'horizontal_coverage_township')?.numerator).toBe(0);
    });

    it('self=true counts only the region itself (本级)', async () => {
      const r = await report('scope=450300&at=2020-06-30&self=true');
      expect(r).toMatchObject({ scope: '450300', self: true });
      expect(r.indicators.map((i) => i.key)).toEqual([...indicatorKeys]);
      expect(counts(indicator(r, 'cloud_migration'))).toEqual([1, 2, 50, 1]);
      expect(counts(indicator(r, 'private_network_interconnection'))).toEqual([1, 1, 100, 0]);
      expect(counts(indicator(r, 'service_integration'))).toEqual([2, 2, 100, 0]);
      expect(counts(indicator(r, 'horizontal_coverage_city'))).toEqual([1, 1, 100, 0]);
      expect(counts(indicator(r, 'horizontal_coverage_county'))).toEqual([0, 0, null, 0]);
      expect(indicator(r, 'horizontal_coverage_county')?.ratio).toBeNull();
      expect(counts(indicator(r, 'extranet_access'))).toEqual([1, 2, 50, 0]);
    });

    it('dept:<code> covers the department and its sub-departments, without the coverage figures', async () => {
      const r = await report(`scope=dept:${gl.city}&at=2020-06-30`);
      expect(r).toMatchObject({ scope: `dept:${gl.city}`, scope_kind: 'department', scope_name: '桂林市大数据发展局', self: false });
      expect(r.indicators.map((i) => i.key)).toEqual([
        'cloud_migration',
        'private_network_interconnection',
        'service_integration',
        'extranet_access',
        'data_centre_consolidation',
        'online_service',
        'one_visit',
        'security_assessment',
        'dr_coverage',
      ]);
      expect(counts(indicator(r, 'cloud_migration'))).toEqual([1, 2, 50, 1]);
      expect(counts(indicator(r, 'service_integration'))).toEqual([2, 2, 100, 0]);
      expect(counts(indicator(r, 'extranet_access'))).toEqual([1, 2, 50, 0]);

      const own = await report(`scope=dept:${gl.city}&at=2020-06-30&self=true`);
      expect(counts(indicator(own, 'cloud_migration'))).toEqual([1, 2, 50, 0]);
      expect(counts(indicator(own, 'extranet_access'))).toEqual([1, 1, 100, 0]);

      const xf = await report(`scope=dept:${gl.xf}&at=2020-06-30`);
      expect(counts(indicator(xf, 'cloud_migration'))).toEqual([0, 1, 0, 0]);
    });

    it('defaults at to today (YYYY-MM-DD)', async () => {
      const r = await report('scope=450300');
      expect(r.at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.at).toBe(businessDate());
      const explicit = await report(`scope=450300&at=${r.at}`);
      expect(explicit.indicators).toEqual(r.indicators);
    });

    it('the province scope lists all seven keys', async () => {
      const r = await report('scope=450000&at=2020-06-30');
      expect(r).toMatchObject({ scope: '450000', scope_kind: 'region', at: '2020-06-30' });
      expect(r.indicators.map((i) => i.key)).toEqual([...indicatorKeys]);
      expect(counts(indicator(r, 'horizontal_coverage_city'))).toEqual([1, 14, 7.1, 0]);
    });
  });

  describe('figures follow transitions (and the cache expires on writes)', () => {
    it('moves the numerator after POST …/transitions, and not for dates before effective_at', async () => {
      // Its own department in 梧州市 (450400), so the 桂林 figures above stay as they are.
      const dept = await created('/api/v1/departments', {
        code: uid('D'),
        name: '梧州市政务服务中心',
        region_code: '450400',
        parent_code: cast.home,
        kind: 'government',
      });
      const moving = await classified('/api/v1/systems', {
        code: uid('S'),
        name: '待迁移系统',
        department_code: dept,
        classification: 'non_classified',
      });
      await classified('/api/v1/systems', {
        code: uid('S'),
        name: '已上云系统',
        department_code: dept,
        classification: 'non_classified',
        state: 'migrated',
        state_at: '2020-01-01',
      });

      const url = 'scope=450400&at=2020-12-31';
      const before = await report(url);
      expect(counts(indicator(before, 'cloud_migration'))).toEqual([1, 2, 50, 0]);
      // Asked again: the same figure (served from the cache or not, it must not change).
      expect(counts(indicator(await report(url), 'cloud_migration'))).toEqual([1, 2, 50, 0]);
      expect((await items('cloud_migration', `${url}&missing=true`)).items.map((i) => i.code)).toEqual([moving]);

      const moved = await api.post(`/api/v1/systems/${moving}/transitions`, { to: 'migrated', effective_at: '2020-06-01' });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);

      const after = await report(url);
      expect(counts(indicator(after, 'cloud_migration'))).toEqual([2, 2, 100, 0]);
      expect((await items('cloud_migration', `${url}&missing=true`)).total).toBe(0);
      expect(counts(indicator(await report('scope=450400&at=2020-05-31'), 'cloud_migration'))).toEqual([1, 2, 50, 0]);
      expect(counts(indicator(await report('scope=450400&at=2020-06-01'), 'cloud_migration'))).toEqual([2, 2, 100, 0]);
      expect(counts(indicator(await report(`scope=dept:${dept}&at=2020-12-31`), 'cloud_migration'))).toEqual([2, 2, 100, 0]);
    });

    it('a new record in scope changes a cached figure', async () => {
      const url = 'scope=450400&at=2020-12-31';
      const before = indicator(await report(url), 'extranet_access');
      await created('/api/v1/departments', {
        code: uid('D'),
        name: '梧州市大数据局',
        region_code: '450400',
        parent_code: cast.home,
        kind: 'government',
        extranet_connected: true,
        extranet_connected_at: '2020-03-01',
      });
      const after = indicator(await report(url), 'extranet_access');
      expect(after?.numerator).toBe((before?.numerator ?? 0) + 1);
      expect(after?.denominator).toBe((before?.denominator ?? 0) + 1);
    });
  });

  describe('GET /api/v1/indicators/{key}/items', () => {
    it('lists the items behind a figure, in pages', async () => {
      const all = await items('cloud_migration', 'scope=450300&at=2020-06-30');
      expect(all).toMatchObject({
        key: 'cloud_migration',
        scope: '450300',
        at: '2020-06-30',
        missing: false,
        total: 3,
        limit: 100,
        offset: 0,
      });
      expect(all.columns).toEqual(['code', 'name', 'department_code', 'department_name', 'region_code', 'classification', 'state', 'done']);
      expect(all.items.map((i) => i.code)).toEqual([sys.a, sys.b, sys.f].sort());
      expect(all.items.find((i) => i.code === sys.a)).toMatchObject({
        department_code: gl.city,
        region_code: '450300',
        state: 'migrated',
        done: true,
      });

      const first = await items('cloud_migration', 'scope=450300&at=2020-06-30&limit=2');
      expect(first).toMatchObject({ total: 3, limit: 2, offset: 0 });
      const second = await items('cloud_migration', 'scope=450300&at=2020-06-30&limit=2&offset=2');
      expect(second).toMatchObject({ total: 3, limit: 2, offset: 2 });
      expect([...first.items, ...second.items].map((i) => i.code)).toEqual(all.items.map((i) => i.code));
      expect(first.items).toHaveLength(2);
      expect(second.items).toHaveLength(1);

      const beyond = await items('cloud_migration', 'scope=450300&at=2020-06-30&limit=2&offset=10');
      expect(beyond).toMatchObject({ total: 3, items: [] });
    });

    it('missing=true gives exactly denominator − numerator items, for every figure', async () => {
      const r = await report('scope=450300&at=2020-06-30');
      for (const f of r.indicators) {
        const missing = await items(f.key, 'scope=450300&at=2020-06-30&missing=true&limit=1000');
        expect(missing.missing).toBe(true);
        expect(missing.total, f.key).toBe(f.denominator - f.numerator);
        expect(
          missing.items.every((i) => i.done === false),
          f.key,
        ).toBe(true);
        const all = await items(f.key, 'scope=450300&at=2020-06-30&limit=1');
        expect(all.total, f.key).toBe(f.denominator);
      }
      const missing = await items('cloud_migration', 'scope=450300&at=2020-06-30&missing=true');
      expect(missing.items.map((i) => i.code)).toEqual([sys.b, sys.f].sort());
    });

    it('Accept: text/csv returns the whole list with a BOM, a header row and a file name', async () => {
      const query = 'scope=450000&at=2020-06-30';
      const page = await items('horizontal_coverage_township', query);
      expect(page.total).toBeGreaterThan(page.items.length);
      expect(page.items).toHaveLength(100);

      const path = `/api/v1/indicators/horizontal_coverage_township/items?${query}&limit=5`;
      const res = await api.get(path, { headers: { Accept: 'text/csv' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="horizontal_coverage_township-450000-2020-06-30\.csv"$/,
      );
      const { bytes } = res;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parse(new TextDecoder().decode(bytes), { bom: true }) as string[][];
      expect(rows[0]).toEqual(page.columns);
      expect(rows).toHaveLength(page.total + 1);
      const codes = rows.slice(1).map((r) => r[0]);
      expect(new Set(codes).size).toBe(page.total);
      expect(codes.slice(0, 100)).toEqual(page.items.map((i) => i.code));
      expect(rows.slice(1).filter((r) => r.at(-1) === 'true')).toHaveLength(1);

      const missingPath = '/api/v1/indicators/cloud_migration/items?scope=450300&at=2020-06-30&missing=true';
      const missing = await api.get(missingPath, { headers: { Accept: 'text/csv' } });
      expect(missing.headers.get('content-disposition')).toContain('cloud_migration-450300-2020-06-30-missing.csv');
      const missingRows = parse(missing.text, { bom: true }) as string[][];
      expect(missingRows.slice(1).map((r) => r[0])).toEqual([sys.b, sys.f].sort());
    });
  });

  describe('errors are application/problem+json', () => {
    it('unknown scope → 404', async () => {
      const a = await api.get('/api/v1/indicators?scope=999999&at=2020-06-30');
      expectProblem(a, 404, 'not_found');
      expect(fields(a)).toEqual(['scope']);
      const dept = await api.get('/api/v1/indicators?scope=dept:NO-SUCH-DEPT');
      expectProblem(dept, 404, 'not_found');
      expect(fields(dept)).toEqual(['scope']);
    });

    it('scope abc → 422 naming scope', async () => {
      const a = await api.get('/api/v1/indicators?scope=abc');
      expectProblem(a, 422, 'validation_failed');
      expect(fields(a)).toEqual(['scope']);
    });

    it('at=2020-13-01 → 422 naming at', async () => {
      const a = await api.get('/api/v1/indicators?scope=450000&at=2020-13-01');
      expectProblem(a, 422, 'validation_failed');
      expect(fields(a)).toEqual(['at']);
      const items422 = await api.get('/api/v1/indicators/cloud_migration/items?scope=450000&at=2020-02-30');
      expectProblem(items422, 422, 'validation_failed');
      expect(fields(items422)).toEqual(['at']);
    });

    it('an unknown indicator key → 404 or 422', async () => {
      const a = await api.get('/api/v1/indicators/no_such_rate/items?scope=450000');
      expect([404, 422]).toContain(a.status);
      expectProblem(a, a.status);
      if (a.status === 422) expect(fields(a).some((f) => f.endsWith('key'))).toBe(true);
    });

    it('a coverage indicator for a dept: scope → 422', async () => {
      const a = await api.get(`/api/v1/indicators/horizontal_coverage_city/items?scope=dept:${gl.city}&at=2020-06-30`);
      expectProblem(a, 422, 'validation_failed');
      expect(fields(a)).toEqual(['scope']);
    });

    it('a missing scope → 422', async () => {
      const a = await api.get('/api/v1/indicators');
      expectProblem(a, 422, 'validation_failed');
      expect(fields(a).some((f) => f.endsWith('scope'))).toBe(true);
    });
  });

  describe('OpenAPI and docs', () => {
    it('/openapi.json is valid JSON listing the indicators and import paths', async () => {
      const res = await apiClient(app).get('/openapi.json');
      expect(res.status).toBe(200);
      const doc = JSON.parse(res.text) as { openapi: string; paths: Record<string, Json> };
      expect(doc.openapi).toMatch(/^3\.1/);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/v1/indicators', '/api/v1/indicators/{key}/items', '/api/v1/import/{kind}', '/api/v1/export/{kind}']),
      );
      expect(doc.paths['/api/v1/indicators']).toHaveProperty('get');
      expect(doc.paths['/api/v1/import/{kind}']).toHaveProperty('post');
    });

    it('/docs is HTML whose scripts come from /docs/assets/, with no other host', async () => {
      const anonymous = apiClient(app);
      const res = await anonymous.get('/docs');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = res.text;
      const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const src of scripts) expect(src).toMatch(/^\/docs\/assets\//);
      const styles = [...html.matchAll(/<link[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]);
      for (const href of styles) expect(href).toMatch(/^\/docs\/assets\//);
      expect(html).not.toMatch(/https?:\/\//i);
      expect(html).not.toMatch(/src="\/\//);

      for (const src of scripts) {
        const asset = await anonymous.get(src ?? '');
        expect(asset.status, src).toBe(200);
      }
    });

    it('serves swagger-ui-bundle.js itself', async () => {
      const anonymous = apiClient(app);
      const res = await anonymous.get('/docs/assets/swagger-ui-bundle.js');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('javascript');
      expect(res.text.length).toBeGreaterThan(100_000);
      expect((await anonymous.get('/docs/assets/..%2Fpackage.json')).status).toBe(404);
      expect((await anonymous.get('/docs/assets/nothing.js')).status).toBe(404);
    });
  });

  describe('probes', () => {
    it('/livez 200 and /readyz 200 ready', async () => {
      const live = await api.get('/livez');
      expect(live.status).toBe(200);
      const ready = await api.get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ready' });
    });

    it('while not ready, /readyz and the API answer 503 problem+json', async () => {
      const starting = apiClient(createApp({ database: getDb(), config, isReady: () => false }), cast);
      for (const path of ['/readyz', '/api/v1/indicators?scope=450000']) {
        const res = await starting.get(path);
        expect(res.status, path).toBe(503);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        const body = problem(res);
        expect(body).toMatchObject({ status: 503, code: 'not_ready' });
        expect(body.requestId).toEqual(expect.any(String));
      }
      expect((await starting.as(null).get('/livez')).status).toBe(200);
    });
  });

  describe('request bodies and request ids', () => {
    it('a JSON body over YUNWANG_BODY_LIMIT_BYTES → 413 problem+json, and nothing is written', async () => {
      const small = apiClient(createApp({ database: getDb(), config: { ...config, YUNWANG_BODY_LIMIT_BYTES: 2048 } }), cast);
      const code = uid('D');
      const body = JSON.stringify({ code, name: '大'.repeat(1000), region_code: '450300', kind: 'government' });
      expect(new TextEncoder().encode(body).length).toBeGreaterThan(2048);
      const res = await small.post('/api/v1/departments', body);
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large' });
      expect((await api.get(`/api/v1/departments/${code}`)).status).toBe(404);

      // Under the limit the same app accepts it.
      const fits = await small.post('/api/v1/departments', { code, name: '小部门', region_code: '450300', kind: 'government' });
      expect(fits.status).toBe(201);
    });

    it('malformed JSON → 400 problem+json', async () => {
      // A string body is sent as it is, as application/json.
      const a = await api.post('/api/v1/departments', '{"code": "X", "name": ');
      expectProblem(a, 400, 'bad_request');
    });

    it('echoes a sane X-Request-Id and replaces an insane one', async () => {
      const sane = await api.get('/api/v1/indicators?scope=abc', { headers: { 'X-Request-Id': 'trace-42.a_b' } });
      expect(sane.headers.get('x-request-id')).toBe('trace-42.a_b');
      expect(problem(sane).requestId).toBe('trace-42.a_b');

      const ok = await api.get('/livez', { headers: { 'X-Request-Id': 'probe-1' } });
      expect(ok.headers.get('x-request-id')).toBe('probe-1');

      const insane = await api.get('/api/v1/indicators?scope=abc', { headers: { 'X-Request-Id': 'no spaces <allowed>' } });
      const id = insane.headers.get('x-request-id');
      expect(id).not.toBe('no spaces <allowed>');
      expect(id).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
      expect(problem(insane).requestId).toBe(id);

      const generated = await api.get('/livez');
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
