import { inArray } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { departments } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { authorizeRows, departmentsUnder, limitFor, ownerCodes, withoutDepartmentOracle } from '../registry/authorize.ts';
import { type AnyRecordKind, type ImportKind, type KindRow, kindFor } from '../registry/kinds/index.ts';
import { refreshStatistics, type UpsertResult, upsertRecords } from '../registry/upsert.ts';
import { exportRows, loadStoredRows } from '../registry/views.ts';
import { type FileFormat, type ParsedFile, parseImportFile, writeExportFile } from './format.ts';
import { excerpt, importLimits } from './limits.ts';
import { type ImportAttempt, recordAppliedImport, recordRejectedImport } from './runs.ts';

export interface ImportReport extends UpsertResult {
  kind: string;
  rows: number;
  dry_run: boolean;
}

/**
 * Imports a spreadsheet all-or-nothing: every bad row is reported with its spreadsheet row
 * number and column, and then nothing is written.
 */
export async function importFile(
  db: Db,
  kindRef: ImportKind | AnyRecordKind,
  data: Uint8Array,
  format: FileFormat,
  actor: Actor,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const kind = kindFor(kindRef);
  // Deny by default: a caller who may not write this kind at all is refused before the
  // file is read, and learns nothing from its validation (which names departments).
  limitFor(actor, 'write', kind);
  const attempt: ImportAttempt = { kind: kind.segment, fileName: options.filename, rows: 0 };
  try {
    return await applyFile(db, kind, data, format, actor, options, attempt);
  } catch (error) {
    // A rejected attempt leaves a note (the department's to-do list shows it) though nothing was written.
    if (!options.dryRun && error instanceof AppError && error.status < 500) await recordRejectedImport(db, actor, attempt, error);
    throw error;
  }
}

type ImportOptions = { dryRun?: boolean; today?: string; filename?: string };

async function applyFile(
  db: Db,
  kind: AnyRecordKind,
  data: Uint8Array,
  format: FileFormat,
  actor: Actor,
  options: ImportOptions,
  attempt: ImportAttempt,
): Promise<ImportReport> {
  const parsed = await parseImportFile(data, format, kind);
  // The file's data rows: those that parsed and those that did not (each named once).
  attempt.rows = new Set([...parsed.rows.map((r) => r.rowNumber), ...parsed.errors.map((e) => e.row)].filter((n) => n !== undefined)).size;
  const rowErrors = (error: AppError): FieldError[] =>
    error.errors.map(({ index, ...e }) => ({
      ...e,
      row: index === undefined ? undefined : parsed.rows[index]?.rowNumber,
      column: parsed.columns[e.field] ?? e.field,
    }));
  if (parsed.errors.length > 0) {
    // Check the rows that did parse against the registry too, so one attempt lists every
    // problem in the file (a bad value and an unknown department alike).
    const more = await upsertRecords(
      db,
      kind,
      parsed.rows.map((r) => r.input),
      actor,
      { dryRun: true, today: options.today },
    ).then(
      () => [],
      (error) => {
        if (error instanceof AppError && error.code === 'import_rejected') return rowErrors(error);
        throw error;
      },
    );
    // A department user's refused rows are listed too, and an unknown department code is one
    // of them: the same answer as for a department outside his subtree (issue 14, item 18).
    const refused = rowErrors(
      new AppError(
        'forbidden',
        'refused',
        await authorizeRows(
          db,
          kind,
          parsed.rows.map((r) => r.input),
          actor,
        ),
      ),
    );
    throw rejection([...parsed.errors, ...withoutDepartmentOracle(more, actor, kind), ...refused]);
  }
  await keepStoredValuesOfAbsentColumns(db, kind, parsed);
  const dryRun = options.dryRun ?? false;
  const refused = await authorizeRows(
    db,
    kind,
    parsed.rows.map((r) => r.input),
    actor,
  );
  if (refused.length > 0) {
    const errors = rowErrors(new AppError('forbidden', 'refused', refused));
    throw new AppError('forbidden', `${new Set(errors.map((e) => e.row)).size} row(s) are not yours to write; nothing was written`, errors);
  }
  try {
    const result = await db.transaction(async (tx) => {
      const counts = await upsertRecords(
        tx,
        kind,
        parsed.rows.map((r) => r.input),
        actor,
        { dryRun, today: options.today },
      );
      if (!dryRun) {
        await recordAudit(tx, actor, [
          {
            action: 'import',
            entityKind: kind.segment,
            entityCode: options.filename ?? null,
            after: { format, rows: parsed.rows.length, ...counts },
          },
        ]);
        await recordAppliedImport(tx, actor, attempt);
      }
      return counts;
    });
    if (!dryRun) await refreshStatistics(db, kind, result);
    return { kind: kind.segment, rows: parsed.rows.length, dry_run: dryRun, ...result };
  } catch (error) {
    if (error instanceof AppError && error.code === 'import_rejected') {
      // The registry names rows by their place in the batch; the user thinks in spreadsheet rows.
      throw rejection(rowErrors(error));
    }
    throw error;
  }
}

