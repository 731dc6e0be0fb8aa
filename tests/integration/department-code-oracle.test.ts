/**
 * Issue 14, item 18: a department user must not learn which department codes exist outside
 * his subtree. Naming an unknown department and naming another department's code get the same
 * answer — status, message and errors — by the API, by an import, and by an import whose file
 * has other errors too.
 */
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient, fileForm } from '../helpers/api.ts';
import { testAppConfig } from '../helpers/api-server.ts';
import { type Cast, createCast } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';

interface Answer {
  status: number;
  body: { status?: number; code?: string; detail?: string; errors?: unknown[] };
}

describeEachBackend('department codes give nothing away', (getDb) => {
  let app: App;
  let api: ApiClient;
  let cast: Cast;
  const home = `DCO-HOME-${process.pid}`;
  const other = `DCO-OTHER-${process.pid}`;
  const unknown = `DCO-NONE-${process.pid}`;

  /** The answer as a caller sees it, without what differs by request (instance, trace). */
  const seen = (answer: Answer): Answer => {
    const { status, code, detail, errors } = answer.body;
    return { status: answer.status, body: { status, code, detail, errors } };
  };
  const asDepartment = () => api.as(cast.callers.department);
  const createSystem = async (departmentCode: string, code: string) =>
    seen(await asDepartment().post<Answer['body']>('/api/v1/systems', { code, name: '探测系统', department_code: departmentCode }));
  const importSystems = async (csv: string) =>
    seen(await asDepartment().post<Answer['body']>('/api/v1/import/systems', fileForm(csv, 'systems.csv')));

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config: testAppConfig });
    cast = await createCast(app, getDb().db, { code: home, name: '探测测试部门', region_code: '450000' });
    api = apiClient(app);
    const res = await api
      .as(cast.callers.sysadmin)
      .post('/api/v1/departments', { code: other, name: '另一个部门', region_code: '450000', kind: 'government' });
    expect(res.status).toBe(201);
  });

  it('creating a record in another department and in an unknown one is refused alike', async () => {
    const outside = await createSystem(other, `DCO-S-${process.pid}`);
    const missing = await createSystem(unknown, `DCO-S-${process.pid}`);
    expect(outside.status).toBeGreaterThanOrEqual(400);
    expect(missing).toEqual(outside);
    expect(JSON.stringify(missing)).not.toContain(unknown);
  });

  it('importing rows for another department and for an unknown one is refused alike', async () => {
    const file = (departmentCode: string) => `code,name,department_code\r\nDCO-I-${process.pid},探测系统,${departmentCode}`;
    const outside = await importSystems(file(other));
    const missing = await importSystems(file(unknown));
    expect(outside.status).toBeGreaterThanOrEqual(400);
    expect(missing).toEqual(outside);
  });

  it('and alike when the file has other errors as well', async () => {
    const file = (departmentCode: string) =>
      `code,name,department_code,state\r\nDCO-J-${process.pid},探测系统,${departmentCode},not_migrated\r\nDCO-K-${process.pid},坏状态,${home},flying`;
    const outside = await importSystems(file(other));
    const missing = await importSystems(file(unknown));
    expect(outside.status).toBe(422);
    expect(missing).toEqual(outside);
    expect(JSON.stringify(missing)).not.toContain(unknown);
  });
});

describeEachBackend('a department and the data centres of another', (getDb) => {
  let api: ApiClient;
  let cast: Cast;
  const home = `DCO-DC-HOME-${process.pid}`;
  const other = `DCO-DC-OTHER-${process.pid}`;
  const theirs = `DCO-DC-THEIRS-${process.pid}`;
  const centre = (code: string, departmentCode: string) => ({ code, name: '机房', department_code: departmentCode, region_code: '450100' });

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    const app = createApp({ database: getDb(), config: testAppConfig });
    cast = await createCast(app, getDb().db, { code: home, name: '机房测试部门', region_code: '450000' });
    api = apiClient(app);
    const sysadmin = api.as(cast.callers.sysadmin);
    expect(
      (await sysadmin.post('/api/v1/departments', { code: other, name: '另一个部门', region_code: '450000', kind: 'government' })).status,
    ).toBe(201);
    // Only a department user registers centres: the other department's is written as the registry itself.
    await upsertRecords(
      getDb().db,
      'data-centres',
      [{ ...centre(theirs, other), classification: 'pending', state: 'in_use' }],
      rootActor('test'),
    );
  });

  it('cannot read, list, change or move the centre of another department, nor register one there', async () => {
    const department = api.as(cast.callers.department);
    expect((await department.get(`/api/v1/data-centres/${theirs}`)).status).toBe(404);
    expect(JSON.stringify((await department.get('/api/v1/data-centres?q=DCO-DC')).body)).not.toContain(theirs);
    expect((await department.patch(`/api/v1/data-centres/${theirs}`, { name: '改名' })).status).toBe(404);
    expect((await department.post(`/api/v1/data-centres/${theirs}/transitions`, { to: 'closed' })).status).toBe(404);
    const outside = await department.post('/api/v1/data-centres', centre(`DCO-DC-NEW-${process.pid}`, other));
    expect(outside.status).toBeGreaterThanOrEqual(400);
    expect((await api.as(null).get('/api/v1/data-centres')).status).toBe(401);
    expect((await api.as(cast.callers.leader).post('/api/v1/data-centres', centre(`DCO-DC-L-${process.pid}`, home))).status).toBe(403);
  });
});

