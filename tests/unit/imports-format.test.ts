import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  detectFormat,
  type FileFormat,
  parseImportFile,
  type ReadRow,
  readImportRows,
  sniffFormat,
  writeExportFile,
} from '../../src/imports/format.ts';
import { importColumns } from '../../src/imports/headers.ts';
import { AppError } from '../../src/kernel/errors.ts';
import { type ImportKind, type InputByKind, importKinds, inputSchemas } from '../../src/registry/schemas.ts';

/** Rows as the schema outputs them: every optional key present, nulls explicit. */
const samples: { [K in ImportKind]: InputByKind[K][] } = {
  departments: [
    {
      code: 'GZ-FGW',
      name: '广州市发展和改革委员会',
      region_code: '440100',
      parent_code: null,
      kind: 'government',
      extranet_connected: true,
      extranet_connected_at: '2023-06-30',
    },
    {
      code: 'GZ-ZSJ.XXZX',
      name: '广州市政务服务数据管理局信息中心（"数字政府"运营）, 二期',
      region_code: '440106001',
      parent_code: 'GZ-ZSJ',
      kind: 'institution',
      extranet_connected: false,
      extranet_connected_at: null,
    },
    {
      code: 'GD_TT_01',
      name: '=广东省铁路建设投资集团有限公司',
      region_code: '440000',
      parent_code: null,
      kind: 'enterprise',
      extranet_connected: false,
      extranet_connected_at: null,
    },
  ],
  systems: [
    {
      code: 'SYS-0001',
      name: '广州市不动产登记信息平台',
      department_code: 'GZ-GTJ',
      classification: 'non_classified',
      state: 'migrated',
      state_at: '2022-11-01',
      cloud_code: 'GD-ZWY',
      tenant: 'gz-gtj-prod',
      security_level: 3,
      filing_number: '44010013001-20001',
      assessed_on: '2024-06-30',
      dr_site: 'remote',
      dr_cloud_code: 'GD-ZWY-DR',
      rto_minutes: 240,
      rpo_minutes: 30,
    },
    {
      code: 'SYS-0002',
      name: '公安视频图像\n综合应用系统',
      department_code: 'GZ-GAJ',
      classification: 'classified',
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
    },
    {
      code: 'SYS-0003',
      name: '"粤省事"广州分厅',
      department_code: 'GZ-ZSJ',
      classification: 'pending',
      state: 'retired',
      state_at: '2024-02-29',
      cloud_code: null,
      tenant: '+租户 A',
      security_level: null,
      filing_number: null,
      assessed_on: null,
      dr_site: null,
      dr_cloud_code: null,
      rto_minutes: null,
      rpo_minutes: null,
    },
  ],
  'private-networks': [
    {
      code: 'PN-JY-01',
      name: '教育城域网',
      department_code: 'GZ-JYJ',
      classification: 'non_classified',
      state: 'interconnected',
      state_at: '2023-12-31',
    },
    {
      code: 'PN-GA-02',
      name: '公安视频专网',
      department_code: 'GZ-GAJ',
      classification: 'classified',
      state: 'not_started',
      state_at: null,
    },
  ],
  'service-items': [
    {
      code: '11440100MB2C01',
      name: '不动产登记（首次登记）',
      department_code: 'GZ-GTJ',
      system_type: 'national',
      integration_required: true,
      integrated: true,
      integrated_at: '2024-03-15',
      service_level: 'full_online',
      service_level_since: '2024-03-15',
    },
    {
      code: '11440100MB2C02',
      name: '-个体工商户设立登记',
      department_code: 'GZ-SCJ',
      system_type: 'self_built',
      integration_required: false,
      integrated: false,
      integrated_at: null,
      service_level: 'offline_one_visit',
      service_level_since: '2023-11-01',
    },
  ],
  'network-nodes': [
    {
      code: 'NODE-GZ-BB1',
      name: '广州骨干节点（天河）',
      region_code: '440106',
      tier: 'backbone',
      commissioned: true,
      commissioned_at: '2021-07-01',
      probe_address: '10.12.0.1',
    },
    {
      code: 'NODE-GZ-M07',
      name: '番禺城域节点',
      region_code: '440113',
      tier: 'metro',
      commissioned: false,
      commissioned_at: null,
      probe_address: null,
    },
  ],
  'data-centres': [
    {
      code: 'DC-GZ-01',
      name: '广州市政务服务数据管理局中心机房',
      department_code: 'GZ-ZSJ',
      classification: 'non_classified',
      state: 'consolidated',
      state_at: '2023-09-30',
      region_code: '440106',
      racks: 120,
      floor_area_m2: 862.5,
    },
    {
      code: 'DC-GZ-02',
      name: '广州市公安局备份机房',
      department_code: 'GZ-GAJ',
      classification: 'pending',
      state: 'in_use',
      state_at: null,
      region_code: '440100',
      racks: 0,
      floor_area_m2: null,
    },
    {
      code: 'DC-GZ-03',
      name: '番禺区数据中心',
      department_code: 'GZ-FGW',
      classification: 'classified',
      state: 'closed',
      state_at: '2024-02-29',
      region_code: '440113',
      racks: null,
      floor_area_m2: 40,
    },
  ],
  'interface-services': [
    {
      code: 'IF-GZ-001',
      name: '不动产登记信息查询接口',
      provider_system_code: 'SYS-0001',
      consumer_system_codes: ['SYS-0002', 'SYS-0003'],
      state: 'active',
      state_at: '2023-05-04',
    },
    {
      code: 'IF-GZ-002',
      name: '"粤省事"证照共享接口, 二期',
      provider_system_code: 'SYS-0003',
      consumer_system_codes: [],
      state: 'planned',
      state_at: null,
    },
    {
      code: 'IF-GZ-003',
      name: '已下线的核验服务',
      provider_system_code: 'SYS-0002',
      consumer_system_codes: ['SYS-0001'],
      state: 'retired',
      state_at: '2024-02-29',
    },
  ],
};

