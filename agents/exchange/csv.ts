import { mkdir, open, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ExchangeCsvSource } from '../client/config.ts';
import { fsyncDir } from '../client/durable-files.ts';
import type { AgentMetrics } from '../client/metrics.ts';
import type { ExchangeVolumeItem } from '../client/protocol.ts';
import type { CollectedRound } from '../client/runner.ts';
import { addDays, beijingDate, toVolumeItem, type VolumeColumn } from './volumes.ts';

/**
 * The CSV folder source: the exchange platform drops `service_code,date,count` files in a
 * folder. A complete file is parsed whole; its rows become items, and the file moves to
 * done/ only after the runner has fsynced those items in the spool — a crash in between
 * leaves the file where it was, to be read (and sent) again, which the server's
 * replace-by-(service, date) makes harmless. A file with any bad row goes to rejected/ with
 * a `.error` beside it naming each row and column: all of it or none of it.
 */

const header = ['service_code', 'date', 'count'] as const;
const columnOf: Record<VolumeColumn, (typeof header)[number]> = { service: 'service_code', date: 'date', count: 'count' };
/** Lines of problems written to a `.error` file at most. */
const maxProblems = 100;

export interface CsvSourceOptions {
  now?: () => number;
  log?: (line: string) => void;
}

export type ParsedFile = { items: ExchangeVolumeItem[] } | { errors: string[] };

