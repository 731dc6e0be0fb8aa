import { inArray } from 'drizzle-orm';
import { type AuditAppender, auditAppender, recordAudit } from '../audit/service.ts';
import { type Db, isEmbedded } from '../db/client.ts';
import { departments } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { withRollupsDeferred } from '../indicators/rollups/maintain.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { authorizeRows, departmentsUnder, limitFor, ownerCodes, withoutDepartmentOracle } from '../registry/authorize.ts';
import { type AnyRecordKind, type ImportKind, type KindRow, kindFor } from '../registry/kinds/index.ts';
import { checkRows, referencesOf, refreshStatistics, type UpsertResult, writeCheckedRows } from '../registry/upsert.ts';
import { exportRows, loadStoredRows } from '../registry/views.ts';
import { type FileFormat, type FileSource, writeExportFile } from './format.ts';
import { excerpt, importLimits } from './limits.ts';
import { Problems } from './problems.ts';
import { type ImportAttempt, recordAppliedImport, recordRejectedImport } from './runs.ts';
import { discardStaged, type StagedFile, stagedRows, stageFile } from './staging.ts';

export interface ImportReport extends UpsertResult {
  kind: string;
  rows: number;
  dry_run: boolean;
}

/**
 * Imports a spreadsheet all-or-nothing: every bad row is reported with its spreadsheet row
 * number and column, and then nothing is written. The file streams through the staging table
 * (see staging.ts), so it may have any number of rows.
 */