const encode = (text: string) => new TextEncoder().encode(text);
const parseCsv = <K extends ImportKind>(text: string, kind: K) => parseImportFile(encode(text), 'csv', kind);

async function xlsxFrom(rows: ExcelJS.CellValue[][], configure?: (sheet: ExcelJS.Worksheet) => void): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('导入');
  rows.forEach((values, i) => {
    const row = sheet.getRow(i + 1);
    values.forEach((value, c) => {
      if (value !== null) row.getCell(c + 1).value = value;
    });
  });
  configure?.(sheet);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

async function readXlsx(data: Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(data) as unknown as ArrayBuffer);
  return workbook;
}

describe('header table', () => {
  it.each(importKinds)('%s lists exactly the fields of its input schema', (kind) => {
    const fields = importColumns[kind].map((spec) => spec.field).sort();
    expect(fields).toEqual(Object.keys(inputSchemas[kind].shape).sort());
  });

  it('samples are what the schemas output', () => {
    for (const kind of importKinds) {
      for (const row of samples[kind]) expect(inputSchemas[kind].parse(row)).toStrictEqual(row);
    }
  });
});

describe('round trip writeExportFile → parseImportFile', () => {
  const cases = importKinds.flatMap((kind) => (['csv', 'xlsx'] as const).map((format) => [kind, format] as const));

  it.each(cases)('%s as %s gives back the same rows', async (kind, format: FileFormat) => {
    const rows = samples[kind];
    const file = await writeExportFile(kind, rows, format);
    const parsed = await parseImportFile(file, format, kind);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((row) => row.input)).toStrictEqual(rows);
    expect(parsed.rows.map((row) => row.rowNumber)).toEqual(rows.map((_, i) => i + 2));
  });

  it('an export with no rows reads back as no rows', async () => {
    const file = await writeExportFile('systems', [], 'csv');
    expect(await parseImportFile(file, 'csv', 'systems')).toMatchObject({ rows: [], errors: [] });
  });
});

