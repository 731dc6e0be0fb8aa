/**
 * The streaming import (issue 20, item 3), on PGlite and PostgreSQL: a file read from disk as a
 * stream, COPYed into the staging table, and applied a part at a time in one transaction.
 * Parts are made small here (`batchRows`) so that every file crosses part boundaries.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCopy } from '../../src/db/copy.ts';
import { importStaging } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { parseImportFile, writeExportFile } from '../../src/imports/format.ts';
import { Problems } from '../../src/imports/problems.ts';
import { importFile } from '../../src/imports/service.ts';
import { discardStaged, stageFile } from '../../src/imports/staging.ts';
import { AppError } from '../../src/kernel/errors.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { createCloud } from '../../src/registry/clouds.ts';
import { kindFor } from '../../src/registry/kinds/index.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const today = '2024-06-30';
const actor = rootActor('streaming-test');

describeEachBackend('streaming import', (getDb) => {
  let dir: string;
  const dept = `ST-D-${process.pid}`;
  const cloud = `ST-C-${process.pid}`;
  const otherCloud = `ST-C2-${process.pid}`;
  let fileCounter = 0;

  /** A file on disk, as the API's upload and the CLI leave one. */
  const onDisk = async (data: Uint8Array | string) => {
    const path = join(dir, `f${++fileCounter}.csv`);
    await writeFile(path, data);
    return { path };
  };
  const count = async (query: ReturnType<typeof sql>) => (await queryRows<{ n: number }>(getDb(), query))[0]?.n ?? 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yunwang-streaming-'));
    const { db } = getDb();
    await loadDivisions(db);
    await upsertRecords(
      db,
      'departments',
      [{ code: dept, name: '流式导入测试部门', region_code: '450000', kind: 'government', extranet_connected: false }],
      actor,
    );
    for (const code of [cloud, otherCloud]) {
      await createCloud(db, { code, name: `云 ${code}`, kind: 'city', provider: 'Huawei', region_code: '450100' } as never, actor);
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('COPY carries tabs, line breaks, backslashes, quotes and JSON into staging intact, and an abandoned copy leaves nothing', async () => {
    const { db } = getDb();
    const importId = '00000000-0000-4000-8000-000000000001';
    const awkward = 'a\tb\nc\r\\d "e" \\N 云';
    const data = { code: awkward, list: ['x\\y', 'z\tw'], n: 1.5, none: null };
    const copy = await openCopy(db, importStaging, ['importId', 'rowNumber', 'code', 'failed', 'data']);
    await copy.write([importId, 2, awkward, false, data]);
    await copy.write([importId, 3, null, true, null]);
    expect(await copy.end()).toBe(2);
    const rows = await db
      .select({ rowNumber: importStaging.rowNumber, code: importStaging.code, failed: importStaging.failed, data: importStaging.data })
      .from(importStaging)
      .where(sql`${importStaging.importId} = ${importId}`)
      .orderBy(importStaging.rowNumber);
    expect(rows).toEqual([
      { rowNumber: 2, code: awkward, failed: false, data },
      { rowNumber: 3, code: null, failed: true, data: null },
    ]);
    await discardStaged(db, importId);

    const abandoned = await openCopy(db, importStaging, ['importId', 'rowNumber', 'code', 'failed', 'data']);
    await abandoned.write(['00000000-0000-4000-8000-000000000002', 2, 'x', false, null]);
    await abandoned.abort(new Error('stopped'));
    expect(await count(sql`select count(*)::int as n from import_staging`)).toBe(0);
  });

  it('stages a file of more rows than the old 200,000-row cap (on PGlite, whose COPY is slower, 20,001), every row, with no problem', async () => {
    const { db } = getDb();
    const rows = getDb().kind === 'postgres' ? 200_001 : 20_001;
    const text = `code,name,department_code\n${Array.from({ length: rows }, (_, i) => `ST-BIG-${i},n,${dept}\n`).join('')}`;
    const problems = new Problems();
    const staged = await stageFile(db, await onDisk(text), 'csv', kindFor('systems'), problems);
    try {
      expect(problems.empty).toBe(true);
      expect(staged).toMatchObject({ dataRows: rows, goodRows: rows });
      expect(await count(sql`select count(*)::int as n from import_staging where import_id = ${staged.importId} and not failed`)).toBe(
        rows,
      );
    } finally {
      await discardStaged(db, staged.importId);
    }
  }, 120_000);

  it('a bad row deep in the file, after parts already written, is reported with its row and column, and nothing is written', async () => {
    const { db } = getDb();
    const rows = Array.from({ length: 2500 }, (_, i) => [`ST-DEEP-${i}`, `系统 ${i}`, dept, cloud]);
    // Row 2,402 (data row 2,401) names a cloud that does not exist: only the registry check finds it.
    (rows[2400] as string[])[3] = 'NO-SUCH-CLOUD';
    const file = await onDisk(`code,name,department_code,cloud_code\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const before = {
      systems: await count(sql`select count(*)::int as n from systems`),
      audit: await count(sql`select count(*)::int as n from audit_log`),
      transitions: await count(sql`select count(*)::int as n from transitions`),
    };
    const attempt = importFile(db, 'systems', file, 'csv', actor, { today, batchRows: 700 });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: 'import_rejected',
      message: '1 row(s) of the file have errors; nothing was written',
      errors: [{ row: 2402, column: 'cloud_code', field: 'cloud_code', message: 'unknown cloud "NO-SUCH-CLOUD"' }],
    });
    expect(await count(sql`select count(*)::int as n from systems`)).toBe(before.systems);
    expect(await count(sql`select count(*)::int as n from transitions`)).toBe(before.transitions);
    // The rejected attempt's note is no audit entry; nothing of the written parts stayed.
    expect(await count(sql`select count(*)::int as n from audit_log`)).toBe(before.audit);
    expect(await count(sql`select count(*)::int as n from import_staging`)).toBe(0);

    // A bad cell deep in the file: named by row and column too, the registry's problems beside it.
    (rows[2400] as string[])[3] = cloud;
    (rows[1999] as string[])[1] = '';
    (rows[2300] as string[])[3] = 'NO-SUCH-CLOUD';
    const file2 = await onDisk(`code,name,department_code,cloud_code\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    await expect(importFile(db, 'systems', file2, 'csv', actor, { today, batchRows: 700 })).rejects.toMatchObject({
      code: 'import_rejected',
      message: '2 row(s) of the file have errors; nothing was written',
      errors: [
        { row: 2001, column: 'name', field: 'name' },
        { row: 2302, column: 'cloud_code', message: 'unknown cloud "NO-SUCH-CLOUD"' },
      ],
    });
    expect(await count(sql`select count(*)::int as n from systems`)).toBe(before.systems);

    // Fixed, the same file goes in whole, across four parts.
    (rows[1999] as string[])[1] = '系统 1999';
    (rows[2300] as string[])[3] = cloud;
    const fixed = await onDisk(`code,name,department_code,cloud_code\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const seals = sql`select count(*)::int as n from audit_log where action = 'audit.batch.sealed'`;
    const sealsBefore = await count(seals);
    expect(await importFile(db, 'systems', fixed, 'csv', actor, { today, batchRows: 700 })).toMatchObject({
      rows: 2500,
      created: 2500,
      updated: 0,
      unchanged: 0,
    });
    expect(await count(sql`select count(*)::int as n from systems where code like 'ST-DEEP-%'`)).toBe(2500);
    // One audit batch for the whole file, sealed once, as a single upsert of all its rows writes it.
    expect(await count(seals)).toBe(sealsBefore + 1);
    expect(await count(sql`select count(*)::int as n from audit_log where action = 'system.create' and entity_code like 'ST-DEEP-%'`)).toBe(
      2500,
    );
  }, 120_000);

  it('the history a streamed import leaves is the one the whole-file upsert (the import before streaming) leaves, step by step', async () => {
    const { db } = getDb();
    // Each step declares states, dates and tracked attributes; the later ones move, back-date and revert them.
    const steps: Record<string, unknown>[][] = [
      [
        { name: 'a', state: 'not_migrated' },
        { name: 'b', state: 'migrated', state_at: '2021-03-01', cloud_code: cloud, security_level: 3, assessed_on: '2022-05-01' },
        { name: 'c', state: 'migrating', state_at: '2023-01-10', cloud_code: cloud, dr_site: 'remote', dr_cloud_code: otherCloud },
        { name: 'd', classification: 'classified', state: 'retired', state_at: '2020-01-01' },
      ],
      [
        { name: 'a', state: 'migrating', state_at: '2024-01-01', cloud_code: cloud },
        { name: 'b', state: 'migrated', state_at: '2020-12-01', cloud_code: cloud, security_level: 2, assessed_on: '2023-05-01' },
        { name: 'c', state: 'migrated', state_at: '2023-06-01', cloud_code: cloud },
        { name: 'd', classification: 'pending', state: 'retired', state_at: '2020-01-01' },
        { name: 'e', state: 'migrated', state_at: '2019-07-07', cloud_code: otherCloud, security_level: 4 },
      ],
      [
        { name: 'a', state: 'not_migrated' },
        { name: 'b', state: 'migrated', state_at: '2020-12-01', cloud_code: cloud, security_level: 2, assessed_on: '2023-05-01' },
        { name: 'c', state: 'migrating', state_at: '2023-03-01', cloud_code: cloud, dr_site: 'same_city', dr_cloud_code: otherCloud },
        { name: 'd', classification: 'classified', state: 'retired', state_at: '2020-01-01' },
        { name: 'e', state: 'migrated', state_at: '2019-07-07', cloud_code: otherCloud },
      ],
    ];
    const rowsOf = (prefix: string, step: Record<string, unknown>[]) =>
      step.map((r) => ({ department_code: dept, ...r, code: `${prefix}${r.name}`, name: `系统 ${r.name}` }));
    for (const step of steps) {
      const streamed = await writeExportFile('systems', rowsOf('SA-', step) as never, 'csv');
      const streamedReport = await importFile(db, 'systems', await onDisk(streamed), 'csv', actor, { today, batchRows: 2 });
      // The pre-streaming import: the whole file parsed in memory, then one upsert of all its rows.
      const parsed = await parseImportFile(await writeExportFile('systems', rowsOf('SB-', step) as never, 'csv'), 'csv', 'systems');
      expect(parsed.errors).toEqual([]);
      const single = await upsertRecords(
        db,
        'systems',
        parsed.rows.map((r) => r.input),
        actor,
        { today },
      );
      expect(streamedReport).toMatchObject(single);
    }
    const history = async (prefix: string) => ({
      transitions: await queryRows(
        getDb(),
        sql`select substr(s.code, 4) as code, t.field, t.from_value, t.to_value, t.effective_at::text, t.superseded_at is not null as superseded
            from transitions t join systems s on s.id = t.entity_id
            where t.kind = 'system' and s.code like ${`${prefix}%`} order by s.code, t.id`,
      ),
      timeline: await queryRows(
        getDb(),
        sql`select substr(s.code, 4) as code, t.valid_from::text, t.valid_to::text, t.state, t.classification, t.attributes
            from timeline t join systems s on s.id = t.entity_id
            where t.kind = 'system' and s.code like ${`${prefix}%`} order by s.code, t.valid_from nulls first`,
      ),
      records: await queryRows(
        getDb(),
        sql`select substr(code, 4) as code, state, state_at::text, classification, security_level, assessed_on::text, dr_site, pending_since::text
            from systems where code like ${`${prefix}%`} order by code`,
      ),
      audit: await queryRows(
        getDb(),
        sql`select action, substr(entity_code, 4) as code, before - 'code' - 'name' as before, after - 'code' - 'name' as after
            from audit_log where entity_kind = 'system' and entity_code like ${`${prefix}%`} order by id`,
      ),
    });
    const streamed = await history('SA-');
    expect(streamed.transitions.length).toBeGreaterThan(10);
    expect(streamed.timeline.length).toBeGreaterThan(10);
    expect(streamed).toEqual(await history('SB-'));
  });
});