/** Parses one file's bytes; a row is named by the line it starts on (the header is row 1). */
export function parseVolumeFile(bytes: Buffer, latest: string): ParsedFile {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { errors: ['the file is not UTF-8 text (save it as CSV UTF-8)'] };
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes as {record, info}; the typings do not follow the option.
    records = parse(text, {
      bom: true,
      info: true,
      trim: true,
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    return { errors: [`${lines ? `row ${lines}: ` : ''}not valid CSV: ${(error as Error).message}`] };
  }
  // A quoted value may span lines: a row starts on the line after the one before ended.
  const rows: { record: string[]; row: number }[] = [];
  let ended = 0;
  for (const { record, info } of records) {
    if (!(record.length === 1 && record[0] === '')) rows.push({ record, row: ended + 1 });
    ended = info.lines;
  }
  const first = rows[0];
  if (!first) return { errors: ['the file is empty; row 1 must be the header service_code,date,count'] };
  const names = first.record.map((name) => name.trim().toLowerCase());
  const index = Object.fromEntries(header.map((name) => [name, names.indexOf(name)])) as Record<(typeof header)[number], number>;
  const errors: string[] = [];
  for (const name of header) if (index[name] < 0) errors.push(`row ${first.row}: the header has no column ${name}`);
  names.forEach((name, i) => {
    if (!(header as readonly string[]).includes(name))
      errors.push(`row ${first.row}, column ${i + 1}: unknown column ${JSON.stringify(first.record[i])} (expected ${header.join(',')})`);
    else if (names.indexOf(name) !== i) errors.push(`row ${first.row}, column ${i + 1}: column ${name} appears twice`);
  });
  if (errors.length > 0) return { errors };

  const items: ExchangeVolumeItem[] = [];
  const seen = new Map<string, number>();
  for (const { record, row } of rows.slice(1)) {
    if (record.length !== names.length) {
      errors.push(`row ${row}: has ${record.length} columns, the header ${names.length}`);
      continue;
    }
    const result = toVolumeItem({ service: record[index.service_code], date: record[index.date], count: record[index.count] }, latest);
    if ('problems' in result) {
      for (const p of result.problems)
        errors.push(`row ${row}, column ${index[columnOf[p.column]] + 1} (${columnOf[p.column]}): ${p.message}`);
      continue;
    }
    const key = `${result.item.service}\u0000${result.item.date}`;
    const before = seen.get(key);
    if (before !== undefined) {
      errors.push(`row ${row}: ${result.item.service} on ${result.item.date} is already on row ${before}`);
      continue;
    }
    seen.set(key, row);
    items.push(result.item);
  }
  return errors.length > 0 ? { errors } : { items };
}

/** A name in `dir` not taken yet: `name`, else `name.<n>`. */
async function freeName(dir: string, name: string, taken: (file: string) => Promise<boolean>): Promise<string> {
  if (!(await taken(path.join(dir, name)))) return name;
  for (let n = 1; ; n++) if (!(await taken(path.join(dir, `${name}.${n}`)))) return `${name}.${n}`;
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

export class CsvFolderSource {
  readonly #config: ExchangeCsvSource;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #done: string;
  readonly #rejected: string;

  constructor(config: ExchangeCsvSource, options: CsvSourceOptions = {}) {
    this.#config = config;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? ((line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
    this.#done = path.join(config.dir, 'done');
    this.#rejected = path.join(config.dir, 'rejected');
  }

  /** The complete CSV files waiting in the folder, by name, at most max_files_per_round. */
  async #waiting(): Promise<{ name: string; size: number }[]> {
    const entries = await readdir(this.#config.dir, { withFileTypes: true });
    const names = entries
      .filter((e) => e.isFile() && !e.name.startsWith('.') && /\.csv$/i.test(e.name))
      .map((e) => e.name)
      .sort();
    const settled: { name: string; size: number }[] = [];
    for (const name of names) {
      if (settled.length >= this.#config.max_files_per_round) break;
      const info = await stat(path.join(this.#config.dir, name)).catch(() => undefined);
      // Still being written (or gone meanwhile): next round.
      if (!info || this.#now() - info.mtimeMs < this.#config.settle_seconds * 1000) continue;
      settled.push({ name, size: info.size });
    }
    return settled;
  }

  async #reject(name: string, errors: string[]): Promise<void> {
    const target = await freeName(this.#rejected, name, exists);
    const shownErrors = errors.slice(0, maxProblems);
    if (errors.length > maxProblems) shownErrors.push(`… and ${errors.length - maxProblems} more`);
    const text = `${name} rejected at ${new Date(this.#now()).toISOString()}: nothing in it was sent.\n${shownErrors.join('\n')}\n`;
    await writeFile(path.join(this.#rejected, `${target}.error`), text, 'utf8');
    await rename(path.join(this.#config.dir, name), path.join(this.#rejected, target));
    await fsyncDir(this.#rejected);
    await fsyncDir(this.#config.dir);
    this.#log(`exchange csv: ${name} rejected to rejected/${target} (${errors.length} problem(s); first: ${errors[0]})`);
  }

  /** One round: the items of every good waiting file, and the move of those files to done/ once spooled. */
  async collect(metrics: AgentMetrics): Promise<CollectedRound<ExchangeVolumeItem>> {
    await mkdir(this.#done, { recursive: true });
    await mkdir(this.#rejected, { recursive: true });
    const latest = addDays(beijingDate(this.#now()), 1);
    const items: ExchangeVolumeItem[] = [];
    const accepted: { name: string; rows: number }[] = [];
    let roundBytes = 0;
    for (const { name, size } of await this.#waiting()) {
      if (size > this.#config.max_file_bytes) {
        await this.#reject(name, [`the file is ${size} bytes, over max_file_bytes (${this.#config.max_file_bytes})`]);
        metrics.exchangeFiles.inc({ outcome: 'rejected' });
        continue;
      }
      // A round holds at most max_file_bytes of files (or one file): the rest wait for the next.
      if (accepted.length > 0 && roundBytes + size > this.#config.max_file_bytes) break;
      roundBytes += size;
      let bytes: Buffer;
      const handle = await open(path.join(this.#config.dir, name), 'r').catch((error: NodeJS.ErrnoException) => {
        // Taken away since the listing (by hand, or a second agent misconfigured on the folder).
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!handle) continue;
      try {
        // Read at most one byte past the bound: a file that grew since stat is still bounded.
        const buffer = Buffer.alloc(this.#config.max_file_bytes + 1);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        bytes = buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
      const parsed =
        bytes.length > this.#config.max_file_bytes
          ? { errors: [`the file is over max_file_bytes (${this.#config.max_file_bytes})`] }
          : parseVolumeFile(bytes, latest);
      if ('errors' in parsed) {
        await this.#reject(name, parsed.errors);
        metrics.exchangeFiles.inc({ outcome: 'rejected' });
        continue;
      }
      items.push(...parsed.items);
      accepted.push({ name, rows: parsed.items.length });
      metrics.exchangeRows.inc({ source: 'csv' }, parsed.items.length);
    }
    return {
      items,
      afterSpooled: async () => {
        for (const { name, rows } of accepted) {
          const target = await freeName(this.#done, name, exists);
          await rename(path.join(this.#config.dir, name), path.join(this.#done, target));
          metrics.exchangeFiles.inc({ outcome: 'done' });
          this.#log(`exchange csv: ${name} done (${rows} rows spooled)`);
        }
        if (accepted.length > 0) {
          await fsyncDir(this.#done);
          await fsyncDir(this.#config.dir);
        }
      },
    };
  }
}