describe('writeExportFile', () => {
  it('writes CSV as UTF-8 with a BOM, CRLF, English headers and canonical values', async () => {
    const file = await writeExportFile('service-items', samples['service-items'], 'csv');
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(file);
    expect(text.split('\r\n')).toEqual([
      'code,name,department_code,system_type,integration_required,integrated,integrated_at,service_level,service_level_since',
      '11440100MB2C01,不动产登记（首次登记）,GZ-GTJ,national,true,true,2024-03-15,full_online,2024-03-15',
      // A leading "-" could be run as a formula by Excel, hence the apostrophe.
      "11440100MB2C02,'-个体工商户设立登记,GZ-SCJ,self_built,false,false,,offline_one_visit,2023-11-01",
      '',
    ]);
  });

  it('quotes CSV fields per RFC 4180', async () => {
    const file = await writeExportFile('departments', samples.departments.slice(1, 2), 'csv');
    const text = new TextDecoder().decode(file);
    expect(text).toContain('"广州市政务服务数据管理局信息中心（""数字政府""运营）, 二期"');
  });

  it('writes XLSX with a sheet named after the kind, a bold header and dates as text', async () => {
    const file = await writeExportFile('systems', samples.systems, 'xlsx');
    const workbook = await readXlsx(file);
    const sheet = workbook.worksheets[0];
    expect(sheet?.name).toBe('systems');
    expect(sheet?.getRow(1).values).toEqual([
      undefined,
      'code',
      'name',
      'department_code',
      'classification',
      'state',
      'state_at',
      'cloud_code',
      'tenant',
      'security_level',
      'filing_number',
      'assessed_on',
      'dr_site',
      'dr_cloud_code',
      'rto_minutes',
      'rpo_minutes',
    ]);
    expect(sheet?.getCell('A1').font?.bold).toBe(true);
    expect(sheet?.getCell('F2').value).toBe('2022-11-01');
    expect(sheet?.getCell('G3').value).toBeNull();
    expect(sheet?.rowCount).toBe(4);
  });
});

describe('parseImportFile: headers', () => {
  const chineseCsv = [
    '编码,名称,部门编码,密级,状态,状态日期,云平台编码,租户,等保级别,备案编号,最近测评日期,灾备方式,灾备云平台编码,RTO（分钟）,RPO（分钟）',
    'SYS-01,广州市社保业务系统,GZ-RSJ,非涉密,已上云,2023-05-20,GD-ZWY,gz-rsj,3,44010013001-20001,2024-06-30,同城,GD-ZWY-DR,60,15',
    'SYS-02,广州市档案管理系统,GZ-DAJ,待认定,迁移中,,,,,,,,,,',
  ].join('\n');

  it('accepts Chinese headers and Chinese values', async () => {
    const parsed = await parseCsv(chineseCsv, 'systems');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toStrictEqual([
      {
        rowNumber: 2,
        input: {
          code: 'SYS-01',
          name: '广州市社保业务系统',
          department_code: 'GZ-RSJ',
          classification: 'non_classified',
          state: 'migrated',
          state_at: '2023-05-20',
          cloud_code: 'GD-ZWY',
          tenant: 'gz-rsj',
          security_level: 3,
          filing_number: '44010013001-20001',
          assessed_on: '2024-06-30',
          dr_site: 'same_city',
          dr_cloud_code: 'GD-ZWY-DR',
          rto_minutes: 60,
          rpo_minutes: 15,
        },
      },
      {
        rowNumber: 3,
        input: {
          code: 'SYS-02',
          name: '广州市档案管理系统',
          department_code: 'GZ-DAJ',
          classification: 'pending',
          state: 'migrating',
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
        },
      },
    ]);
  });

  it('reads a CSV the same with and without a BOM', async () => {
    const withBom = await parseCsv(`\ufeff${chineseCsv}`, 'systems');
    const withoutBom = await parseCsv(chineseCsv, 'systems');
    expect(withBom.errors).toEqual([]);
    expect(withBom).toStrictEqual(withoutBom);
  });

  it('accepts `code(编码)`, full-width parentheses, any case and surrounding spaces', async () => {
    const csv = [
      ' CODE(编码) ,名称（name）,Region_Code （行政区划代码）,层级,  已建成 ,commissioned_at(建成日期),探测地址',
      'NODE-1,越秀城域节点,440104,城域,是,2020-01-02,10.0.0.9',
    ].join('\r\n');
    const parsed = await parseCsv(csv, 'network-nodes');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows[0]?.input).toStrictEqual({
      code: 'NODE-1',
      name: '越秀城域节点',
      region_code: '440104',
      tier: 'metro',
      commissioned: true,
      commissioned_at: '2020-01-02',
      probe_address: '10.0.0.9',
    });
  });

  it('reports an unknown header on row 1, naming the column', async () => {
    const parsed = await parseCsv('code,name,department_code,system_type,负责人\nSI-1,事项,D1,自建,张三', 'service-items');
    expect(parsed.errors).toEqual([
      {
        field: '负责人',
        column: '负责人',
        row: 1,
        message: expect.stringContaining('unknown column "负责人"'),
      },
    ]);
  });

  it('rejects a header whose two halves name different columns', async () => {
    const parsed = await parseCsv('code(名称),name,department_code,system_type\n', 'service-items');
    expect(parsed.errors.map((e) => [e.field, e.column ?? null])).toEqual([
      ['code(名称)', 'code(名称)'],
      ['code', null],
    ]);
  });

  it('reports a missing required column once, not on every row', async () => {
    const parsed = await parseCsv('编码,名称,部门编码\nSI-1,事项一,D1\nSI-2,事项二,D1', 'service-items');
    expect(parsed.errors).toEqual([{ field: 'system_type', row: 1, message: 'required column system_type (系统类型) is missing' }]);
    expect(parsed.rows).toEqual([]);
  });

  it('reports a column given twice', async () => {
    const parsed = await parseCsv('code,name,region_code,kind,名称\nD1,部门,440100,政府部门,部门', 'departments');
    expect(parsed.errors).toEqual([{ field: 'name', column: '名称', row: 1, message: 'column "名称" repeats column "name" (name)' }]);
  });

  it('reports an empty file', async () => {
    const parsed = await parseCsv('', 'departments');
    expect(parsed.errors).toEqual([{ field: 'header', row: 1, message: 'the file is empty' }]);
  });

  it('reports values under a column that has no header', async () => {
    const parsed = await parseCsv('code,name,,region_code,kind\nD1,部门,备注,440100,政府部门', 'departments');
    expect(parsed.errors).toEqual([{ field: 'C', column: 'C', row: 2, message: 'column C has values but no header' }]);
  });
});

