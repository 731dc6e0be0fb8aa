import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { openCopy } from '../db/copy.ts';
import { queryRows } from '../db/raw.ts';
import { importStaging } from '../db/schema/index.ts';
import type { AnyRecordKind, KindRow } from '../registry/kinds/index.ts';
import { duplicateCode, type FileFormat, type FileSource, readImportRows } from './format.ts';
import { importLimits } from './limits.ts';
import type { Problems } from './problems.ts';

/**
 * A file read into the staging table (issue 20, item 3): rows are checked one at a time as they
 * stream in and are copied there at once, so no file is ever held whole; what needs the whole
 * file (a code it repeats) is then found there in SQL.
 */
export interface StagedFile {
  importId: string;
  /** Field → header as written in the file, so later errors can name the user's column. */
  columns: Record<string, string>;
  /** The file's data rows, good or not. */
  dataRows: number;
  /** Rows that passed every check of their own (the ones to apply, if the file has no problem). */
  goodRows: number;
}

/** Reads the file into staging, adding each problem found to `problems`. */
export async function stageFile(
  db: Db,
  source: FileSource,
  format: FileFormat,
  kind: AnyRecordKind,
  problems: Problems,
): Promise<StagedFile> {
  const reading = await readImportRows(source, format, kind);
  problems.addRows(reading.errors);
  const importId = randomUUID();
  const copy = await openCopy(db, importStaging, ['importId', 'rowNumber', 'code', 'failed', 'data']);
  let dataRows = 0;
  let goodRows = 0;
  try {
    for await (const row of reading.rows) {
      dataRows++;
      const failed = row.input === null || row.errors.length > 0;
      if (!failed) goodRows++;
      if (row.errors.length > 0 || row.notes.length > 0) problems.add([...row.notes, ...row.errors], 1);
      await copy.write([importId, row.rowNumber, row.code, failed, failed ? null : row.input]);
    }
    await copy.end();
  } catch (error) {
    await copy.abort(error instanceof Error ? error : undefined);
    await discardStaged(db, importId);
    throw error;
  }
  const staged = { importId, columns: reading.columns, dataRows, goodRows };
  try {
    // Fresh statistics for the rows just copied: planned as if the table were empty, finding the
    // repeated codes of 40,000 rows took minutes (a nested loop) instead of a second.
    await db.execute(sql`analyze ${importStaging}`);
    await markRepeatedCodes(db, staged, reading.codeHeader, problems);
  } catch (error) {
    await discardStaged(db, importId);
    throw error;
  }
  return staged;
}

/**
 * A code an earlier row already has is a problem of the later row, named with that earlier row
 * (the first of them), whether either row is otherwise good or not. Marked in place, so the
 * rows read back for applying leave them out.
 */
async function markRepeatedCodes(db: Db, staged: StagedFile, codeHeader: string | undefined, problems: Problems): Promise<void> {
  const id = staged.importId;
  await db.execute(sql`
    update ${importStaging} s set first_row = r.first_row
    from (
      select row_number, min(row_number) over (partition by code) as first_row
      from ${importStaging} where import_id = ${id} and code is not null
    ) r
    where s.import_id = ${id} and s.row_number = r.row_number and r.first_row <> r.row_number`);
  const [counts] = await queryRows<{ repeated: number; good: number }>(
    db,
    sql`select count(*)::int as repeated, (count(*) filter (where not failed))::int as good
        from ${importStaging} where import_id = ${id} and first_row is not null`,
  );
  if (!counts || counts.repeated === 0) return;
  staged.goodRows -= counts.good;
  // Every one is counted; only as many as can be shown are read back.
  const shown = await db
    .select({ rowNumber: importStaging.rowNumber, code: importStaging.code, firstRow: importStaging.firstRow })
    .from(importStaging)
    .where(and(eq(importStaging.importId, id), sql`${importStaging.firstRow} is not null`))
    .orderBy(asc(importStaging.rowNumber))
    .limit(importLimits.reportedErrors);
  problems.add(
    shown.map((r) => duplicateCode({ codeHeader }, r.rowNumber, r.code ?? '', r.firstRow ?? 0)),
    // Rows already named by a problem of their own are not counted twice.
    counts.good,
  );
  problems.total += counts.repeated - shown.length;
}

/** The staged rows to apply, `size` at a time, in the file's order. */
export async function* stagedRows(db: Db, importId: string, size: number): AsyncGenerator<{ rowNumber: number; input: KindRow }[]> {
  let after = 0;
  for (;;) {
    const part = await db
      .select({ rowNumber: importStaging.rowNumber, data: importStaging.data })
      .from(importStaging)
      .where(
        and(
          eq(importStaging.importId, importId),
          gt(importStaging.rowNumber, after),
          eq(importStaging.failed, false),
          isNull(importStaging.firstRow),
        ),
      )
      .orderBy(asc(importStaging.rowNumber))
      .limit(size);
    if (part.length === 0) return;
    after = part.at(-1)?.rowNumber ?? after;
    yield part.map((r) => ({ rowNumber: r.rowNumber, input: r.data as KindRow }));
    if (part.length < size) return;
  }
}

/** Removes an import's staged rows, whatever became of it. */
export async function discardStaged(db: Db, importId: string): Promise<void> {
  await db.delete(importStaging).where(eq(importStaging.importId, importId));
}
