/**
 * Issue 14, item 18: a department user must not learn which department codes exist outside
 * his subtree. Naming an unknown department and naming another department's code get the same
 * answer — status, message and errors — by the API, by an import, and by an import whose file
 * has other errors too.
 */
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { testAppConfig } from '../helpers/api-server.ts';
import { type Cast, createCast } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';

interface Answer {
  status: number;
  body: { status?: number; code?: string; detail?: string; errors?: unknown[] };
}

describeEachBackend('department codes give nothing away', (getDb) => {
  let app: App;
  let cast: Cast;
  const home = `DCO-HOME-${process.pid}`;
  const other = `DCO-OTHER-${process.pid}`;
  const unknown = `DCO-NONE-${process.pid}`;

  /** The answer as a caller sees it, without what differs by request (instance, trace). */
  const answerOf = async (res: Response): Promise<Answer> => {
    const { status, code, detail, errors } = (await res.json()) as Answer['body'];
    return { status: res.status, body: { status, code, detail, errors } };
  };
  const createSystem = async (departmentCode: string, code: string) =>
    answerOf(
      await app.request('/api/v1/systems', {
        method: 'POST',
        headers: { ...cast.callers.department.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ code, name: '探测系统', department_code: departmentCode }),
      }),
    );
  const importSystems = async (csv: string) => {
    const form = new FormData();
    form.append('file', new File([csv], 'systems.csv'));
    return answerOf(await app.request('/api/v1/import/systems', { method: 'POST', body: form, headers: cast.callers.department.headers }));
  };

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config: testAppConfig });
    cast = await createCast(app, getDb().db, { code: home, name: '探测测试部门', region_code: '450000' });
    const res = await app.request('/api/v1/departments', {
      method: 'POST',
      headers: { ...cast.callers.sysadmin.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: other, name: '另一个部门', region_code: '450000', kind: 'government' }),
    });
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