/**
 * Every bad row is counted; a file that is wrong throughout is cut to its first problems,
 * and no problem quotes more than an excerpt of the file, so the answer stays small.
 */
export function rejection(errors: FieldError[]): AppError {
  const rows = new Set(errors.map((e) => e.row)).size;
  const shown = [...errors]
    .sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
    .slice(0, importLimits.reportedErrors)
    .map(shortened);
  const more = errors.length > shown.length ? ` (showing the first ${shown.length} of ${errors.length} problems)` : '';
  return new AppError('import_rejected', `${rows} row(s) of the file have errors; nothing was written${more}`, shown);
}

/** Messages quote at most an excerpt already; this bounds what the registry's checks echo too. */
function shortened(error: FieldError): FieldError {
  const { field, column, message } = error;
  const clipped = message.length > 3 * importLimits.excerptChars ? `${message.slice(0, 3 * importLimits.excerptChars - 1)}…` : message;
  return { ...error, field: excerpt(field), ...(column === undefined ? {} : { column: excerpt(column) }), message: clipped };
}

/** The same format back, so an export re-imports without loss. */
export async function exportFile(db: Db, kindRef: ImportKind | AnyRecordKind, format: FileFormat, actor: Actor): Promise<Uint8Array> {
  const kind = kindFor(kindRef);
  const limit = limitFor(actor, 'read', kind);
  const all = await exportRows(db, kind);
  const rows = limit === null ? all : await withinDepartments(db, kind, all, limit);
  await recordAudit(db, actor, [{ action: 'export', entityKind: kind.segment, after: { format, rows: rows.length } }]);
  return writeExportFile(kind, rows, format);
}

/** A department user's export holds only its own department subtree's rows. */
async function withinDepartments(db: Db, kind: AnyRecordKind, rows: KindRow[], path: string): Promise<KindRow[]> {
  const mine = new Set(
    (
      await db
        .select({ code: departments.code })
        .from(departments)
        .where(inArray(departments.id, departmentsUnder(db, path)))
    ).map((d) => d.code),
  );
  const owners = await ownerCodes(db, kind, rows);
  return rows.filter((_, i) => mine.has(owners[i] ?? ''));
}

/**
 * A file that leaves out a column says nothing about it: existing records keep their stored
 * value instead of taking the schema's default (a file without 密级 must not undo a certification).
 */
async function keepStoredValuesOfAbsentColumns(db: Db, kind: AnyRecordKind, parsed: ParsedFile): Promise<void> {
  const absent = Object.keys(kind.schemas.input.shape).filter((field) => !(field in parsed.columns));
  if (absent.length === 0 || parsed.rows.length === 0) return;
  const stored = await loadStoredRows(
    db,
    kind,
    parsed.rows.map((r) => r.input.code),
  );
  for (const row of parsed.rows) {
    const view = stored.get(row.input.code)?.view;
    if (!view) continue;
    for (const field of absent) row.input[field] = view[field];
  }
}
