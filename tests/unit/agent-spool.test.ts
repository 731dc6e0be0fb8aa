import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSegment, encodeRecord, Spool, scanSegment } from '../../agents/client/spool.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yunwang-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (extra: { maxBytes?: number; maxAgeMs?: number; segmentBytes?: number; now?: () => number } = {}) =>
  Spool.open({
    dir,
    maxBytes: extra.maxBytes ?? 1024 * 1024,
    maxAgeMs: extra.maxAgeMs ?? 3600_000,
    segmentBytes: extra.segmentBytes,
    now: extra.now,
  });

const segments = async () => (await readdir(dir)).filter((f) => f.endsWith('.seg')).sort();

/** Drains the spool the way the sender does: peek, read, ack. */
async function drain(spool: Spool): Promise<{ seq: number; payload: unknown }[]> {
  const out = [];
  for (let entry = spool.peek(); entry; entry = spool.peek()) {
    out.push({ seq: entry.seq, payload: await spool.read(entry) });
    await spool.ack(entry.seq);
  }
  return out;
}

describe('spool records', () => {
  it('round-trip, and a flipped bit or a cut end stops decoding there', () => {
    const a = encodeRecord(1, 1000, Buffer.from('{"a":1}'));
    const b = encodeRecord(2, 2000, Buffer.from('{"b":2}'));
    const both = Buffer.concat([a, b]);
    expect(decodeSegment(1, both).entries.map((e) => e.seq)).toEqual([1, 2]);

    const flipped = Buffer.from(both);
    flipped[a.length + 30] = (flipped[a.length + 30] ?? 0) ^ 1;
    expect(decodeSegment(1, flipped)).toMatchObject({ validBytes: a.length, entries: [{ seq: 1 }] });
    expect(decodeSegment(1, both.subarray(0, both.length - 3))).toMatchObject({ validBytes: a.length });
  });
});

