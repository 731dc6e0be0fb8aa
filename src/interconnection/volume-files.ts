import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import { departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { type FileFormat, type FileSource, parseImportFile, writeExportFile } from '../imports/format.ts';
import type { Sheet } from '../imports/headers.ts';
import { rejection } from '../imports/service.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import { ExchangeVolumeInput, exportVolumes, writeVolumes } from './volumes.ts';

/** The import and export kind of the daily exchange counts. */
export const volumeSheetKind = 'exchange-volumes';

/** The `exchange-volumes` spreadsheet: exactly `service_code, date, count`, with their Chinese names. */
export const exchangeVolumesSheet: Sheet = {
  segment: volumeSheetKind,
  columns: [
    { field: 'service_code', alias: '接口服务编码', type: 'text' },
    { field: 'date', alias: '日期', type: 'date' },
    { field: 'count', alias: '交换量', type: 'number' },
  ],
  schemas: { input: ExchangeVolumeInput },
};

export interface VolumeImportReport {
  kind: typeof volumeSheetKind;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  dry_run: boolean;
}

/**
 * Imports daily counts all-or-nothing, each problem named by spreadsheet row and column. A
 * count for a day already stored replaces it (the platform's daily total), so importing the
 * same file twice changes nothing the second time.
 */
export async function importVolumesFile(
  db: Db,
  data: FileSource,
  format: FileFormat,
  actor: Actor,
  options: { dryRun?: boolean; today?: string; filename?: string } = {},
): Promise<VolumeImportReport> {
  // Deny by default, before the file is read.
  departmentLimit(actor.access, 'write', 'interconnection');
  const parsed = await parseImportFile(data, format, exchangeVolumesSheet);
  const rows = parsed.rows.map((r) => r.input as unknown as ExchangeVolumeInput);
  const rowErrors = (error: AppError): FieldError[] =>
    error.errors.map(({ index, ...e }) => ({
      ...e,
      row: index === undefined ? undefined : parsed.rows[index]?.rowNumber,
      column: parsed.columns[e.field] ?? e.field,
    }));
  const write = (dryRun: boolean) =>
    writeVolumes(db, rows, actor, { source: options.filename ?? `${volumeSheetKind}.${format}`, today: options.today, dryRun });
  const registryErrors = (error: unknown): FieldError[] => {
    if (error instanceof AppError && error.code === 'import_rejected') return rowErrors(error);
    throw error;
  };
  if (parsed.errors.length > 0) {
    // The rows that did parse are checked too, so one attempt lists every problem.
    const more = await write(true).then(() => [], registryErrors);
    throw rejection([...parsed.errors, ...more]);
  }
  const dryRun = options.dryRun ?? false;
  const counts = await write(dryRun).catch((error: unknown) => {
    throw rejection(registryErrors(error));
  });
  return { kind: volumeSheetKind, rows: rows.length, dry_run: dryRun, ...counts };
}

/** Every stored count (a department user: its own subtree's services), in the import format. */
export async function exportVolumesFile(db: Db, format: FileFormat, actor: Actor): Promise<Uint8Array> {
  const limit = departmentLimit(actor.access, 'read', 'interconnection');
  const rows = await exportVolumes(db, limit ?? undefined);
  await recordAudit(db, actor, [{ action: 'export', entityKind: volumeSheetKind, after: { format, rows: rows.length } }]);
  return writeExportFile(exchangeVolumesSheet, rows, format);
}
