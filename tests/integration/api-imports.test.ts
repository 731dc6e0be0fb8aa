/**
 * Spreadsheet import and export over HTTP (`app.request`, no port): POST /api/v1/import/{kind}
 * with a multipart `file`, GET /api/v1/export/{kind}. All-or-nothing, idempotent, every bad
 * row named by its spreadsheet row and column, and an audit row per import.
 *
 * Every request is made as a caller whose roles allow it (tests/helpers/auth.ts): the system
 * administrator imports departments (all under one home department), a department user bound
 * to the home department imports systems, the leader reads and exports, and the reviewer
 * certifies classifications (a department may not set them).
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { parseImportFile, writeExportFile } from '../../src/imports/format.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import type { DepartmentInput } from '../../src/registry/kinds/departments.ts';
import type { SystemInput } from '../../src/registry/kinds/systems.ts';
import type { ImportKind } from '../../src/registry/schemas.ts';
import { type Answer, type ApiClient, apiClient, fileForm, type Json } from '../helpers/api.ts';
import { type Cast, createCast } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

interface FieldError {
  field: string;
  message: string;
  row?: number;
  column?: string;
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  requestId?: string;
  errors?: FieldError[];
}

interface ImportReport {
  kind: ImportKind;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  dry_run: boolean;
}

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

let counter = 0;
/** A code no other test in this file uses. */
const uid = (prefix: string) => `IM-${prefix}-${++counter}`;
/** The department every department of this file sits under; the department user is bound to it. */
const home = uid('HOME');

/** A CSV file from rows of cells (none of the cells here needs quoting), CRLF like Excel writes. */
const csv = (rows: (string | null)[][]) => rows.map((r) => r.map((c) => c ?? '').join(',')).join('\r\n');
const utf8 = (text: string) => new TextEncoder().encode(text);
const withBom = (bytes: Uint8Array) => new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);

const departmentHeader = ['code', 'name', 'region_code', 'parent_code', 'kind', 'extranet_connected', 'extranet_connected_at'];
const systemHeader = ['code', 'name', 'department_code', 'classification', 'state', 'state_at', 'cloud_code', 'tenant'];

const departmentCells = (d: DepartmentInput) => [
  d.code,
  d.name,
  d.region_code,
  d.parent_code ?? null,
  d.kind,
  String(d.extranet_connected),
  d.extranet_connected_at ?? null,
];
const systemCells = (s: SystemInput) => [
  s.code,
  s.name,
  s.department_code,
  s.classification,
  s.state,
  s.state_at ?? null,
  s.cloud_code ?? null,
  s.tenant ?? null,
];

/** Rows as the schemas output them (every key present, nulls explicit), for exact comparisons. */
const department = (extra: Partial<DepartmentInput> & Pick<DepartmentInput, 'code'>): DepartmentInput => ({
  name: '北海市测试部门',
  region_code: '450500',
  parent_code: home,
  kind: 'government',
  extranet_connected: false,
  extranet_connected_at: null,
  ...extra,
});
/** A department user's row: the classification is pending (待认定) until a reviewer certifies it. */
const system = (extra: Partial<SystemInput> & Pick<SystemInput, 'code' | 'department_code'>): SystemInput => ({
  name: '测试系统',
  classification: 'pending',
  state: 'not_migrated',
  state_at: null,
  cloud_code: null,
  tenant: null,
  security_level: null,
  filing_number: null,
  assessed_on: null,
  dr_site: null,
  dr_cloud_code: null,
  rto_minutes: null,
  rpo_minutes: null,
  ...extra,
});