export async function importFile(
  db: Db,
  kindRef: ImportKind | AnyRecordKind,
  data: FileSource,
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

export type ImportOptions = {
  dryRun?: boolean;
  today?: string;
  filename?: string;
  /** Rows checked and written at a time (tests lower it to cross part boundaries). */
  batchRows?: number;
  /** Called after each part with the rows checked so far and the file's rows (the CLI's progress bar). */
  onProgress?: (done: number, total: number) => void;
};

/**
 * Rows read back from staging, checked and written at a time, in the one transaction: large
 * enough that each query carries many rows, small enough that a part's rows, their stored
 * versions and their history stay a few megabytes. The embedded database runs each statement
 * on the request thread: smaller parts there keep /livez and sign-ins answered meanwhile.
 */
export const importBatchRows = 5000;
export const embeddedImportBatchRows = 1000;

class DryRun extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

async function applyFile(
  db: Db,
  kind: AnyRecordKind,
  data: FileSource,
  format: FileFormat,
  actor: Actor,
  options: ImportOptions,
  attempt: ImportAttempt,
): Promise<ImportReport> {
  const problems = new Problems();
  const staged = await stageFile(db, data, format, kind, problems);
  try {
    attempt.rows = staged.dataRows + (problems.shown().some((e) => e.row === 1) ? 1 : 0);
    const report = await applyStaged(db, kind, staged, format, actor, options, attempt, problems);
    if (!report.dry_run) await refreshStatistics(db, kind, report);
    return report;
  } finally {
    await discardStaged(db, staged.importId);
  }
}

/**
 * Checks the staged rows against the registry and the caller's rights and writes them, a part at
 * a time, in one transaction: a problem anywhere rolls it all back. A file with problems of its
 * own is still checked throughout, so one attempt lists every problem of the file (a bad value
 * and an unknown department alike); without them, rows the caller may not write are refused
 * before any other problem is named, as by the single-request path.
 */
async function applyStaged(
  database: Db,
  kind: AnyRecordKind,
  staged: StagedFile,
  format: FileFormat,
  actor: Actor,
  options: ImportOptions,
  attempt: ImportAttempt,
  problems: Problems,
): Promise<ImportReport> {
  const today = options.today ?? businessDate();
  const dryRun = options.dryRun ?? false;
  const fileHasProblems = !problems.empty;
  const refused = new Problems();
  const invalid = new Problems();
  const column = (field: string) => staged.columns[field] ?? field;
  const absent = Object.keys(kind.schemas.input.shape).filter((field) => !(field in staged.columns));
  // A department file names parents it creates itself: its rows are checked and written together.
  const size =
    kind.table === departments
      ? Number.MAX_SAFE_INTEGER
      : (options.batchRows ?? (isEmbedded(database) ? embeddedImportBatchRows : importBatchRows));
  const totals = { created: 0, updated: 0, unchanged: 0 };
  let done = 0;
  const applyParts = async (db: Db, audit: AuditAppender): Promise<void> => {
    for await (const part of stagedRows(db, staged.importId, size)) {
      done += part.length;
      options.onProgress?.(done, staged.goodRows);
      const rows = part.map((r) => r.input);
      const atRow = (errors: FieldError[]): FieldError[] =>
        errors.map(({ index, ...e }) => ({
          ...e,
          row: index === undefined ? undefined : part[index]?.rowNumber,
          column: column(e.field),
        }));
      await keepStoredValuesOfAbsentColumns(db, kind, rows, absent);
      const refs = await referencesOf(db, kind, rows);
      const fileCodes = new Set(rows.map((r) => r.code));
      const notYours = atRow(await authorizeRows(db, kind, rows, actor));
      const wrong = atRow(await checkRows(kind, rows, refs, fileCodes, today));
      if (fileHasProblems) {
        // Checked and refused alike, on one row: the same row counted once.
        const named = [...withoutDepartmentOracle(wrong, actor, kind), ...notYours];
        problems.addRows(named);
      } else {
        refused.addRows(notYours);
        invalid.addRows(wrong);
      }
      if (!problems.empty || !refused.empty || !invalid.empty) continue;
      try {
        const written = await writeCheckedRows(db, kind, rows, refs, actor, today);
        totals.created += written.result.created;
        totals.updated += written.result.updated;
        totals.unchanged += written.result.unchanged;
        await audit.add(written.audit);
      } catch (error) {
        // A kind's own write names rows by their place in the part (a department cycle).
        if (error instanceof AppError && error.code === 'import_rejected') {
          invalid.addRows(atRow(error.errors));
          continue;
        }
        throw error;
      }
    }
  };
  try {
    return await database.transaction(async (db) => {
      const audit = auditAppender(db, actor);
      // The indicators' rollups take the whole file's changes at once, after its last part.
      await withRollupsDeferred(db, () => applyParts(db, audit), today);
      if (!problems.empty) throw rejectionOf(problems);
      if (!refused.empty) {
        const shown = refused.shown();
        throw new AppError('forbidden', `${refused.rows} row(s) are not yours to write; nothing was written`, shown);
      }
      if (!invalid.empty) throw rejectionOf(invalid);
      const report = { kind: kind.segment, rows: staged.goodRows, dry_run: dryRun, ...totals };
      if (dryRun) throw new DryRun(report);
      await audit.finish();
      await recordAudit(db, actor, [
        {
          action: 'import',
          entityKind: kind.segment,
          entityCode: options.filename ?? null,
          after: { format, rows: staged.goodRows, ...totals },
        },
      ]);
      await recordAppliedImport(db, actor, attempt);
      return report;
    });
  } catch (error) {
    if (error instanceof DryRun) return error.report;
    throw error;
  }
}

/** The refusal of a file with `problems`, in the same words as `rejection`. */
function rejectionOf(problems: Problems): AppError {
  const shown = problems.shown().map(shortened);
  const more = problems.total > shown.length ? ` (showing the first ${shown.length} of ${problems.total} problems)` : '';
  return new AppError('import_rejected', `${problems.rows} row(s) of the file have errors; nothing was written${more}`, shown);
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

/**
 * The same format back, so an export re-imports without loss. `onProgress` hears 0 of N once the
 * rows are read and N of N once the file is written (the rows are read, then written, at once).
 */
export async function exportFile(
  db: Db,
  kindRef: ImportKind | AnyRecordKind,
  format: FileFormat,
  actor: Actor,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<Uint8Array> {
  const kind = kindFor(kindRef);
  const limit = limitFor(actor, 'read', kind);
  const all = await exportRows(db, kind);
  const rows = limit === null ? all : await withinDepartments(db, kind, all, limit);
  options.onProgress?.(0, rows.length);
  await recordAudit(db, actor, [{ action: 'export', entityKind: kind.segment, after: { format, rows: rows.length } }]);
  const file = await writeExportFile(kind, rows, format);
  options.onProgress?.(rows.length, rows.length);
  return file;
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
async function keepStoredValuesOfAbsentColumns(db: Db, kind: AnyRecordKind, rows: KindRow[], absent: string[]): Promise<void> {
  if (absent.length === 0 || rows.length === 0) return;
  const stored = await loadStoredRows(
    db,
    kind,
    rows.map((r) => r.code),
  );
  for (const row of rows) {
    const view = stored.get(row.code)?.view;
    if (!view) continue;
    for (const field of absent) row[field] = view[field];
  }
}
