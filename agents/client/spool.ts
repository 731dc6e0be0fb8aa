import path from 'node:path';
import { crc32 } from 'node:zlib';
import { type HeldLock, takeLockFile } from '../../src/kernel/lock-file.ts';
import { fsyncDir, replaceFile } from './durable-files.ts';
import {
  appendFile,
  close,
  fdatasync,
  fstatSize,
  ftruncate,
  mkdirp,
  open,
  read,
  readdir,
  readFile,
  statSize,
  truncate,
  unlinkIfThere,
  write,
} from './files.ts';

/**
 * The durable spool: every batch is appended here (and fsynced) before it is sent, and
 * leaves only when the API has acknowledged it, it is dead-lettered, or the bounds drop it.
 *
 * On disk: segment files `<first seq>.seg` of records
 *
 *   magic "YWS1" · u32 payload length · u64 seq · f64 created (ms) · u32 crc32 · payload
 *
 * where the CRC covers the length, seq, created and payload. A kill -9 during a write
 * leaves a torn record at the tail of the newest segment; opening the spool truncates it,
 * and since a batch is sent only after its fsync, the lost batch was never sent (its seq
 * is then reused). `cursor.json` holds the highest seq acknowledged; it is written without
 * fsync because losing it only re-sends batches the server acknowledges as duplicates.
 */

const magic = Buffer.from('YWS1', 'latin1');
const headerBytes = 28;
const segmentSuffix = '.seg';

export interface SpoolOptions {
  dir: string;
  /** Bytes of unacknowledged batches kept at most; beyond, the oldest are dropped. */
  maxBytes: number;
  /** Age after which an unacknowledged batch is dropped. */
  maxAgeMs: number;
  /** Size at which a new segment file starts (default maxBytes/8, 4 KiB–16 MiB). */
  segmentBytes?: number;
  now?: () => number;
}

export interface SpoolEntry {
  seq: number;
  createdAt: number;
  segment: number;
  offset: number;
  /** Record size on disk, header included. */
  size: number;
}

export type DropReason = 'bytes' | 'age';

export interface SpoolStats {
  batches: number;
  bytes: number;
  oldestAgeSeconds: number;
  nextSeq: number;
}

export interface OpenReport {
  /** Records recovered and still to send. */
  pending: number;
  /** Bytes cut from the tail of the newest segment (a torn write). */
  tornBytes: number;
  /** Segments whose middle failed its checksum (should not happen; counted, not fatal). */
  corruptSegments: number;
  /** Set when a killed run's lock was taken over: the sentence to log. */
  lockTakenOver: string | undefined;
}

/** Encodes one record: header with checksum, then the payload. */
export function encodeRecord(seq: number, createdAt: number, payload: Buffer): Buffer {
  const record = Buffer.alloc(headerBytes + payload.length);
  magic.copy(record, 0);
  record.writeUInt32BE(payload.length, 4);
  record.writeBigUInt64BE(BigInt(seq), 8);
  record.writeDoubleBE(createdAt, 16);
  payload.copy(record, headerBytes);
  record.writeUInt32BE(checksum(record), 24);
  return record;
}

function checksum(record: Buffer): number {
  // Everything but the magic and the checksum field itself.
  return crc32(record.subarray(headerBytes), crc32(record.subarray(4, 24)));
}

interface Decoded {
  entries: (SpoolEntry & { payload: Buffer })[];
  /** Offset where the valid records end; less than the file size when the tail is torn. */
  validBytes: number;
}

/** The record at `offset` of `bytes` when it is whole and checks out; undefined otherwise. */
export function decodeRecord(bytes: Buffer, offset: number): { seq: number; createdAt: number; size: number } | undefined {
  if (offset + headerBytes > bytes.length || !bytes.subarray(offset, offset + 4).equals(magic)) return undefined;
  const end = offset + headerBytes + bytes.readUInt32BE(offset + 4);
  if (end > bytes.length) return undefined;
  const record = bytes.subarray(offset, end);
  if (record.readUInt32BE(24) !== checksum(record)) return undefined;
  return { seq: Number(record.readBigUInt64BE(8)), createdAt: record.readDoubleBE(16), size: end - offset };
}