describeEachBackend('imports and exports API', (getDb) => {
  let app: App;
  let cast: Cast;
  /** Each request as the caller of the cast allowed to make it. */
  let api: ApiClient;

  /** POSTs one file as multipart field `file`. */
  const upload = (kind: string, data: Uint8Array | string, name = 'x.csv', query = '', on: ApiClient = api): Promise<Answer> =>
    on.post(`/api/v1/import/${kind}${query}`, fileForm(data, name));
  const imported = async (kind: string, data: Uint8Array | string, name = 'x.csv', query = ''): Promise<ImportReport> => {
    const a = await upload(kind, data, name, query);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.type).toContain('application/json');
    return a.body as unknown as ImportReport;
  };
  const exported = async (kind: ImportKind, format: 'csv' | 'xlsx'): Promise<Uint8Array> => {
    const a = await api.get(`/api/v1/export/${kind}?format=${format}`);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toContain(format === 'csv' ? 'text/csv' : 'spreadsheetml.sheet');
    expect(a.headers.get('content-disposition')).toBe(`attachment; filename="${kind}.${format}"`);
    return a.bytes;
  };
  const problem = (a: Answer) => a.body as unknown as Problem;
  const expectProblem = (a: Answer, status: number, code?: string) => {
    expect(a.status, JSON.stringify(a.body)).toBe(status);
    expect(a.type).toContain('application/problem+json');
    expect(problem(a).status).toBe(status);
    expect(problem(a).requestId).toEqual(expect.any(String));
    if (code) expect(problem(a).code).toBe(code);
  };

  const countOf = async (table: 'systems' | 'departments' | 'transitions' | 'audit_log') => {
    const [row] = await queryRows<{ n: number }>(getDb(), sql`select count(*)::int as n from ${sql.identifier(table)}`);
    return row?.n ?? 0;
  };
  const counts = async () => ({
    departments: await countOf('departments'),
    systems: await countOf('systems'),
    transitions: await countOf('transitions'),
    audit_log: await countOf('audit_log'),
  });
  const importAudits = () =>
    queryRows<{ entity_kind: string; entity_code: string | null; after: Json }>(
      getDb(),
      sql`select entity_kind, entity_code, after from audit_log where action = 'import' order by id`,
    );

  /** A parent department and a sub-department, imported from CSV, for tests that need somewhere to put systems. */
  const importDepartments = async (...rows: DepartmentInput[]) => {
    const report = await imported('departments', csv([departmentHeader, ...rows.map(departmentCells)]));
    expect(report.created + report.updated + report.unchanged).toBe(rows.length);
    return rows;
  };

  beforeAll(async () => {
    await loadDivisions(getDb().db);
    app = createApp({ database: getDb(), config });
    cast = await createCast(app, getDb().db, { code: home, name: '自治区测试主管部门', region_code: '450000' });
    api = apiClient(app, cast);
  });

  describe('CSV import', () => {
    it('imports departments then systems, and the same file again changes nothing', async () => {
      const parent = department({ code: uid('D'), name: '北海市大数据局', extranet_connected: true, extranet_connected_at: '2019-05-01' });
      const child = department({ code: uid('D'), name: '北海市信息中心', parent_code: parent.code, kind: 'institution' });
      const county = department({ code: uid('D'), name: '合浦县政务服务中心', region_code: '450521' });
      // The child comes first: parents need not precede their children in the file.
      const departmentsFile = csv([departmentHeader, ...[child, parent, county].map(departmentCells)]);
      expect(await imported('departments', departmentsFile)).toEqual({
        kind: 'departments',
        rows: 3,
        created: 3,
        updated: 0,
        unchanged: 0,
        dry_run: false,
      });
      expect((await api.get(`/api/v1/departments/${child.code}`)).body).toMatchObject({ parent_code: parent.code, kind: 'institution' });

      const systems = [
        system({ code: uid('S'), department_code: parent.code, state: 'migrated', state_at: '2020-03-01' }),
        system({ code: uid('S'), department_code: child.code, classification: 'pending' }),
        system({ code: uid('S'), department_code: county.code, state: 'migrating', state_at: '2020-05-01', name: '合浦县不动产登记系统' }),
      ];
      const systemsFile = csv([systemHeader, ...systems.map(systemCells)]);
      expect(await imported('systems', systemsFile)).toEqual({
        kind: 'systems',
        rows: 3,
        created: 3,
        updated: 0,
        unchanged: 0,
        dry_run: false,
      });
      expect((await api.get(`/api/v1/systems/${systems[0]?.code}`)).body).toMatchObject({
        department_code: parent.code,
        classification: 'pending',
        state: 'migrated',
        state_at: '2020-03-01',
      });

      const before = await counts();
      expect(await imported('departments', departmentsFile)).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
      expect(await imported('systems', systemsFile)).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
      const after = await counts();
      expect(after.transitions).toBe(before.transitions);
      expect(after.systems).toBe(before.systems);
      expect(after.departments).toBe(before.departments);

      // One changed row is an update; the rest stay unchanged.
      const renamed = systems.map((s, i) => (i === 2 ? { ...s, name: '合浦县不动产登记系统（二期）' } : s));
      expect(await imported('systems', csv([systemHeader, ...renamed.map(systemCells)]))).toMatchObject({
        created: 0,
        updated: 1,
        unchanged: 2,
      });
      expect((await api.get(`/api/v1/systems/${systems[2]?.code}`)).body).toMatchObject({
        name: '合浦县不动产登记系统（二期）',
        state: 'migrating',
      });
    });

    it('dry_run=true counts but writes nothing', async () => {
      const [dept] = await importDepartments(department({ code: uid('D') }));
      const existing = system({ code: uid('S'), department_code: String(dept?.code) });
      await imported('systems', csv([systemHeader, systemCells(existing)]));

      const fresh = system({ code: uid('S'), department_code: String(dept?.code), state: 'migrated', state_at: '2020-01-01' });
      const changed = { ...existing, state: 'migrating' as const, state_at: '2020-02-01' };
      const file = csv([systemHeader, systemCells(fresh), systemCells(changed)]);
      const before = await counts();
      expect(await imported('systems', file, 'x.csv', '?dry_run=true')).toEqual({
        kind: 'systems',
        rows: 2,
        created: 1,
        updated: 1,
        unchanged: 0,
        dry_run: true,
      });
      expect(await counts()).toEqual(before);
      expect((await api.get(`/api/v1/systems/${fresh.code}`)).status).toBe(404);
      expect((await api.get(`/api/v1/systems/${existing.code}`)).body).toMatchObject({ state: 'not_migrated', state_at: null });

      // The same file for real does what the dry run said.
      expect(await imported('systems', file)).toMatchObject({ created: 1, updated: 1, unchanged: 0, dry_run: false });
      expect((await api.get(`/api/v1/systems/${existing.code}`)).body).toMatchObject({ state: 'migrating', state_at: '2020-02-01' });
    });

    it('rejects a file with three bad rows, naming every one by row and column, and writes nothing', async () => {
      const [dept] = await importDepartments(department({ code: uid('D') }));
      const d = String(dept?.code);
      const codes = [uid('S'), uid('S'), uid('S'), uid('S'), uid('S')];
      const file = csv([
        ['编码', '名称', '部门编码', '密级', '状态', '状态日期'],
        [codes[0] ?? '', '正常系统一', d, '待认定', '已上云', '2020-01-01'], // row 2
        [codes[1] ?? '', '状态写错', d, '待认定', '完成', '2020-01-01'], // row 3: bad enum
        [codes[2] ?? '', '正常系统二', d, '待认定', '未迁移', ''], // row 4
        [codes[3] ?? '', '日期写错', d, '待认定', '已上云', '2020-13-45'], // row 5: bad date
        [codes[4] ?? '', '部门不存在', 'NO-SUCH-DEPT', '待认定', '迁移中', '2020-01-01'], // row 6: unknown department
      ]);
      const before = await counts();
      const a = await upload('systems', file, '系统清单.csv');
      expectProblem(a, 422, 'import_rejected');
      const errors = problem(a).errors ?? [];
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ row: 3, column: '状态', field: 'state' }),
          expect.objectContaining({ row: 5, column: '状态日期', field: 'state_at' }),
          expect.objectContaining({ row: 6, column: '部门编码', field: 'department_code' }),
        ]),
      );
      expect(errors.find((e) => e.row === 3)?.message).toContain('完成');
      // To a department user an unknown department is one that is not his (issue 14, item 18).
      expect(errors.find((e) => e.row === 6)?.message).toBe('is not a department of yours');
      expect(new Set(errors.map((e) => e.row))).toEqual(new Set([3, 5, 6]));
      expect(await counts()).toEqual(before);
      for (const code of codes) expect((await api.get(`/api/v1/systems/${code}`)).status).toBe(404);
    });

    it("reports a row whose only fault is in the database (an unknown department) by row and column, as not the caller's", async () => {
      const [dept] = await importDepartments(department({ code: uid('D') }));
      const file = csv([
        ['编码', '名称', '部门编码', '密级', '状态', '状态日期'],
        [uid('S'), '正常系统', String(dept?.code), '待认定', '已上云', '2020-01-01'],
        [uid('S'), '部门不存在', 'NO-SUCH-DEPT', '待认定', '迁移中', '2020-01-01'],
      ]);
      const before = await counts();
      const a = await upload('systems', file);
      expectProblem(a, 403, 'forbidden');
      expect(problem(a).errors).toEqual([
        expect.objectContaining({ row: 3, column: '部门编码', field: 'department_code', message: 'is not a department of yours' }),
      ]);
      // Nothing is written but the refusal's own audit entry, as for any refused write.
      expect(await counts()).toEqual({ ...before, audit_log: before.audit_log + 1 });
    });

    it('reads Chinese headers and Chinese values, from a CSV with a BOM', async () => {
      const parent = uid('D');
      const child = uid('D');
      const departmentsFile = withBom(
        utf8(
          csv([
            ['编码', '名称', '行政区划代码', '上级编码', '类型', '已接入外网', '接入日期'],
            [parent, '北海市发展和改革委员会', '450500', home, '政府部门', '是', '2019-10-01'],
            [child, '北海市价格监测中心', '450502', parent, '事业单位', '否', null],
          ]),
        ),
      );
      expect([...departmentsFile.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(await imported('departments', departmentsFile)).toMatchObject({ rows: 2, created: 2 });
      expect((await api.get(`/api/v1/departments/${parent}`)).body).toMatchObject({
        name: '北海市发展和改革委员会',
        kind: 'government',
        extranet_connected: true,
        extranet_connected_at: '2019-10-01',
      });
      expect((await api.get(`/api/v1/departments/${child}`)).body).toMatchObject({
        kind: 'institution',
        parent_code: parent,
        extranet_connected: false,
      });

      const s1 = uid('S');
      const s2 = uid('S');
      const systemsFile = (classifications: [string, string]) =>
        withBom(
          utf8(
            csv([
              ['编码', '名称', '部门编码', '密级', '状态', '状态日期'],
              [s1, '价格监测系统', child, classifications[0], '已上云', '2020/3/5'],
              [s2, '涉密办公系统', parent, classifications[1], '已下线', '2020-06-30'],
            ]),
          ),
        );
      // The department registers its systems pending (待认定) …
      expect(await imported('systems', systemsFile(['待认定', '待认定']))).toMatchObject({ rows: 2, created: 2 });
      expect((await api.get(`/api/v1/systems/${s1}`)).body).toMatchObject({
        classification: 'pending',
        state: 'migrated',
        state_at: '2020-03-05',
      });
      expect((await api.get(`/api/v1/systems/${s2}`)).body).toMatchObject({
        classification: 'pending',
        state: 'retired',
        state_at: '2020-06-30',
      });
      // … the reviewer certifies them (认定) …
      for (const [code, classification] of [
        [s1, 'non_classified'],
        [s2, 'classified'],
      ] as const) {
        const certified = await api.post(`/api/v1/systems/${code}/certifications`, { classification, evidence: '测试认定' });
        expect(certified.status).toBe(201);
      }
      // … and a file saying 非涉密 and 涉密 now agrees with the registry: nothing to change.
      const certifiedFile = systemsFile(['非涉密', '涉密']);
      expect(await imported('systems', certifiedFile)).toMatchObject({ unchanged: 2, created: 0, updated: 0 });
      expect((await api.get(`/api/v1/systems/${s1}`)).body).toMatchObject({ classification: 'non_classified' });
      expect((await api.get(`/api/v1/systems/${s2}`)).body).toMatchObject({ classification: 'classified' });

      // The same file without its BOM reads the same: nothing to change.
      expect(await imported('systems', certifiedFile.subarray(3))).toMatchObject({ unchanged: 2, created: 0, updated: 0 });
    });

    it('imports an XLSX workbook', async () => {
      const depts = [department({ code: uid('D'), name: '银海区政务服务中心', region_code: '450503' })];
      const deptReport = await imported('departments', await writeExportFile('departments', depts, 'xlsx'), 'x.xlsx');
      expect(deptReport).toEqual({ kind: 'departments', rows: 1, created: 1, updated: 0, unchanged: 0, dry_run: false });
      const systems = [
        system({ code: uid('S'), department_code: depts[0]?.code ?? '', state: 'migrated', state_at: '2020-08-08' }),
        system({ code: uid('S'), department_code: depts[0]?.code ?? '', name: '00123' }),
      ];
      const workbook = await writeExportFile('systems', systems, 'xlsx');
      expect([...workbook.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
      expect(await imported('systems', workbook, 'x.xlsx')).toMatchObject({ rows: 2, created: 2 });
      expect((await api.get(`/api/v1/systems/${systems[0]?.code}`)).body).toMatchObject({ state: 'migrated', state_at: '2020-08-08' });
      expect((await api.get(`/api/v1/systems/${systems[1]?.code}`)).body).toMatchObject({ name: '00123', classification: 'pending' });
      expect(await imported('systems', workbook, 'x.xlsx')).toMatchObject({ unchanged: 2 });

      // Once the reviewer has certified one as classified, a workbook saying so changes nothing.
      const certified = await api.post(`/api/v1/systems/${systems[1]?.code}/certifications`, {
        classification: 'classified',
        evidence: '测试认定',
      });
      expect(certified.status).toBe(201);
      const agreeing = systems.map((s, i) => (i === 1 ? { ...s, classification: 'classified' as const } : s));
      expect(await imported('systems', await writeExportFile('systems', agreeing, 'xlsx'), 'x.xlsx')).toMatchObject({ unchanged: 2 });
      expect((await api.get(`/api/v1/systems/${systems[1]?.code}`)).body).toMatchObject({ name: '00123', classification: 'classified' });
    });
  });

  describe('export and round trip', () => {
    it('exports CSV and XLSX that re-import unchanged and read back as what was imported', async () => {
      const cloud = uid('C');
      const c = await api.post('/api/v1/clouds', {
        code: cloud,
        name: '北海市政务云',
        kind: 'city',
        provider: 'Huawei',
        region_code: '450500',
      });
      expect(c.status).toBe(201);

      const parent = department({
        code: uid('D'),
        name: '北海市"数字政府"办公室, 一期',
        extranet_connected: true,
        extranet_connected_at: '2020-01-15',
      });
      const child = department({
        code: uid('D'),
        name: '=北海市数据中心',
        parent_code: parent.code,
        kind: 'enterprise',
        region_code: '450512',
      });
      const depts = [parent, child];
      await imported('departments', await writeExportFile('departments', depts, 'csv'));
      const systems = [
        system({
          code: uid('S'),
          department_code: parent.code,
          state: 'migrated',
          state_at: '2020-04-01',
          cloud_code: cloud,
          tenant: 'bh-szzf',
          security_level: 3,
          filing_number: '45050013001-20001',
          assessed_on: '2020-05-01',
        }),
        system({
          code: uid('S'),
          department_code: child.code,
          name: '多行\n名称的系统',
          classification: 'pending',
          state: 'migrating',
          state_at: '2020-02-02',
        }),
        system({ code: uid('S'), department_code: child.code, state: 'retired', state_at: '2020-09-09', tenant: null }),
      ];
      expect(await imported('systems', await writeExportFile('systems', systems, 'csv'))).toMatchObject({ created: 3 });

      for (const format of ['csv', 'xlsx'] as const) {
        const mine = <T extends { code: string }>(rows: T[], wanted: T[]) => {
          const codes = new Set(wanted.map((w) => w.code));
          return rows.filter((r) => codes.has(r.code)).sort((a, b) => a.code.localeCompare(b.code));
        };
        const byCode = <T extends { code: string }>(rows: T[]) => [...rows].sort((a, b) => a.code.localeCompare(b.code));

        const deptFile = await exported('departments', format);
        const deptParsed = await parseImportFile(deptFile, format, 'departments');
        expect(deptParsed.errors).toEqual([]);
        expect(
          mine(
            deptParsed.rows.map((r) => r.input),
            depts,
          ),
        ).toStrictEqual(byCode(depts));
        const deptReport = await imported('departments', deptFile, `departments.${format}`);
        expect(deptReport).toMatchObject({ created: 0, updated: 0, unchanged: deptParsed.rows.length, rows: deptParsed.rows.length });

        const sysFile = await exported('systems', format);
        const sysParsed = await parseImportFile(sysFile, format, 'systems');
        expect(sysParsed.errors).toEqual([]);
        expect(
          mine(
            sysParsed.rows.map((r) => r.input),
            systems,
          ),
        ).toStrictEqual(byCode(systems));
        const before = await counts();
        const sysReport = await imported('systems', sysFile, `systems.${format}`);
        expect(sysReport).toMatchObject({ created: 0, updated: 0, unchanged: sysParsed.rows.length, rows: sysParsed.rows.length });
        const after = await counts();
        expect(after.transitions).toBe(before.transitions);
        expect(after.systems).toBe(before.systems);
      }
    });

    it('exports data centres that re-import unchanged, their numbers and Chinese headers included', async () => {
      const owner = department({ code: uid('D'), name: '钦州市大数据发展局' });
      await imported('departments', await writeExportFile('departments', [owner], 'csv'));
      const centres = [
        {
          code: uid('DC'),
          name: '钦州市政务数据中心',
          department_code: owner.code,
          classification: 'pending' as 'pending' | 'non_classified',
          state: 'consolidated' as const,
          state_at: '2020-03-31',
          region_code: '450702',
          racks: 48,
          floor_area_m2: 320.5,
        },
        {
          code: uid('DC'),
          name: '钦州市备份机房',
          department_code: owner.code,
          classification: 'pending' as const,
          state: 'in_use' as const,
          state_at: null,
          region_code: '450700',
          racks: null,
          floor_area_m2: null,
        },
      ];
      const [certified, pending] = centres as [(typeof centres)[0], (typeof centres)[1]];
      const chinese = csv([
        ['编码', '名称', '部门编码', '密级', '状态', '状态日期', '行政区划代码', '机柜数', '机房面积'],
        [certified.code, certified.name, owner.code, '待认定', '已整合', '2020/3/31', '450702', '48', '320.5'],
        [pending.code, pending.name, owner.code, '待认定', '在用', null, '450700', null, null],
      ]);
      expect(await imported('data-centres', chinese)).toMatchObject({ created: 2 });
      // A reviewer certifies one: the export carries its classification, which the department may then re-import.
      const certification = await api
        .as(cast.callers.reviewer)
        .post(`/api/v1/data-centres/${certified.code}/certifications`, { classification: 'non_classified', evidence: '桂数据〔2020〕3号' });
      expect(certification.status).toBe(201);
      certified.classification = 'non_classified';

      const byCode = [...centres].sort((a, b) => a.code.localeCompare(b.code));
      const codes = new Set(centres.map((c) => c.code));
      for (const format of ['csv', 'xlsx'] as const) {
        const file = await exported('data-centres', format);
        const parsed = await parseImportFile(file, format, 'data-centres');
        expect(parsed.errors).toEqual([]);
        expect(parsed.rows.map((r) => r.input).filter((r) => codes.has(r.code))).toStrictEqual(byCode);
        const before = await counts();
        const report = await imported('data-centres', file, `data-centres.${format}`);
        expect(report).toMatchObject({ created: 0, updated: 0, unchanged: parsed.rows.length, rows: parsed.rows.length });
        expect((await counts()).transitions).toBe(before.transitions);
      }
    });

    it('refuses an unknown export format', async () => {
      const a = await api.get('/api/v1/export/systems?format=pdf');
      expectProblem(a, 422, 'validation_failed');
    });
  });

  describe('bad uploads', () => {
    it('a caller who may not write the kind is refused (403) before the file is read', async () => {
      const file = csv([
        ['编码', '名称', '部门编码', '状态'],
        [uid('S'), '系统', 'NO-SUCH-DEPT', '完成'],
      ]);
      const as = (who: keyof Cast['callers'], kind: string) =>
        api.as(cast.callers[who]).post(`/api/v1/import/${kind}`, fileForm(file, 'x.csv'));
      const before = await counts();
      // The leader reads everything and writes nothing; the file's faults are not its business.
      const leader = await as('leader', 'systems');
      expectProblem(leader, 403, 'forbidden');
      expect(problem(leader).errors ?? []).toEqual([]);
      expectProblem(await as('department', 'departments'), 403, 'forbidden');
      expectProblem(await as('sysadmin', 'systems'), 403, 'forbidden');
      // The department user may import systems: then the file is read, and its faults named.
      expectProblem(await as('department', 'systems'), 422, 'import_rejected');
      // Nothing written but the three refusals, audited.
      expect(await counts()).toEqual({ ...before, audit_log: before.audit_log + 3 });
      const refusals = await queryRows<{ action: string; result: string }>(
        getDb(),
        sql`select action, result from audit_log order by id desc limit 3`,
      );
      expect(refusals).toEqual(Array(3).fill({ action: 'importFile', result: 'denied' }));
    });

    it('a file that is neither CSV nor XLSX → 415 or 422 problem+json', async () => {
      // PNG signature and the start of an IHDR chunk (which holds NUL bytes).
      const png = new Uint8Array([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x01, 0x00,
      ]);
      const before = await counts();
      const a = await upload('systems', png, 'x.png');
      expect([415, 422]).toContain(a.status);
      expectProblem(a, a.status);
      expect(await counts()).toEqual(before);
    });

    it('a missing file field → 422', async () => {
      const form = new FormData();
      form.append('other', 'not a file');
      const a = await api.post('/api/v1/import/systems', form);
      expectProblem(a, 422, 'validation_failed');
      expect((problem(a).errors ?? []).some((e) => e.field.endsWith('file'))).toBe(true);
    });

    it('an unknown kind → 404 or 422', async () => {
      const a = await upload('rockets', csv([['code'], ['X']]));
      expect([404, 422]).toContain(a.status);
      expectProblem(a, a.status);
    });

    it('an empty file and a file with unknown columns → 422 import_rejected', async () => {
      const empty = await upload('systems', '');
      expect([415, 422]).toContain(empty.status);
      expectProblem(empty, empty.status);

      const unknown = await upload(
        'systems',
        csv([
          ['code', 'name', 'department_code', 'colour'],
          [uid('S'), '系统', 'X', 'red'],
        ]),
      );
      expectProblem(unknown, 422, 'import_rejected');
      expect(problem(unknown).errors).toEqual(expect.arrayContaining([expect.objectContaining({ row: 1, column: 'colour' })]));
    });

    it('a file over YUNWANG_IMPORT_LIMIT_BYTES → 413 problem+json', async () => {
      const small = createApp({ database: getDb(), config: { ...config, YUNWANG_IMPORT_LIMIT_BYTES: 4096 } });
      const rows = Array.from({ length: 200 }, (_, i) => [`BIG-${i}`, '一个名字很长的测试系统', 'NO-DEPT']);
      const before = await counts();
      const a = await upload('systems', csv([['code', 'name', 'department_code'], ...rows]), 'x.csv', '', apiClient(small, cast));
      expectProblem(a, 413, 'payload_too_large');
      expect(await counts()).toEqual(before);
    });
  });

  describe('audit', () => {
    it('every import writes one audit_log row with action import; dry runs and rejected files write none', async () => {
      const start = (await importAudits()).length;
      const [dept] = await importDepartments(department({ code: uid('D') }));
      const s = system({ code: uid('S'), department_code: String(dept?.code) });
      const file = csv([systemHeader, systemCells(s)]);

      await imported('systems', file, '第一次.csv');
      await imported('systems', file, '第二次.csv');
      await imported('systems', file, 'dry.csv', '?dry_run=true');
      const stray = system({ code: uid('S'), department_code: 'NO-SUCH-DEPT' });
      // Refused (403, an unknown department is not the caller's): no import entry either.
      expect((await upload('systems', csv([systemHeader, systemCells(stray)]), 'bad.csv')).status).toBe(403);
      await imported('systems', await writeExportFile('systems', [s], 'xlsx'), '第三次.xlsx');

      const audits = (await importAudits()).slice(start);
      expect(audits.map((a) => [a.entity_kind, a.entity_code])).toEqual([
        ['departments', 'x.csv'],
        ['systems', '第一次.csv'],
        ['systems', '第二次.csv'],
        ['systems', '第三次.xlsx'],
      ]);
      expect(audits[1]?.after).toMatchObject({ format: 'csv', rows: 1, created: 1, updated: 0, unchanged: 0 });
      expect(audits[2]?.after).toMatchObject({ format: 'csv', rows: 1, created: 0, updated: 0, unchanged: 1 });
      expect(audits[3]?.after).toMatchObject({ format: 'xlsx', rows: 1, unchanged: 1 });
    });
  });
});
