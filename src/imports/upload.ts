import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../kernel/errors.ts';

/** An uploaded file, on disk in a directory of its own until `dispose()`. */
export interface Upload {
  path: string;
  /** The name the client gave it (for the format and the import's record). */
  name: string;
  /** The part's Content-Type, as the client declared it. */
  type: string;
  size: number;
  dispose(): Promise<void>;
}

/** A part's headers are a few lines; more is not a form a browser or curl sends. */
const headerBytes = 16 * 1024;

/**
 * Streams a multipart/form-data body's `file` part to a temporary file as it arrives (issue 20,
 * item 3): an upload of any size holds a few chunks of memory. The body is counted as it is
 * read and refused with 413 at `limitBytes`, whether or not it declared its length; other
 * parts are read past and dropped.
 */
export async function receiveUpload(request: Request, limitBytes: number): Promise<Upload | null> {
  const contentType = request.headers.get('content-type') ?? '';
  const boundary = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new AppError('unsupported_media_type', 'an import is uploaded as multipart/form-data, the file in the field "file"');
  if (!request.body) return null;
  const dir = await mkdtemp(join(tmpdir(), 'yunwang-import-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const file = await writeFilePart(request.body, `${boundary[1] ?? boundary[2]}`, join(dir, 'upload'), limitBytes);
    if (!file) {
      await dispose();
      return null;
    }
    return { ...file, path: join(dir, 'upload'), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

type State = 'preamble' | 'delimited' | 'headers' | 'body' | 'done';

async function writeFilePart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  path: string,
  limitBytes: number,
): Promise<{ name: string; type: string; size: number } | null> {
  // Every delimiter but the first follows a line break; one is put before the body so the first does too.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const reader = body.getReader();
  let buffer = Buffer.from('\r\n');
  let state: State = 'preamble';
  let received = 0;
  let file: { name: string; type: string; size: number } | null = null;
  let sink: Awaited<ReturnType<typeof open>> | null = null;
  let inFilePart = false;
  const emit = async (bytes: Buffer) => {
    if (!inFilePart || !sink || !file || bytes.length === 0) return;
    file.size += bytes.length;
    await sink.write(bytes);
  };
  try {
    while (state !== 'done') {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
      if (received > limitBytes) {
        throw new AppError('payload_too_large', `request body is larger than ${limitBytes} bytes`);
      }
      buffer = buffer.length === 0 ? Buffer.from(value) : Buffer.concat([buffer, value]);
      for (;;) {
        if (state === 'preamble' || state === 'body') {
          const at = buffer.indexOf(delimiter);
          if (at < 0) {
            // Keep what could be the start of a delimiter split across chunks.
            const safe = buffer.length - (delimiter.length - 1);
            if (safe > 0) {
              if (state === 'body') await emit(buffer.subarray(0, safe));
              buffer = buffer.subarray(safe);
            }
            break;
          }
          if (state === 'body') {
            await emit(buffer.subarray(0, at));
            inFilePart = false;
          }
          buffer = buffer.subarray(at + delimiter.length);
          state = 'delimited';
        }
        if (state === 'delimited') {
          if (buffer.length < 2) break;
          if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
            state = 'done';
            break;
          }
          const lineEnd = buffer.indexOf('\r\n');
          if (lineEnd < 0) {
            if (buffer.length > headerBytes) throw malformed();
            break;
          }
          // Transport padding (spaces, tabs) may follow a delimiter before its line break.
          buffer = buffer.subarray(lineEnd + 2);
          state = 'headers';
        }
        if (state === 'headers') {
          const end = buffer.indexOf('\r\n\r\n');
          const headers = end < 0 ? null : buffer.subarray(0, end).toString('utf8');
          if (headers === null) {
            if (buffer.length > headerBytes) throw malformed();
            break;
          }
          buffer = buffer.subarray(end + 4);
          const part = partOf(headers);
          // The first part named `file` is the upload; a second one is read past.
          if (part.name === 'file' && !file && part.filename !== null) {
            file = { name: part.filename, type: part.type, size: 0 };
            sink = await open(path, 'wx', 0o600);
            inFilePart = true;
          }
          state = 'body';
          continue;
        }
        if (state === 'done') break;
      }
    }
    if (state !== 'done' && file) throw malformed();
    return file;
  } finally {
    await sink?.close();
    // Stop the client's body: what is left is not read (a refusal answers before it is all sent).
    await reader.cancel().catch(() => undefined);
  }
}

const malformed = () => new AppError('bad_request', 'the multipart body is malformed; upload the file in the form field "file"');

/** The part's field name, file name and type from its headers. */
function partOf(headers: string): { name: string | null; filename: string | null; type: string } {
  let name: string | null = null;
  let filename: string | null = null;
  let type = '';
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') type = value;
    if (key !== 'content-disposition') continue;
    name = parameter(value, 'name');
    const encoded = parameter(value, 'filename*');
    filename = encoded?.startsWith("UTF-8''") ? safeDecode(encoded.slice(7)) : parameter(value, 'filename');
  }
  return { name, filename, type };
}

/** One `key=value` or `key="value"` parameter of a header value (a quoted one may hold `;`). */
function parameter(value: string, key: string): string | null {
  const escaped = key.replace(/[*]/g, '\\*');
  const match = new RegExp(`(?:^|;)\\s*${escaped}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(value);
  if (!match) return null;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '').trim();
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
