/**
 * The fuzzer's findings fixed on this branch, each as its minimal reproduction, on every
 * backend: values the request validation lets through but the database refuses as data
 * must come back as 422 problem+json, not 500.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { queryRows } from '../../src/db/raw.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
let counter = 0;
const uid = (what: string) => `FZF-${what}-${process.pid}-${++counter}`;

describeEachBackend('fuzzer findings', (getDb) => {
  let app: App;
  let sysadmin: TestCaller;
  let ops: TestCaller;
  let department: TestCaller;
  let home: string;
  let cloud: string;

  const send = (caller: TestCaller, method: string, path: string, body: unknown) =>
    app.request(path, { method, headers: { ...caller.headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    app = createApp({ database: getDb(), config });
    sysadmin = await callerWith(db, ['sysadmin']);
    ops = await callerWith(db, ['ops']);
    home = uid('HOME');
    cloud = uid('CLOUD');
    expect(
      (await send(sysadmin, 'POST', '/api/v1/departments', { code: home, name: '发现', region_code: '450100', kind: 'government' })).status,
    ).toBe(201);
    department = await callerWith(db, ['department'], { department: home });
    expect(
      (await send(sysadmin, 'POST', '/api/v1/clouds', { code: cloud, name: '发现云', kind: 'city', provider: 'x', region_code: '450100' }))
        .status,
    ).toBe(201);
  });

  const expectValidationProblem = async (res: Response) => {
    const text = await res.text();
    expect(res.status, text).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = JSON.parse(text) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 422, code: 'validation_failed' });
    // The database's own message (which quotes the value and names columns) stays inside.
    expect(String(problem.detail)).not.toMatch(/real|float|insert|underflow/i);
  };

  it('a tenant quota too small for the column (5e-324, a float4 underflow) is a 422', async () => {
    const res = await send(ops, 'POST', '/api/v1/tenants', {
      cloud_code: cloud,
      external_id: uid('T'),
      department_code: home,
      vcpu_quota: 5e-324,
    });
    await expectValidationProblem(res);
  });

  it('a tenant quota too large for the column (1e300, a float4 overflow) is a 422', async () => {
    const res = await send(ops, 'POST', '/api/v1/tenants', {
      cloud_code: cloud,
      external_id: uid('T'),
      department_code: home,
      memory_quota_gib: 1e300,
    });
    await expectValidationProblem(res);
  });

  it('a NUL character in a name is a 422', async () => {
    const res = await send(department, 'POST', '/api/v1/systems', { code: uid('S'), name: 'a\u0000b', department_code: home });
    await expectValidationProblem(res);
  });

  // A refused write is audited with the path it named; a path the database cannot index or
  // store (long and incompressible, or with NUL) used to turn the 403 into a 500 or 422.
  it.each([
    ['a long, incompressible path', `/api/v1/network-nodes/${encodeURIComponent('政'.repeat(20_000))}`],
    ['a NUL in the path', '/api/v1/network-nodes/a%00b'],
  ])('a refused write with %s is a 403, and audited', async (_what, path) => {
    const auditor = await callerWith(getDb().db, ['auditor']);
    const res = await send(auditor, 'PATCH', path, { name: 'x' });
    expect(res.status, await res.clone().text()).toBe(403);
    const [denied] = await queryRows<{ entity_code: string }>(
      getDb().db,
      sql`select entity_code from audit_log where actor = ${auditor.name} and result <> 'ok' order by id desc limit 1`,
    );
    expect(denied?.entity_code.length).toBeLessThanOrEqual(201);
    expect(denied?.entity_code).not.toContain('\u0000');
  });
});
