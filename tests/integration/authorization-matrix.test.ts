/**
 * The authorization matrix, generated from the OpenAPI document: every operation × every role,
 * plus anonymous and a department user of another department. The expected answer of each
 * cell is computed from the route policy and the permissions table (src/identity/policy.ts,
 * src/identity/access.ts), never written by hand, and checked with a real request:
 *
 * - allowed: anything but 401 and 403 (bodies are minimal and may well be refused as invalid);
 * - denied: 401 for anonymous, 403 for everyone else;
 * - a department user asking for a record of another department: 404, as if it did not exist.
 *
 * An operation without a rule fails the suite.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import type { Database } from '../../src/db/client.ts';
import { permissions } from '../../src/identity/access.ts';
import { routePolicy } from '../../src/identity/policy.ts';
import { type Role, roles } from '../../src/identity/roles.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { type Answer, type ApiClient, apiClient, fileForm } from '../helpers/api.ts';
import { callerWith, fileKinds, neededPermission, type OpenApiPaths, openApiPaths, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 1000 };
const openApiInfo = { openapi: '3.1.0' as const, info: { title: 'yunwang', version: '1' } };

/** The operations of an OpenAPI document that have no rule in the route policy. */
function operationsWithoutRule(paths: OpenApiPaths): string[] {
  return Object.entries(paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => op.operationId ?? `${method} ${path}`))
    .filter((operationId) => !(operationId in routePolicy));
}

// The document does not need a database: an app built without one lists the operations.
const documentApp = createApp({ database: {} as Database, config });
const documentPaths = documentApp.getOpenAPI31Document(openApiInfo).paths as OpenApiPaths;

/** One request of the matrix: an operation, its path filled in (import and export once per kind). */
interface Cell {
  operationId: string;
  method: string;
  template: string;
}
const cells: Cell[] = Object.entries(documentPaths).flatMap(([template, methods]) =>
  Object.entries(methods).flatMap(([method, op]) => {
    const operationId = op.operationId ?? `${method} ${template}`;
    return template.includes('{kind}')
      ? fileKinds.map((kind) => ({ operationId, method: method.toUpperCase(), template: template.replace('{kind}', kind) }))
      : [{ operationId, method: method.toUpperCase(), template }];
  }),
);

type CallerName = Role | 'anonymous' | 'other-department';
const callerNames: CallerName[] = [...roles, 'anonymous', 'other-department'];
const rolesOf = (caller: CallerName): Role[] => (caller === 'anonymous' ? [] : caller === 'other-department' ? ['department'] : [caller]);

type Outcome = 'allowed' | 401 | 403 | 404;

/**
 * What the caller must get, from the policy alone. `ownedByHome` says the request names a
 * record of the home department (a path code, or an indicator scope dept:<code>).
 */
function expectedOutcome(caller: CallerName, operationId: string, path: string, ownedByHome: boolean, method: string): Outcome {
  const rule = routePolicy[operationId];
  if (!rule) return 403;
  if ('public' in rule) return 'allowed';
  // No user, whatever their roles, is an agent: the route asks for an agent token.
  if ('agent' in rule) return 401;
  if (caller === 'anonymous') return 401;
  // The wall screen's account holds read tokens only: no change, not even to its own account.
  if (caller === 'screen' && method.toUpperCase() !== 'GET') return 403;
  const needed = neededPermission(operationId, path);
  if (!needed) return 'allowed';
  const granted = permissions[needed.area][needed.action];
  if (!rolesOf(caller).some((role) => granted.includes(role))) return 403;
  // The department role's grants are confined to the user's department subtree.
  if (caller === 'other-department' && ownedByHome) return 404;
  return 'allowed';
}

let counter = 0;
const uid = (prefix: string) => `AZ-${prefix}-${++counter}`;

