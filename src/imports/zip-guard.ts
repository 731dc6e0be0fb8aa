import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { AppError } from '../kernel/errors.ts';
import { importLimits } from './limits.ts';

/**
 * Refuses a zip bomb before any XML parser sees it. An XLSX is a zip: its central directory
 * declares each part's inflated size, which is checked against absolute and ratio bounds;
 * then each part is inflated once, counting bytes and discarding them, so a part that
 * inflates beyond what it declared is caught too. Nothing inflated is kept in memory.
 */
export async function assertSafeZip(data: Uint8Array): Promise<ZipLayout> {
  const { entries, centralDirectoryAt } = centralDirectory(data);
  let total = 0;
  for (const entry of entries) {
    total += entry.inflated;
    const ratio = entry.inflated / Math.max(entry.compressed, 1);
    if (total > importLimits.xlsxInflatedBytes || (entry.inflated > importLimits.xlsxRatioFloorBytes && ratio > importLimits.xlsxRatio)) {
      throw new AppError(
        'payload_too_large',
        `the workbook expands to more than its size allows (a part of ${entry.compressed} bytes expands to ${entry.inflated}); ` +
          'save it again from a spreadsheet program, or upload it as CSV',
      );
    }
  }
  for (const entry of entries) await assertInflatesTo(data, entry);
  return { entries, centralDirectoryAt };
}

/** The archive's entries as its central directory lists them, and where that directory begins. */
export interface ZipLayout {
  entries: ZipEntry[];
  centralDirectoryAt: number;
}

export interface ZipEntry {
  name: string;
  compressed: number;
  inflated: number;
  method: number;
  /** Offset of the entry's local header: its record runs from there to the next entry's. */
  localHeader: number;
}

/** Entry names are UTF-8 (or ASCII, its subset) in every workbook a spreadsheet program writes. */
const names = new TextDecoder();

const unreadable = () => new AppError('bad_request', 'the file is not a readable XLSX workbook');

/** The entries the end-of-central-directory record lists; a zip comment may follow it. */
function centralDirectory(data: Uint8Array): ZipLayout {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let end = -1;
  for (let at = data.length - 22; at >= Math.max(0, data.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw unreadable();
  const count = view.getUint16(end + 10, true);
  const centralDirectoryAt = view.getUint32(end + 16, true);
  if (centralDirectoryAt > end) throw unreadable();
  let at = centralDirectoryAt;
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > data.length || view.getUint32(at, true) !== 0x02014b50) throw unreadable();
    const nameLength = view.getUint16(at + 28, true);
    if (at + 46 + nameLength > data.length) throw unreadable();
    const entry = {
      name: names.decode(data.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      compressed: view.getUint32(at + 20, true),
      // 0xFFFFFFFF means a ZIP64 size: no spreadsheet part needs 4 GB, so it counts as that much.
      inflated: view.getUint32(at + 24, true),
      localHeader: view.getUint32(at + 42, true),
    };
    if (entry.localHeader >= centralDirectoryAt) throw unreadable();
    entries.push(entry);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return { entries, centralDirectoryAt };
}

async function assertInflatesTo(data: Uint8Array, entry: ZipEntry): Promise<void> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const at = entry.localHeader;
  if (at + 30 > data.length || view.getUint32(at, true) !== 0x04034b50) throw unreadable();
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const packed = data.subarray(start, start + entry.compressed);
  if (entry.method === 0) {
    if (packed.length !== entry.inflated) throw unreadable();
    return;
  }
  if (entry.method !== 8) throw unreadable();
  let size = 0;
  try {
    for await (const chunk of Readable.from([packed]).pipe(createInflateRaw())) {
      size += (chunk as Buffer).length;
      if (size > entry.inflated) break;
    }
  } catch {
    throw unreadable();
  }
  if (size > entry.inflated) {
    throw new AppError('payload_too_large', 'the workbook expands to more than it declares; save it again from a spreadsheet program');
  }
}
