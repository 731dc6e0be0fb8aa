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
