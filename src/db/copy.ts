import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import type { PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { insertRows } from './bulk.ts';
import type { Db } from './client.ts';

/** A value of one column: text, a number, a flag, a jsonb document, or none. */
export type CopyValue = string | number | boolean | null | object;

/** Rows appended to one table as they come, without holding them: `end()` commits them, `abort()` drops them. */
export interface CopyWriter {
  write(values: CopyValue[]): Promise<void>;
  /** Sends what is left and waits until the server has it; answers the rows written. */
  end(): Promise<number>;
  abort(error?: Error): Promise<void>;
}

/** Text sent to the server at once: large enough to cost little per row, small enough to stay out of the way. */
const chunkChars = 256 * 1024;
/**
 * PGlite reads a COPY's blob whole into its memory, and runs the COPY on this thread: a quarter
 * megabyte (some 1,500 rows) is copied in about 0.1 s, so other requests are not kept waiting.
 */
const blobChars = 256 * 1024;

/**
 * COPY into `table` (`columns` by property name): through pg-copy-streams on PostgreSQL, through
 * COPY FROM '/dev/blob' a blob at a time on PGlite. Its own statement, outside any transaction the
 * caller holds — so for staging rows, not for the registry. A `db` that is a transaction (no
 * client of its own) gets the same rows by multi-row INSERTs.
 */
export async function openCopy(db: Db, table: PgTable, columns: string[]): Promise<CopyWriter> {
  const byKey = getTableColumns(table);
  const names = columns.map((key) => {
    const column = byKey[key];
    if (!column) throw new Error(`openCopy: ${getTableName(table)} has no column "${key}"`);
    return `"${column.keyAsName ? toSnakeCase(column.name) : column.name}"`;
  });
  const statement = `copy "${getTableName(table)}" (${names.join(', ')}) from`;
  const client = (db as { $client?: unknown }).$client;
  if (client instanceof PGlite) return pgliteCopy(client, `${statement} '/dev/blob'`);
  // Loaded here, not at start-up: the embedded database never needs them.
  const { default: pgModule } = await import('pg');
  if (client instanceof pgModule.Pool) return postgresCopy(client, `${statement} stdin`);
  return insertingCopy(db, table, columns);
}

/** COPY's text format: tab-separated, `\N` for none, backslash escapes for the rest. */
function copyLine(values: CopyValue[]): string {
  return `${values.map(copyText).join('\t')}\n`;
}

function copyText(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

async function postgresCopy(pool: pg.Pool, statement: string): Promise<CopyWriter> {
  const { from: copyFrom } = await import('pg-copy-streams');
  const client = await pool.connect();
  const stream = client.query(copyFrom(statement));
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  let pending = '';
  let rows = 0;
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    // A connection whose COPY failed half-way is not given back to the pool.
    client.release(error ?? (failure ? true : undefined));
  };
  const send = async (text: string) => {
    if (failure) throw failure;
    if (!stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
    if (failure) throw failure;
  };
  return {
    async write(values) {
      pending += copyLine(values);
      rows++;
      if (pending.length >= chunkChars) {
        const text = pending;
        pending = '';
        await send(text);
      }
    },
    async end() {
      try {
        if (pending) await send(pending);
        pending = '';
        stream.end();
        await finished(stream);
        return rows;
      } finally {
        release();
      }
    },
    async abort(error) {
      stream.destroy(error ?? new Error('the copy was abandoned'));
      await finished(stream).catch(() => undefined);
      release(error ?? new Error('the copy was abandoned'));
    },
  };
}

async function pgliteCopy(pglite: PGlite, statement: string): Promise<CopyWriter> {
  let parts: string[] = [];
  let size = 0;
  let rows = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    const blob = new Blob(parts);
    parts = [];
    size = 0;
    await pglite.query(statement, [], { blob });
  };
  return {
    async write(values) {
      const line = copyLine(values);
      parts.push(line);
      size += line.length;
      rows++;
      if (size >= blobChars) await flush();
    },
    async end() {
      await flush();
      return rows;
    },
    async abort() {
      parts = [];
    },
  };
}

/** Inside a transaction there is no client to COPY on: the same rows, 1,000 a statement. */
function insertingCopy(db: Db, table: PgTable, columns: string[]): CopyWriter {
  let batch: Record<string, unknown>[] = [];
  let rows = 0;
  const flush = async () => {
    const part = batch;
    batch = [];
    await insertRows(db, table, part as never);
  };
  return {
    async write(values) {
      batch.push(Object.fromEntries(columns.map((key, i) => [key, values[i] ?? null])));
      rows++;
      if (batch.length >= 1000) await flush();
    },
    async end() {
      await flush();
      return rows;
    },
    async abort() {
      batch = [];
    },
  };
}