describe('parseImportFile: rows', () => {
  it('reports every bad row with its row number and column as written', async () => {
    const csv = [
      '编码,名称,部门编码,密级,状态,状态日期',
      'PN-01,政务外网,D1,非涉密,已打通,2023-01-01',
      'PN-02,视频专网,D1,待定,未启动,',
      'PN-03,应急专网,D1,涉密,迁移中,2023-02-30',
      'PN-04,,D1,涉密,已退出,2024-01-01',
      'PN-05,医保专网,D2,,,',
    ].join('\n');
    const parsed = await parseCsv(csv, 'private-networks');
    expect(parsed.errors).toEqual([
      {
        field: 'classification',
        column: '密级',
        row: 3,
        message: '"待定" is not one of 待认定|非涉密|涉密 / pending|non_classified|classified',
      },
      { field: 'state_at', column: '状态日期', row: 4, message: '"2023-02-30" is not a real calendar date' },
      { field: 'name', column: '名称', row: 5, message: 'name is required' },
    ]);
    expect(parsed.rows.map((row) => row.rowNumber)).toEqual([2, 6]);
    // Empty cells let the schema defaults apply.
    expect(parsed.rows[1]?.input).toMatchObject({ classification: 'pending', state: 'not_started', state_at: null });
  });

  it('reports all problems of one row, and schema rules with the value written', async () => {
    const csv = 'code,name,region_code,kind,extranet_connected,extranet_connected_at\nD 1,部门,4401,机关,也许,30/06/2023';
    const parsed = await parseCsv(csv, 'departments');
    expect(parsed.errors).toEqual([
      {
        field: 'kind',
        column: 'kind',
        row: 2,
        message: '"机关" is not one of 政府部门|事业单位|国有企业 / government|institution|enterprise',
      },
      {
        field: 'extranet_connected',
        column: 'extranet_connected',
        row: 2,
        message: '"也许" is not a yes/no value: use true|false or 是|否',
      },
      {
        field: 'code',
        column: 'code',
        row: 2,
        message: '"D 1" may hold only letters, digits, ".", "_" and "-"',
      },
      { field: 'region_code', column: 'region_code', row: 2, message: '"4401" must be a 6- or 9-digit division code' },
      {
        field: 'extranet_connected_at',
        column: 'extranet_connected_at',
        row: 2,
        message: '"30/06/2023" must be a date written YYYY-MM-DD',
      },
    ]);
  });

  it('reads a data centre with Chinese headers, its racks and floor area as numbers', async () => {
    const csv = [
      '编码,名称,部门编码,密级,状态,状态日期,行政区划代码,机柜数,机房面积',
      'DC-1,南宁市大数据发展局中心机房,NN-DSJ,非涉密,整合中,2019/9/1,450103,36,215.5',
      'DC-2,南宁市公安局备份机房,NN-GAJ,待认定,在用,,450100,,',
    ].join('\n');
    const parsed = await parseCsv(csv, 'data-centres');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((row) => row.input)).toStrictEqual([
      {
        code: 'DC-1',
        name: '南宁市大数据发展局中心机房',
        department_code: 'NN-DSJ',
        classification: 'non_classified',
        state: 'consolidating',
        state_at: '2019-09-01',
        region_code: '450103',
        racks: 36,
        floor_area_m2: 215.5,
      },
      {
        code: 'DC-2',
        name: '南宁市公安局备份机房',
        department_code: 'NN-GAJ',
        classification: 'pending',
        state: 'in_use',
        state_at: null,
        region_code: '450100',
        racks: null,
        floor_area_m2: null,
      },
    ]);
  });

  it('names a rack count or floor area that is not a number, not whole or below 0', async () => {
    const csv = 'code,name,department_code,region_code,racks,floor_area_m2\nDC-1,机房,D1,450100,十二,-5\nDC-2,机房,D1,450100,2.5,1e3';
    const parsed = await parseCsv(csv, 'data-centres');
    expect(parsed.errors).toEqual([
      { field: 'racks', column: 'racks', row: 2, message: '"十二" is not a number' },
      { field: 'floor_area_m2', column: 'floor_area_m2', row: 2, message: '"-5" must be 0 or more' },
      { field: 'floor_area_m2', column: 'floor_area_m2', row: 3, message: '"1e3" is not a number' },
      { field: 'racks', column: 'racks', row: 3, message: '"2.5" must be a whole number' },
    ]);
  });

  it('reports a code that appears twice on its second occurrence', async () => {
    const csv = 'code,name,department_code,system_type\nSI-1,事项一,D1,国垂\nSI-2,事项二,D1,区垂\nSI-1,事项三,D1,市垂';
    const parsed = await parseCsv(csv, 'service-items');
    expect(parsed.errors).toEqual([{ field: 'code', column: 'code', row: 4, message: 'code SI-1 already appears on row 2' }]);
    expect(parsed.rows.map((row) => row.input.code)).toEqual(['SI-1', 'SI-2']);
  });

  it('skips blank rows but keeps spreadsheet row numbers', async () => {
    const csv = 'code,name,department_code,system_type\n\nSI-1,事项一,D1,国垂\n,,,\n  ,\t,,\nSI-2,事项二,D1,省垂\n';
    const parsed = await parseCsv(csv, 'service-items');
    expect(parsed.rows.map((row) => row.rowNumber)).toEqual([3]);
    expect(parsed.errors).toEqual([
      {
        field: 'system_type',
        column: 'system_type',
        row: 6,
        message: '"省垂" is not one of 国垂|区垂|市垂|自建 / national|provincial|city|self_built',
      },
    ]);
  });

  it('counts a quoted multi-line cell as one row', async () => {
    const csv = 'code,name,department_code,system_type\nSI-1,"两行\n名称",D1,国垂\nSI-2,事项,D1,错\n';
    const parsed = await parseCsv(csv, 'service-items');
    expect(parsed.rows[0]?.input.name).toBe('两行\n名称');
    expect(parsed.errors.map((e) => e.row)).toEqual([3]);
  });

  it('accepts every boolean spelling', async () => {
    const forms = ['true', 'FALSE', 'True', '是', '否', '1', '0', 'yes', 'NO', 'Yes'];
    const csv = ['code,name,department_code,system_type,integrated', ...forms.map((f, i) => `SI-${i},事项,D1,自建,${f}`)];
    const parsed = await parseCsv(csv.join('\n'), 'service-items');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((row) => row.input.integrated)).toEqual([true, false, true, true, false, true, false, true, false, true]);
    // integration_required has no column here, so its default applies.
    expect(parsed.rows.every((row) => row.input.integration_required)).toBe(true);
  });

  it('pads year-first dates that Excel rewrote, such as 2024/3/5', async () => {
    const csv = 'code,name,department_code,system_type,integrated,integrated_at\nSI-1,事项,D1,国垂,是,2024/3/5';
    const parsed = await parseCsv(csv, 'service-items');
    expect(parsed.rows[0]?.input.integrated_at).toBe('2024-03-05');
  });

  it('accepts canonical enum values in any case', async () => {
    const parsed = await parseCsv('code,name,region_code,tier\nN1,节点,440100,Backbone', 'network-nodes');
    expect(parsed.rows[0]?.input.tier).toBe('backbone');
  });
});