describeEachBackend('a department and the interface services of another', (getDb) => {
  let api: ApiClient;
  let cast: Cast;
  const home = `DCO-IF-HOME-${process.pid}`;
  const other = `DCO-IF-OTHER-${process.pid}`;
  const mySystem = `DCO-IF-MINE-${process.pid}`;
  const theirSystem = `DCO-IF-THEIRS-S-${process.pid}`;
  const theirs = `DCO-IF-THEIRS-${process.pid}`;
  const noSystem = `DCO-IF-NONE-${process.pid}`;
  const service = (code: string, provider: string, consumers: string[] = []) => ({
    code,
    name: '接口',
    provider_system_code: provider,
    consumer_system_codes: consumers,
  });

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    const app = createApp({ database: getDb(), config: testAppConfig });
    cast = await createCast(app, getDb().db, { code: home, name: '接口测试部门', region_code: '450000' });
    api = apiClient(app);
    const sysadmin = api.as(cast.callers.sysadmin);
    expect(
      (await sysadmin.post('/api/v1/departments', { code: other, name: '另一个部门', region_code: '450000', kind: 'government' })).status,
    ).toBe(201);
    const root = rootActor('test');
    const system = (code: string, department_code: string) => ({
      code,
      name: '系统',
      department_code,
      classification: 'pending' as const,
      state: 'not_migrated' as const,
    });
    await upsertRecords(getDb().db, 'systems', [system(mySystem, home), system(theirSystem, other)], root);
    await upsertRecords(getDb().db, 'interface-services', [{ ...service(theirs, theirSystem), state: 'active' }], root);
  });

  it('cannot read, list, change or move the service of another department', async () => {
    const department = api.as(cast.callers.department);
    expect((await department.get(`/api/v1/interface-services/${theirs}`)).status).toBe(404);
    expect(JSON.stringify((await department.get('/api/v1/interface-services?q=DCO-IF')).body)).not.toContain(theirs);
    expect((await department.patch(`/api/v1/interface-services/${theirs}`, { name: '改名' })).status).toBe(404);
    expect((await department.post(`/api/v1/interface-services/${theirs}/transitions`, { to: 'retired' })).status).toBe(404);
    expect(JSON.stringify((await department.get('/api/v1/export/interface-services')).text)).not.toContain(theirs);
    // Its own service may not be handed to another department's system either.
    const mine = `DCO-IF-OWN-${process.pid}`;
    expect((await department.post('/api/v1/interface-services', service(mine, mySystem, [theirSystem]))).status).toBe(201);
    const moved = await department.patch(`/api/v1/interface-services/${mine}`, { provider_system_code: theirSystem });
    expect(moved.status).toBe(403);
  });

  it("registering a service of another department's system and of an unknown system is refused alike", async () => {
    const seen = (a: { status: number; body: Record<string, unknown> }) => ({
      status: a.status,
      code: a.body.code,
      detail: a.body.detail,
      errors: a.body.errors,
    });
    const department = api.as(cast.callers.department);
    const outside = seen(await department.post('/api/v1/interface-services', service(`DCO-IF-NEW-${process.pid}`, theirSystem)));
    const missing = seen(await department.post('/api/v1/interface-services', service(`DCO-IF-NEW-${process.pid}`, noSystem)));
    expect(outside.status).toBe(403);
    expect(outside.errors).toEqual([{ field: 'provider_system_code', message: 'is not a system of your department' }]);
    expect(JSON.stringify(missing).replace(noSystem, theirSystem)).toEqual(JSON.stringify(outside));
    expect(JSON.stringify(missing)).not.toContain(noSystem);
    // By an import too, and when the file has other errors as well.
    const file = (provider: string) =>
      `code,name,provider_system_code,state\r\nDCO-IF-I-${process.pid},接口,${provider},active\r\nDCO-IF-J-${process.pid},坏,${mySystem},flying`;
    const importOf = async (provider: string) =>
      seen(await department.post('/api/v1/import/interface-services', fileForm(file(provider), 'services.csv')));
    const outsideFile = await importOf(theirSystem);
    const missingFile = await importOf(noSystem);
    expect(outsideFile.status).toBe(422);
    expect(missingFile).toEqual(outsideFile);
    expect(JSON.stringify(missingFile)).not.toContain(noSystem);
    // Anonymous callers and leaders write nothing.
    expect((await api.as(null).get('/api/v1/interface-services')).status).toBe(401);
    expect(
      (await api.as(cast.callers.leader).post('/api/v1/interface-services', service(`DCO-IF-L-${process.pid}`, mySystem))).status,
    ).toBe(403);
  });
});