describeEachBackend('authorization matrix', (getDb) => {
  let app: App;
  let api: ApiClient;
  const callers = new Map<CallerName, TestCaller | null>();
  const home = uid('HOME');
  const other = uid('OTHER');
  const codes = {
    system: uid('S'),
    network: uid('PN'),
    centre: uid('DC'),
    item: uid('SI'),
    node: uid('N'),
    cloud: uid('C'),
    service: uid('IF'),
  };
  let tenantId = 0;
  let certificationId = 0;
  let reReviewId = 0;
  const target = `az-target-${process.pid}`;

  /** The client acting as a caller of the matrix (anonymous: null). */
  const as = (caller: TestCaller | null | undefined) => api.as(caller ?? null);
  const setUp = async (caller: TestCaller | null | undefined, path: string, body: unknown): Promise<Record<string, unknown>> => {
    const created = await as(caller).post(path, body);
    expect(created.status, `${path}: ${created.text}`).toBe(201);
    return created.body;
  };

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    api = apiClient(app);
    callers.set('anonymous', null);
    for (const role of roles) if (role !== 'department') callers.set(role, await callerWith(db, [role]));

    // A small dataset: a home department with one record of each kind, another department.
    const sysadmin = callers.get('sysadmin');
    await setUp(sysadmin, '/api/v1/departments', { code: home, name: '矩阵部门', region_code: '450100', kind: 'government' });
    await setUp(sysadmin, '/api/v1/departments', { code: other, name: '另一部门', region_code: '450200', kind: 'government' });
    callers.set('department', await callerWith(db, ['department'], { department: home }));
    callers.set('other-department', await callerWith(db, ['department'], { department: other }));
    const department = callers.get('department');
    await setUp(department, '/api/v1/systems', { code: codes.system, name: '矩阵系统', department_code: home });
    await setUp(department, '/api/v1/private-networks', { code: codes.network, name: '矩阵专网', department_code: home });
    await setUp(department, '/api/v1/data-centres', { code: codes.centre, name: '矩阵机房', department_code: home, region_code: '450100' });
    await setUp(department, '/api/v1/interface-services', { code: codes.service, name: '矩阵接口', provider_system_code: codes.system });
    await setUp(department, '/api/v1/service-items', { code: codes.item, name: '矩阵事项', department_code: home, system_type: 'city' });
    await setUp(callers.get('ops'), '/api/v1/network-nodes', { code: codes.node, name: '矩阵节点', region_code: '450100', tier: 'metro' });
    await setUp(sysadmin, '/api/v1/clouds', { code: codes.cloud, name: '矩阵云', kind: 'city', provider: 'x', region_code: '450100' });
    tenantId = Number(
      (await setUp(callers.get('ops'), '/api/v1/tenants', { cloud_code: codes.cloud, external_id: 'az', department_code: home })).id,
    );
    const reviewer = callers.get('reviewer');
    certificationId = Number(
      (
        await setUp(reviewer, `/api/v1/private-networks/${codes.network}/certifications`, {
          classification: 'classified',
          evidence: '矩阵',
        })
      ).id,
    );
    reReviewId = Number((await setUp(reviewer, `/api/v1/certifications/${certificationId}/re-reviews`, { due_at: '2030-01-01' })).id);
    const created = await as(sysadmin).post('/api/v1/users', { name: target });
    expect(created.status).toBe(201);
  });

  /** The path with its parameters filled from the dataset, and whether it names a home-department record. */
  const fill = (template: string): { path: string; ownedByHome: boolean } => {
    const byCollection: Record<string, string> = {
      regions: '450100',
      departments: home,
      systems: codes.system,
      'private-networks': codes.network,
      'data-centres': codes.centre,
      'service-items': codes.item,
      'interface-services': codes.service,
      'network-nodes': codes.node,
      clouds: codes.cloud,
    };
    const ids: Record<string, number> = { tenants: tenantId, tokens: 999_999, certifications: certificationId, 're-reviews': reReviewId };
    const collection = template.split('/')[3] ?? '';
    const ownedByHome =
      template.includes('{code}') &&
      ['departments', 'systems', 'private-networks', 'data-centres', 'service-items', 'interface-services'].includes(collection);
    const path = template
      .replace('{code}', byCollection[collection] ?? 'none')
      .replace('{id}', String(ids[collection] ?? 1))
      .replace('{name}', target)
      .replace('{key}', 'cloud_migration');
    // The indicators are read for the home department: a department-scoped read.
    if (collection === 'indicators') return { path: `${path}?scope=dept:${home}&at=2020-06-30`, ownedByHome: true };
    if (collection === 'interconnection') return { path: `${path}?scope=dept:${home}&to=2020-06-30`, ownedByHome: true };
    if (collection === 'import') return { path: `${path}?dry_run=true`, ownedByHome: false };
    return { path, ownedByHome };
  };

  /** Minimal bodies; valid where a department user of another department must get as far as the record (404). */
  const bodies: Record<string, unknown> = {
    updateSystem: { name: '矩阵系统' },
    updatePrivateNetwork: { name: '矩阵专网' },
    updateDataCentre: { name: '矩阵机房' },
    updateServiceItem: { name: '矩阵事项' },
    updateInterfaceService: { name: '矩阵接口' },
    updateDepartment: { name: '矩阵部门' },
    transitionSystem: { to: 'migrating', effective_at: '2020-01-01' },
    requestSystemDecommission: { reason: '停用' },
    transitionPrivateNetwork: { to: 'migrating', effective_at: '2020-01-01' },
    transitionDataCentre: { to: 'consolidating', effective_at: '2020-01-01' },
    transitionServiceItem: { to: 'integrated', effective_at: '2020-01-01' },
    transitionInterfaceService: { to: 'active', effective_at: '2020-01-01' },
    transitionDepartment: { to: 'connected', effective_at: '2020-01-01' },
  };

  const request = async (caller: TestCaller | null | undefined, cell: Cell, path: string): Promise<Answer> => {
    if (cell.operationId === 'importFile') return as(caller).post(path, fileForm('code\r\nX-1\r\n', 'matrix.csv'));
    const body = ['POST', 'PUT', 'PATCH'].includes(cell.method) ? (bodies[cell.operationId] ?? {}) : undefined;
    return as(caller).send(cell.method, path, body);
  };

  it('every operation of the OpenAPI document has a rule in the route policy', async () => {
    const served = await openApiPaths(app);
    expect(operationsWithoutRule(served)).toEqual([]);
    // The check can fail: an operation without a rule is named.
    expect(operationsWithoutRule({ ...served, '/api/v1/fake': { get: { operationId: 'fakeOperation' } } })).toEqual(['fakeOperation']);
    // And the matrix covers every operation that is served.
    const servedIds = Object.values(served).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(new Set(cells.map((c) => c.operationId))).toEqual(new Set(servedIds));
    expect(servedIds.length).toBeGreaterThanOrEqual(70);
  });

  it('a route added without a rule is refused to everyone, and reported', async () => {
    const extended = createApp({ database: getDb(), config });
    extended.openapi(
      createRoute({
        method: 'get',
        path: '/api/v1/unruled',
        operationId: 'unruledOperation',
        responses: { 200: { description: 'x', content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } } } },
      }),
      (c) => c.json({ ok: true }, 200),
    );
    expect(operationsWithoutRule(await openApiPaths(extended))).toEqual(['unruledOperation']);
    for (const caller of ['sysadmin', 'leader', 'anonymous'] as const) {
      const res = await apiClient(extended, callers.get(caller) ?? null).get('/api/v1/unruled');
      expect(res.status, caller).toBe(403);
      expect(res.text).toContain('no authorization rule');
    }
  });

  describe.each(cells)('$operationId $method $template', (cell) => {
    it('answers every caller as the policy says', async () => {
      const { path, ownedByHome } = fill(cell.template);
      const mismatches: string[] = [];
      for (const name of callerNames) {
        const expected = expectedOutcome(name, cell.operationId, path, ownedByHome, cell.method);
        const res = await request(callers.get(name), cell, path);
        const ok = expected === 'allowed' ? res.status !== 401 && res.status !== 403 && res.status < 500 : res.status === expected;
        if (!ok) mismatches.push(`${name}: expected ${expected}, got ${res.status} ${res.text.slice(0, 200)}`);
      }
      expect(mismatches, `${cell.method} ${path}`).toEqual([]);
    });
  });
});