describe('parseImportFile: XLSX cells', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = originalTz;
  });

  it.each(['Asia/Shanghai', 'America/Los_Angeles', 'UTC'])('reads real date cells as YYYY-MM-DD without shifting (TZ=%s)', async (tz) => {
    process.env.TZ = tz;
    const file = await xlsxFrom(
      [
        ['编码', '名称', '部门编码', '系统类型', '已对接', '对接日期'],
        // What Excel stores for 2024-03-15: the serial number with a date format.
        ['SI-1', '事项一', 'D1', '国垂', true, 45366],
        ['SI-2', '事项二', 'D1', '自建', 1, new Date(Date.UTC(2023, 11, 31))],
      ],
      (sheet) => {
        sheet.getCell('F2').numFmt = 'yyyy-mm-dd';
        sheet.getCell('F3').numFmt = 'yyyy"年"m"月"d"日"';
      },
    );
    const parsed = await parseImportFile(file, 'xlsx', 'service-items');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((row) => [row.input.integrated, row.input.integrated_at])).toEqual([
      [true, '2024-03-15'],
      [true, '2023-12-31'],
    ]);
  });

  it('reads numeric cells as their text and rich text as its plain text', async () => {
    const file = await xlsxFrom([
      ['code', 'name', 'region_code', 'kind', 'parent_code'],
      [20240001, { richText: [{ text: '广州市', font: { bold: true } }, { text: '财政局' }] }, 440100, '政府部门', 17],
    ]);
    const parsed = await parseImportFile(file, 'xlsx', 'departments');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows[0]?.input).toMatchObject({
      code: '20240001',
      name: '广州市财政局',
      region_code: '440100',
      parent_code: '17',
    });
  });

  it('reads a number that is not a date as text, so the date check names it', async () => {
    const file = await xlsxFrom([
      ['code', 'name', 'region_code', 'tier', 'commissioned_at'],
      ['N1', '节点', '440100', '骨干', 45366],
    ]);
    const parsed = await parseImportFile(file, 'xlsx', 'network-nodes');
    expect(parsed.errors).toEqual([
      {
        field: 'commissioned_at',
        column: 'commissioned_at',
        row: 2,
        message: '"45366" must be a date written YYYY-MM-DD',
      },
    ]);
  });

  it('skips blank rows but keeps the row numbers the sheet shows', async () => {
    const file = await xlsxFrom([
      ['code', 'name', 'region_code', 'tier'],
      ['N1', '天河节点', '440106', '骨干'],
      [],
      [null, '  ', null, null],
      ['N2', '', '440106', '城域'],
    ]);
    const parsed = await parseImportFile(file, 'xlsx', 'network-nodes');
    expect(parsed.rows.map((row) => row.rowNumber)).toEqual([2]);
    expect(parsed.errors).toEqual([{ field: 'name', column: 'name', row: 5, message: 'name is required' }]);
  });

  it('reads the first sheet only', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('节点').addRows([
      ['code', 'name', 'region_code', 'tier'],
      ['N1', '节点', '440100', '城域'],
    ]);
    workbook.addWorksheet('说明').addRow(['填表说明']);
    const parsed = await parseImportFile(new Uint8Array(await workbook.xlsx.writeBuffer()), 'xlsx', 'network-nodes');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toHaveLength(1);
  });

  describe('on a slow disk', () => {
    // ExcelJS's streaming reader parks a worksheet that precedes the shared strings (as Excel
    // and ExcelJS write them) in a temporary file. When that file was slow to come, unzipper
    // reached the archive's end meanwhile and the parts still queued were lost: our own export
    // read as "not a readable XLSX workbook" (seen in CI), and every import left a file behind.
    // The very module ExcelJS loads, wherever npm placed it.
    const fromExcelJs = createRequire(createRequire(import.meta.url).resolve('exceljs'));
    const tmp = fromExcelJs('tmp') as { file: (callback: (...args: unknown[]) => void) => void };
    const original = tmp.file;
    const slowTemporaryFiles = () =>
      vi.spyOn(tmp, 'file').mockImplementation((callback) => original((...args: unknown[]) => setTimeout(() => callback(...args), 50)));
    afterEach(() => vi.restoreAllMocks());

    it('reads every part of our own export, each worksheet as it comes, with no temporary file', async () => {
      const file = await writeExportFile('network-nodes', samples['network-nodes'], 'xlsx');
      const slow = slowTemporaryFiles();
      const parsed = await parseImportFile(file, 'xlsx', 'network-nodes');
      expect(parsed.errors).toEqual([]);
      expect(parsed.rows.map((row) => row.input)).toStrictEqual(samples['network-nodes']);
      expect(slow).not.toHaveBeenCalled();
    });

    it('reads a workbook without a shared-strings part (text written in its cells) the same way', async () => {
      // ExcelJS's streaming writer puts text in the cells unless told otherwise.
      const stream = new PassThrough();
      const written = buffer(stream);
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream });
      const sheet = workbook.addWorksheet('节点');
      sheet.addRow(['code', 'name', 'region_code', 'tier']).commit();
      sheet.addRow(['N1', '天河节点', '440106', '骨干']).commit();
      await workbook.commit();
      const file = new Uint8Array(await written);
      expect(Buffer.from(file).includes('sharedStrings.xml')).toBe(false);
      const slow = slowTemporaryFiles();
      const parsed = await parseImportFile(file, 'xlsx', 'network-nodes');
      expect(parsed.errors).toEqual([]);
      expect(parsed.rows.map((row) => row.input)).toMatchObject([
        { code: 'N1', name: '天河节点', region_code: '440106', tier: 'backbone' },
      ]);
      expect(slow).not.toHaveBeenCalled();
    });
  });

  it('reads a workbook declared as CSV as the workbook it is', async () => {
    const file = await writeExportFile('network-nodes', samples['network-nodes'], 'xlsx');
    const parsed = await parseImportFile(file, 'csv', 'network-nodes');
    expect(parsed.rows.map((row) => row.input)).toStrictEqual(samples['network-nodes']);
  });

  it('rejects bytes that are not a workbook', async () => {
    await expect(parseImportFile(encode('code,name'), 'xlsx', 'departments')).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});