/** Reads records from a segment's bytes until the end or the first record that does not check out. */
export function decodeSegment(segment: number, bytes: Buffer): Decoded {
  const entries: Decoded['entries'] = [];
  let offset = 0;
  for (let record = decodeRecord(bytes, offset); record; record = decodeRecord(bytes, offset)) {
    entries.push({
      ...record,
      segment,
      offset,
      payload: Buffer.from(bytes.subarray(offset + headerBytes, offset + record.size)),
    });
    offset += record.size;
  }
  return { entries, validBytes: offset };
}

/**
 * Scans a segment file record by record, as decodeSegment does, but holding one record in
 * memory at a time: a spool that filled up during an outage (up to spool_max_bytes, segments
 * of up to 16 MiB) is reopened without reading it all in. Payloads are checked, not kept.
 */
export async function scanSegment(
  segment: number,
  file: string,
): Promise<{ entries: SpoolEntry[]; validBytes: number; fileBytes: number }> {
  const fd = await open(file, 'r');
  try {
    const fileBytes = await fstatSize(fd);
    const entries: SpoolEntry[] = [];
    const header = Buffer.alloc(headerBytes);
    let offset = 0;
    while (offset + headerBytes <= fileBytes) {
      await read(fd, header, 0, headerBytes, offset);
      if (!header.subarray(0, 4).equals(magic)) break;
      const size = headerBytes + header.readUInt32BE(4);
      if (offset + size > fileBytes) break;
      const record = Buffer.alloc(size);
      const bytesRead = await read(fd, record, 0, size, offset);
      const decoded = bytesRead === size ? decodeRecord(record, 0) : undefined;
      if (!decoded) break;
      entries.push({ seq: decoded.seq, createdAt: decoded.createdAt, segment, offset, size });
      offset += size;
    }
    return { entries, validBytes: offset, fileBytes };
  } finally {
    await close(fd);
  }
}

const segmentName = (first: number) => `${String(first).padStart(20, '0')}${segmentSuffix}`;

export class Spool {
  readonly dir: string;
  readonly #options: Required<Omit<SpoolOptions, 'dir'>>;
  /** Unacknowledged records, oldest first. */
  #queue: SpoolEntry[] = [];
  #queueBytes = 0;
  #ackedSeq = 0;
  #nextSeq = 1;
  /** Segment first-seqs on disk, ascending, with the last seq each holds. */
  #segments = new Map<number, { lastSeq: number }>();
  #active: { first: number; fd: number; size: number } | undefined;
  #lock: HeldLock;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** The batch being sent: the bounds wait for its outcome rather than drop it mid-flight. */
  #pinned: number | undefined;

  private constructor(dir: string, options: Required<Omit<SpoolOptions, 'dir'>>, lock: HeldLock) {
    this.dir = dir;
    this.#options = options;
    this.#lock = lock;
  }