describe('the spool', () => {
  it('keeps batches in order across a restart and continues the seq', async () => {
    const first = await open();
    for (let i = 1; i <= 5; i++) expect((await first.spool.append({ i })).seq).toBe(i);
    expect(first.spool.peek()?.seq).toBe(1);
    await first.spool.ack(2);
    expect(first.spool.peek()?.seq).toBe(3);
    await first.spool.close();

    const again = await open();
    expect(again.report.pending).toBe(3);
    expect((await again.spool.append({ i: 6 })).seq).toBe(6);
    expect(await drain(again.spool)).toEqual([3, 4, 5, 6].map((i) => ({ seq: i, payload: { i } })));
    await again.spool.close();
  });

  it('never reuses a seq after everything was acknowledged and the files rolled', async () => {
    const s = await open({ segmentBytes: 200 });
    for (let i = 0; i < 20; i++) await s.spool.append({ filler: 'x'.repeat(60), i });
    await drain(s.spool);
    await s.spool.close();
    expect((await segments()).length).toBeLessThanOrEqual(2);
    // Even with the cursor gone, the newest segment remembers the last seq.
    await rm(path.join(dir, 'cursor.json'));
    const again = await open({ segmentBytes: 200 });
    expect((await again.spool.append({ i: 20 })).seq).toBe(21);
    await again.spool.close();
  });

  it('skips a torn tail on restart and reuses only that never-sent seq', async () => {
    const s = await open();
    for (let i = 1; i <= 3; i++) await s.spool.append({ i });
    await s.spool.close();
    const [file] = await segments();
    const full = path.join(dir, file as string);
    // A kill -9 in the middle of writing record 4: half a record at the end.
    const partial = encodeRecord(4, Date.now(), Buffer.from('{"i":4}')).subarray(0, 17);
    await appendFile(full, partial);
    const sizeWithTorn = (await stat(full)).size;

    const again = await open();
    expect(again.report).toMatchObject({ pending: 3, tornBytes: 17 });
    expect((await stat(full)).size).toBe(sizeWithTorn - 17);
    expect((await again.spool.append({ i: 'four' })).seq).toBe(4);
    expect((await drain(again.spool)).map((r) => r.payload)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }, { i: 'four' }]);
    await again.spool.close();
  });

  it('stops at a record whose checksum fails, keeping the ones before it', async () => {
    const s = await open();
    for (let i = 1; i <= 3; i++) await s.spool.append({ i });
    await s.spool.close();
    const full = path.join(dir, (await segments())[0] as string);
    const bytes = await readFile(full);
    const second = encodeRecord(1, 0, Buffer.from('{"i":1}')).length;
    bytes[second + 29] = 0x7a; // inside record 2's payload
    await writeFile(full, bytes);
    const again = await open();
    expect(again.report.pending).toBe(1);
    expect(again.report.tornBytes).toBeGreaterThan(0);
    await again.spool.close();
  });

  it('drops the oldest batches beyond its byte bound, never the newest, and reports them', async () => {
    const s = await open({ maxBytes: 1000, segmentBytes: 400 });
    const dropped: number[] = [];
    for (let i = 1; i <= 30; i++) {
      const r = await s.spool.append({ i, filler: 'y'.repeat(50) });
      dropped.push(...r.dropped.map((d) => d.seq));
      expect(r.dropped.every((d) => d.reason === 'bytes')).toBe(true);
    }
    const left = await drain(s.spool);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped).toEqual(Array.from({ length: dropped.length }, (_, i) => i + 1));
    expect(left.map((r) => r.seq)).toEqual(Array.from({ length: 30 - dropped.length }, (_, i) => dropped.length + 1 + i));
    expect(s.spool.stats().bytes).toBe(0);
    expect(await s.spool.diskBytes()).toBeLessThan(1000 + 400 + 200);
    await s.spool.close();
  });

  it('does not drop the batch being sent; the bound applies once its outcome is known', async () => {
    const s = await open({ maxBytes: 1000, segmentBytes: 400 });
    await s.spool.append({ i: 1, filler: 'y'.repeat(300) });
    s.spool.pin(1);
    const whileSending = await s.spool.append({ i: 2, filler: 'y'.repeat(300) });
    const stillSending = await s.spool.append({ i: 3, filler: 'y'.repeat(300) });
    expect([...whileSending.dropped, ...stillSending.dropped]).toEqual([]);
    expect(s.spool.peek()?.seq).toBe(1);
    s.spool.pin(undefined);
    expect(await s.spool.enforceBounds()).toEqual([{ seq: 1, reason: 'bytes' }]);
    await s.spool.close();
  });

  it('drops batches older than its age bound', async () => {
    let now = 1_000_000;
    const s = await open({ maxAgeMs: 10_000, now: () => now });
    await s.spool.append({ i: 1 });
    now += 5_000;
    await s.spool.append({ i: 2 });
    now += 6_000;
    expect(s.spool.stats().oldestAgeSeconds).toBe(11);
    expect(await s.spool.enforceBounds()).toEqual([{ seq: 1, reason: 'age' }]);
    expect(s.spool.stats()).toMatchObject({ batches: 1, oldestAgeSeconds: 6 });
    await s.spool.close();
  });

  it('moves a refused batch to the dead-letter file and goes on with the next', async () => {
    const s = await open();
    await s.spool.append({ i: 1 });
    await s.spool.append({ i: 2 });
    const head = s.spool.peek();
    if (!head) throw new Error('empty spool');
    await s.spool.deadLetter(head, { i: 1 }, { status: 400, body: '{"code":"bad_request"}' });
    expect(s.spool.peek()?.seq).toBe(2);
    const lines = (await readFile(path.join(dir, 'dead-letter.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ seq: 1, status: 400, batch: { i: 1 } })]);
    await s.spool.close();
  });

  it('refuses a second process on the same directory, and takes over a dead one’s lock', async () => {
    const s = await open();
    await expect(open()).rejects.toThrow(/in use by process|cannot lock/);
    await s.spool.close();
    // pid 1 is alive (init): the spool is taken.
    await writeFile(path.join(dir, 'spool.lock'), '1');
    await expect(open()).rejects.toThrow(/in use by process 1/);
    await writeFile(path.join(dir, 'spool.lock'), '999999');
    const again = await open();
    await again.spool.close();
  });

  it('truncating a segment to nothing loses only what was in it', async () => {
    const s = await open({ segmentBytes: 150 });
    for (let i = 1; i <= 6; i++) await s.spool.append({ i, pad: 'z'.repeat(40) });
    await s.spool.close();
    const names = await segments();
    expect(names.length).toBeGreaterThan(1);
    await truncate(path.join(dir, names.at(-1) as string), 0);
    const again = await open({ segmentBytes: 150 });
    const seqs = (await drain(again.spool)).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect((await again.spool.append({})).seq).toBe(Number((names.at(-1) as string).slice(0, 20)));
    await again.spool.close();
  });
});

describe('reopening a spool that filled up during an outage', () => {
  it('scans segments record by record: every batch comes back in order, byte for byte, after a restart', async () => {
    const payload = (i: number) => ({ next_report_seconds: 30, items: [{ i, filler: 'x'.repeat(i % 97) }] });
    const s = await open({ segmentBytes: 2048 });
    for (let i = 1; i <= 120; i++) await s.spool.append(payload(i));
    await s.spool.ack(17);
    await s.spool.close();
    const names = await segments();
    expect(names.length).toBeGreaterThan(5);
    // The scan finds what decoding the whole file finds.
    for (const name of names) {
      const file = path.join(dir, name);
      const scanned = await scanSegment(Number(name.slice(0, 20)), file);
      const decoded = decodeSegment(Number(name.slice(0, 20)), await readFile(file));
      expect(scanned.validBytes).toBe(decoded.validBytes);
      expect(scanned.entries).toEqual(decoded.entries.map(({ payload: _, ...entry }) => entry));
    }

    const again = await open({ segmentBytes: 2048 });
    expect(again.report.pending).toBe(103);
    const sent: number[] = [];
    for (let entry = again.spool.peek(); entry; entry = again.spool.peek()) {
      const bytes = await again.spool.readPayload(entry);
      expect(bytes.toString('utf8')).toBe(JSON.stringify(payload(entry.seq)));
      sent.push(entry.seq);
      await again.spool.ack(entry.seq);
    }
    expect(sent).toEqual(Array.from({ length: 103 }, (_, i) => i + 18));
    await again.spool.close();
  });

  it('a torn record at the end of the newest of many segments loses only that record', async () => {
    const s = await open({ segmentBytes: 1024 });
    for (let i = 1; i <= 40; i++) await s.spool.append({ i, pad: 'p'.repeat(60) });
    await s.spool.close();
    const newest = path.join(dir, (await segments()).at(-1) as string);
    await appendFile(newest, encodeRecord(41, Date.now(), Buffer.from('{"i":41}')).subarray(0, 30));
    const again = await open({ segmentBytes: 1024 });
    expect(again.report).toMatchObject({ pending: 40, tornBytes: 30, corruptSegments: 0 });
    expect((await drain(again.spool)).map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await again.spool.close();
  });
});