describe('parseImportFile: limits and encodings', () => {
  it('rejects a CSV that is not UTF-8 with a hint', async () => {
    // "编码" in GBK, as Excel's plain "CSV" saves it on a Chinese Windows.
    const gbk = new Uint8Array([0xb1, 0xe0, 0xc2, 0xeb, 0x0a]);
    const attempt = parseImportFile(gbk, 'csv', 'departments');
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toThrow(/CSV UTF-8/);
  });

  it('reads a CSV on disk of more rows than the old 200,000-row cap as a stream, one row at a time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunwang-format-'));
    try {
      const path = join(dir, 'nodes.csv');
      await writeFile(path, `code,name,region_code,tier\n${Array.from({ length: 200_001 }, (_, i) => `N-${i},n,440100,城域\n`).join('')}`);
      const reading = await readImportRows({ path }, 'csv', 'network-nodes');
      let count = 0;
      let last: ReadRow | undefined;
      for await (const row of reading.rows) {
        count++;
        last = row;
      }
      expect(count).toBe(200_001);
      expect(last).toMatchObject({ rowNumber: 200_002, code: 'N-200000', errors: [], input: { code: 'N-200000', tier: 'metro' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('format detection', () => {
  it.each([
    ['部门.csv', undefined, 'csv'],
    ['部门.XLSX', undefined, 'xlsx'],
    // Windows browsers label .csv uploads as an Excel type; the extension decides.
    ['部门.csv', 'application/vnd.ms-excel', 'csv'],
    [undefined, 'text/csv; charset=utf-8', 'csv'],
    [undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
    ['部门.xls', 'application/vnd.ms-excel', null],
    [undefined, undefined, null],
  ] as const)('detectFormat(%s, %s) is %s', (filename, contentType, expected) => {
    expect(detectFormat(filename, contentType)).toBe(expected);
  });

  it('sniffs XLSX by the zip signature and CSV as text', async () => {
    expect(sniffFormat(await writeExportFile('departments', samples.departments, 'xlsx'))).toBe('xlsx');
    expect(sniffFormat(await writeExportFile('departments', samples.departments, 'csv'))).toBe('csv');
    expect(sniffFormat(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).toBeNull();
    expect(sniffFormat(new Uint8Array())).toBeNull();
  });
});