  /** Opens (creating) a spool directory, recovering what a previous run left. */
  static async open(options: SpoolOptions): Promise<{ spool: Spool; report: OpenReport }> {
    await mkdirp(options.dir);
    const segmentBytes = options.segmentBytes ?? Math.min(16 * 1024 ** 2, Math.max(4096, Math.floor(options.maxBytes / 8)));
    // One writer per spool directory: two would interleave records.
    const lock = takeLockFile(path.join(options.dir, 'spool.lock'), { what: `the spool ${options.dir}` });
    const spool = new Spool(
      options.dir,
      { maxBytes: options.maxBytes, maxAgeMs: options.maxAgeMs, segmentBytes, now: options.now ?? Date.now },
      lock,
    );
    try {
      const report = await spool.#recover();
      return { spool, report };
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  async #recover(): Promise<OpenReport> {
    try {
      const cursor = JSON.parse(await readFile(path.join(this.dir, 'cursor.json'))) as { acked_seq?: unknown };
      if (typeof cursor.acked_seq === 'number' && Number.isSafeInteger(cursor.acked_seq)) this.#ackedSeq = cursor.acked_seq;
    } catch {
      // No cursor yet (or a torn one): everything on disk is still to send.
    }
    const firsts = (await readdir(this.dir))
      .filter((f) => f.endsWith(segmentSuffix) && /^\d+$/.test(f.slice(0, -segmentSuffix.length)))
      .map((f) => Number(f.slice(0, -segmentSuffix.length)))
      .sort((a, b) => a - b);
    const report: OpenReport = { pending: 0, tornBytes: 0, corruptSegments: 0, lockTakenOver: this.#lock.takenOver };
    let maxSeq = this.#ackedSeq;
    for (const [i, first] of firsts.entries()) {
      const file = path.join(this.dir, segmentName(first));
      const decoded = await scanSegment(first, file);
      if (decoded.validBytes < decoded.fileBytes) {
        if (i === firsts.length - 1) {
          // A torn tail: the write that was cut short; its batch was never sent.
          await truncate(file, decoded.validBytes);
          report.tornBytes = decoded.fileBytes - decoded.validBytes;
        } else {
          report.corruptSegments++;
        }
      }
      maxSeq = Math.max(maxSeq, first - 1);
      let lastSeq = first - 1;
      for (const entry of decoded.entries) {
        lastSeq = entry.seq;
        maxSeq = Math.max(maxSeq, entry.seq);
        if (entry.seq > this.#ackedSeq) {
          this.#queue.push(entry);
          this.#queueBytes += entry.size;
        }
      }
      this.#segments.set(first, { lastSeq });
    }
    this.#nextSeq = maxSeq + 1;
    report.pending = this.#queue.length;
    await this.#deleteConsumedSegments();
    return report;
  }

  /** Serialises the operations that touch files, so appends and acks never interleave. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Appends a batch and fsyncs it; resolves with its seq once it is durable. Then applies
   * the bounds, and returns what they dropped (oldest first) so the caller can count it.
   */
  append(payload: unknown): Promise<{ seq: number; dropped: { seq: number; reason: DropReason }[] }> {
    return this.#serial(async () => {
      if (this.#closed) throw new Error('the spool is closed');
      const seq = this.#nextSeq;
      const createdAt = this.#options.now();
      const record = encodeRecord(seq, createdAt, Buffer.from(JSON.stringify(payload), 'utf8'));
      if (!this.#active || (this.#active.size > 0 && this.#active.size + record.length > this.#options.segmentBytes)) {
        await this.#roll(seq);
      }
      const active = this.#active as { first: number; fd: number; size: number };
      const offset = active.size;
      try {
        await write(active.fd, record, 0, record.length, offset);
        await fdatasync(active.fd);
      } catch (error) {
        // Leave no half record behind for the next append to follow.
        await ftruncate(active.fd, offset).catch(() => undefined);
        throw error;
      }
      active.size += record.length;
      this.#nextSeq = seq + 1;
      this.#segments.set(active.first, { lastSeq: seq });
      this.#queue.push({ seq, createdAt, segment: active.first, offset, size: record.length });
      this.#queueBytes += record.length;
      const dropped = await this.#applyBounds();
      return { seq, dropped };
    });
  }

  async #roll(firstSeq: number): Promise<void> {
    if (this.#active) await close(this.#active.fd);
    const file = path.join(this.dir, segmentName(firstSeq));
    const fd = await open(file, 'a+');
    const size = await fstatSize(fd);
    this.#active = { first: firstSeq, fd, size };
    if (!this.#segments.has(firstSeq)) this.#segments.set(firstSeq, { lastSeq: firstSeq - 1 });
    // The new file's directory entry must survive a crash too, or its records would.
    await fsyncDir(this.dir);
    await this.#deleteConsumedSegments();
  }

  /** The oldest batch still to send, or undefined. */
  peek(): SpoolEntry | undefined {
    return this.#queue[0];
  }

  /**
   * Marks the head as being sent. The bounds do not drop it until unpinned, so a batch is
   * never both counted dropped and delivered; the spool may overshoot by one request's worth.
   */
  pin(seq: number | undefined): void {
    this.#pinned = seq;
  }

  /** Every batch still to send, oldest first. */
  pending(): readonly SpoolEntry[] {
    return [...this.#queue];
  }

  /** Reads a batch's payload back from disk, parsed. */
  async read(entry: SpoolEntry): Promise<unknown> {
    return JSON.parse((await this.readPayload(entry)).toString('utf8'));
  }

  /** Reads a batch's payload back from disk as the JSON bytes written (checksum verified). */
  async readPayload(entry: SpoolEntry): Promise<Buffer> {
    const fd = await open(path.join(this.dir, segmentName(entry.segment)), 'r');
    try {
      const record = Buffer.alloc(entry.size);
      const bytesRead = await read(fd, record, 0, entry.size, entry.offset);
      const found = bytesRead === entry.size ? decodeRecord(record, 0) : undefined;
      if (!found || found.seq !== entry.seq) throw new Error(`spool record ${entry.seq} no longer checks out`);
      return record.subarray(headerBytes);
    } finally {
      await close(fd);
    }
  }

  /** Removes a batch the API acknowledged (or that was dead-lettered). Idempotent. */
  ack(seq: number, options: { durable?: boolean } = {}): Promise<void> {
    return this.#serial(async () => {
      if (seq <= this.#ackedSeq) return;
      this.#ackedSeq = seq;
      while (this.#queue[0] && this.#queue[0].seq <= seq) this.#queueBytes -= (this.#queue.shift() as SpoolEntry).size;
      await this.#writeCursor(options.durable ?? false);
      await this.#deleteConsumedSegments();
    });
  }

  /** Appends a refused batch to dead-letter.jsonl (fsynced) and removes it from the queue. */
  deadLetter(entry: SpoolEntry, batch: unknown, reason: { status: number; body: string }): Promise<void> {
    const line = `${JSON.stringify({ seq: entry.seq, dead_lettered_at: new Date(this.#options.now()).toISOString(), status: reason.status, response: reason.body.slice(0, 4000), batch })}\n`;
    return this.#serial(async () => {
      const file = path.join(this.dir, 'dead-letter.jsonl');
      await appendFile(file, line);
      const fd = await open(file, 'r+');
      try {
        await fdatasync(fd);
      } finally {
        await close(fd);
      }
    }).then(() => this.ack(entry.seq, { durable: true }));
  }

  /** Drops the oldest batches while the spool is over its byte or age bound. */
  enforceBounds(): Promise<{ seq: number; reason: DropReason }[]> {
    return this.#serial(() => this.#applyBounds());
  }

  async #applyBounds(): Promise<{ seq: number; reason: DropReason }[]> {
    const dropped: { seq: number; reason: DropReason }[] = [];
    const now = this.#options.now();
    for (;;) {
      const head = this.#queue[0];
      if (!head || head.seq === this.#pinned) break;
      // Never the newest batch: the spool exists to carry the latest round through an outage.
      const reason: DropReason | undefined =
        now - head.createdAt > this.#options.maxAgeMs
          ? 'age'
          : this.#queueBytes > this.#options.maxBytes && this.#queue.length > 1
            ? 'bytes'
            : undefined;
      if (!reason) break;
      this.#queue.shift();
      this.#queueBytes -= head.size;
      this.#ackedSeq = head.seq;
      dropped.push({ seq: head.seq, reason });
    }
    if (dropped.length > 0) {
      await this.#writeCursor(true);
      await this.#deleteConsumedSegments();
    }
    return dropped;
  }

  async #writeCursor(durable: boolean): Promise<void> {
    await replaceFile(path.join(this.dir, 'cursor.json'), JSON.stringify({ acked_seq: this.#ackedSeq }), durable);
  }

  /** Segments whose every record is acknowledged go, except the one being written. */
  async #deleteConsumedSegments(): Promise<void> {
    for (const [first, { lastSeq }] of this.#segments) {
      if (this.#active?.first === first) continue;
      const newest = Math.max(...this.#segments.keys());
      if (first === newest && !this.#active) continue;
      if (lastSeq <= this.#ackedSeq) {
        await unlinkIfThere(path.join(this.dir, segmentName(first)));
        this.#segments.delete(first);
      }
    }
  }

  stats(): SpoolStats {
    const head = this.#queue[0];
    return {
      batches: this.#queue.length,
      bytes: this.#queueBytes,
      oldestAgeSeconds: head ? Math.max(0, (this.#options.now() - head.createdAt) / 1000) : 0,
      nextSeq: this.#nextSeq,
    };
  }

  /** Bytes of segment files on disk (for tests and the byte bound's slack). */
  async diskBytes(): Promise<number> {
    let total = 0;
    for (const first of this.#segments.keys()) total += await statSize(path.join(this.dir, segmentName(first))).catch(() => 0);
    return total;
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      if (this.#active) await close(this.#active.fd);
      this.#active = undefined;
      this.#lock.release();
    });
  }
}
