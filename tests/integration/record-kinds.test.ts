/**
 * A record kind is one declaration (issue 15): a throw-away kind, defined here from a
 * descriptor alone with its own table, gets its routes, its import with Chinese and English
 * headers, its export and its OpenAPI entries without any other file knowing of it.
 */
import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { boolean, date, pgTable, text } from 'drizzle-orm/pg-core';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { entityColumns } from '../../src/db/schema/columns.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { code, isoDate, name, region, regionCode, stamps } from '../../src/registry/fields.ts';
import { inRegion, matches } from '../../src/registry/filters.ts';
import { registerRecordKind } from '../../src/registry/kinds/index.ts';
import { flagLifecycle, knownRegion, listQuery, viewLoader, writeByCode } from '../../src/registry/kinds/shared.ts';
import type { RecordKind } from '../../src/registry/kinds/types.ts';
import { type ApiClient, apiClient, fileForm } from '../helpers/api.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const gadgets = pgTable('test_gadgets', {
  ...entityColumns,
  code: text().notNull().unique('test_gadgets_code_key'),
  name: text().notNull(),
  regionCode: text().notNull(),
  ready: boolean().notNull().default(false),
  readyAt: date({ mode: 'string' }),
});

const GadgetInput = z
  .object({ code, name, region_code: regionCode, ready: z.boolean().default(false), ready_at: isoDate.nullish() })
  .openapi('GadgetInput');
type GadgetInput = z.infer<typeof GadgetInput>;
const Gadget = GadgetInput.extend(stamps).openapi('Gadget');

const lifecycle = flagLifecycle<GadgetInput>(
  gadgets,
  { flag: gadgets.ready, at: gadgets.readyAt },
  { not_ready: { zh: '未就绪', en: 'not ready' }, ready: { zh: '已就绪', en: 'ready' } },
);

const gadgetsKind: RecordKind<GadgetInput, z.infer<typeof Gadget>> = {
  segment: 'gadgets',
  tracked: 'gadget',
  names: { one: 'Gadget', many: 'Gadgets' },
  label: { zh: '测试装置', en: 'gadget' },
  area: 'network-nodes',
  table: gadgets,
  schemas: { input: GadgetInput, item: Gadget, query: listQuery({ region, state: z.enum(['not_ready', 'ready']).optional() }) },
  lifecycle: lifecycle.lifecycle,
  columns: [
    { field: 'code', alias: '编码', type: 'text' },
    { field: 'name', alias: '名称', type: 'text' },
    { field: 'region_code', alias: '行政区划代码', type: 'text' },
    { field: 'ready', alias: '已就绪', type: 'boolean' },
    { field: 'ready_at', alias: '就绪日期', type: 'date' },
  ],
  indicators: [],
  filters: async (db, f) => [
    await inRegion(db, gadgets.regionCode, f.region as string | undefined),
    lifecycle.stateFilter(f.state),
    matches(f.q, gadgets.name, gadgets.code),
  ],
  loadViews: viewLoader<GadgetInput>(gadgets, {
    code: gadgets.code,
    name: gadgets.name,
    region_code: gadgets.regionCode,
    ready: gadgets.ready,
    ready_at: gadgets.readyAt,
  }),
  declaredState: lifecycle.declaredState,
  check: (r, refs) => [...knownRegion(refs, r.region_code), ...lifecycle.checkFlag(r)],
  write: (db, rows) =>
    writeByCode(
      db,
      gadgets,
      rows.map(({ input: r, state }) => ({ code: r.code, name: r.name, regionCode: r.region_code, ...lifecycle.stored(state) })),
    ),
  lockState: lifecycle.lockState,
  writeState: lifecycle.writeState,
};

registerRecordKind(gadgetsKind);

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

describeEachBackend('a record kind from a descriptor alone', (getDb) => {
  let app: App;
  /** Sends as operations. */
  let api: ApiClient;
  let ops: TestCaller;

  beforeAll(async () => {
    const database = getDb();
    await queryRows(
      database,
      sql`create table if not exists test_gadgets (
        id integer generated always as identity primary key,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        code text not null constraint test_gadgets_code_key unique,
        name text not null,
        region_code text not null,
        ready boolean not null default false,
        ready_at date)`,
    );
    await loadDivisions(database.db);
    app = createApp({ database, config });
    ops = await callerWith(database.db, ['ops']);
    api = apiClient(app, ops);
  });

  const importCsv = (text: string) => api.post('/api/v1/import/gadgets', fileForm(text, 'gadgets.csv', { type: 'text/csv' }));

  it('documents its operations and schemas in the OpenAPI document', async () => {
    const doc = (await apiClient(app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { operationId?: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.paths['/api/v1/gadgets']?.get?.operationId).toBe('listGadgets');
    expect(doc.paths['/api/v1/gadgets']?.post?.operationId).toBe('createGadget');
    expect(doc.paths['/api/v1/gadgets/{code}']?.get?.operationId).toBe('getGadget');
    expect(doc.paths['/api/v1/gadgets/{code}/transitions']?.post?.operationId).toBe('transitionGadget');
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Gadget', 'GadgetInput', 'GadgetPatch']));
  });

  it('creates, reads, lists and moves a record over HTTP', async () => {
    const created = await api.post('/api/v1/gadgets', { code: 'G-1', name: '一号装置', region_code: '450100' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ code: 'G-1', ready: false, ready_at: null });
    expect((await api.post('/api/v1/gadgets', { code: 'G-1', name: '又一个', region_code: '450100' })).status).toBe(409);
    expect((await api.get('/api/v1/gadgets/G-1')).body).toMatchObject({ name: '一号装置' });
    const moved = await api.post('/api/v1/gadgets/G-1/transitions', { to: 'ready', effective_at: '2024-01-02' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ ready: true, ready_at: '2024-01-02' });
    const listed = await api.get('/api/v1/gadgets?state=ready&q=G-1');
    expect(listed.body).toMatchObject({ total: 1, items: [{ code: 'G-1' }] });
    expect((await api.get('/api/v1/gadgets/G-1/transitions')).body.items).toHaveLength(1);
  });

  it('imports a spreadsheet with Chinese or English headers and exports it back', async () => {
    const chinese = await importCsv('编码,名称,行政区划代码,已就绪,就绪日期\nG-2,二号装置,450200,是,2023-05-06\n');
    expect(chinese.status, JSON.stringify(chinese.body)).toBe(200);
    expect(chinese.body).toMatchObject({ kind: 'gadgets', created: 1 });
    const english = await importCsv('code,name,region_code,ready\nG-3,Gadget three,450100,false\n');
    expect(english.body).toMatchObject({ created: 1 });
    const rejected = await importCsv('code,name,region_code\nG-4,Bad,999999\n');
    expect(rejected.status).toBe(422);

    const res = await api.get('/api/v1/export/gadgets?format=csv');
    expect(res.status).toBe(200);
    const exported = res.text.replace(/^\uFEFF/, '');
    expect(exported.split(/\r?\n/)[0]).toBe('code,name,region_code,ready,ready_at');
    expect(exported).toContain('G-2,二号装置,450200,true,2023-05-06');
    // What was exported re-imports unchanged.
    expect((await importCsv(exported)).body).toMatchObject({ created: 0, updated: 0 });
  });
});
