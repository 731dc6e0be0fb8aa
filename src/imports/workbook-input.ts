import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { ZipLayout } from './zip-guard.ts';

/**
 * The stream ExcelJS's streaming reader is given: the workbook's entries with the parts the
 * reader needs first, then one stored entry of padding, then the central directory.
 *
 * ExcelJS 4.4 walks the archive with unzipper 0.10, which ends the walk as soon as it has read
 * the archive's last bytes, even while entries it has not yet handed out are queued; and it
 * runs ahead through small entries whenever the reader is busy with one. Excel and ExcelJS
 * write a worksheet before the shared strings and the workbook part, so the reader parked the
 * worksheet in a temporary file (one file and descriptor left behind per import, as it was
 * never finished) and, on a slow disk, lost the parts queued meanwhile — a good file read as
 * broken ("Cannot read properties of undefined (reading 'sheets')", seen in CI). Hence:
 * - the relationships, workbook, styles and shared strings come first (an empty shared-strings
 *   part is added when the workbook has none), so the reader reads a worksheet as it comes,
 *   without a temporary file;
 * - a padding entry larger than any stream buffer follows the real ones: unzipper cannot pass
 *   it before the reader drains it, which the reader does only after every entry before it,
 *   so no real entry is still queued when the walk ends. The reader skips it as an unknown part.
 * The central directory's offsets no longer match, but a streaming reader never uses them.
 */
export function workbookInput(data: Uint8Array, layout: ZipLayout): Readable {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const starts = [...new Set(layout.entries.map((entry) => entry.localHeader))].sort((a, b) => a - b);
  const recordOf = new Map(starts.map((start, i) => [start, bytes.subarray(start, starts[i + 1] ?? layout.centralDirectoryAt)]));
  const named = new Map(layout.entries.map((entry) => [entry.name, recordOf.get(entry.localHeader)]));
  const first = readFirst.map((name) => named.get(name) ?? (name === sharedStrings ? noSharedStrings : undefined));
  const leading = new Set(readFirst.map((name) => named.get(name)));
  const rest = starts.flatMap((start) => {
    const record = recordOf.get(start);
    return record && !leading.has(record) ? [record] : [];
  });
  const chunks = [...first.filter((record) => record !== undefined), ...rest, padding, bytes.subarray(layout.centralDirectoryAt)];
  return Readable.from(chunks, { objectMode: false });
}

const sharedStrings = 'xl/sharedStrings.xml';

/** What the reader must know before a worksheet: sheet names and ids, date formats, strings. */
const readFirst = ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/styles.xml', sharedStrings];

/** A local file record of an uncompressed entry. */
function storedEntry(name: string, content: Buffer): Buffer {
  const path = Buffer.from(name);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0); // local file header
  header.writeUInt16LE(10, 4); // version needed: stored
  header.writeUInt16LE(0, 6); // flags: the sizes are in this header
  header.writeUInt16LE(0, 8); // method: stored
  header.writeUInt16LE(0, 10); // time
  header.writeUInt16LE(0x21, 12); // date: 1980-01-01
  header.writeUInt32LE(crc32(content), 14);
  header.writeUInt32LE(content.length, 18);
  header.writeUInt32LE(content.length, 22);
  header.writeUInt16LE(path.length, 26);
  header.writeUInt16LE(0, 28); // no extra field
  return Buffer.concat([header, path, content]);
}

/** Four times a stream's default buffer (16 KiB), so no buffer in unzipper's chain takes it whole. */
const padding = storedEntry('yunwang/padding', Buffer.alloc(64 * 1024));

const noSharedStrings = storedEntry(
  sharedStrings,
  Buffer.from(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
  ),
);
