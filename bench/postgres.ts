import pg from 'pg';
import { type Database, openDatabase } from '../src/db/client.ts';
import { startPostgres } from '../tests/setup/global.ts';

/**
 * Runs `fn` on a fresh, empty PostgreSQL database: on a throwaway server started like the test
 * suite's (or on BENCH_DATABASE_URL's server), dropped afterwards whatever happens — unless BENCH_KEEP=1
 * on BENCH_DATABASE_URL's server, to study its plans afterwards. `fn` gets its URL too, for a child
 * process (the CLI) to connect to.
 */
export async function withBenchDatabase<T>(label: string, fn: (database: Database, url: string) => Promise<T>): Promise<T> {
  if (process.env.BENCH_READS_ONLY === '1') return onKeptDatabase(fn);
  const server = process.env.BENCH_DATABASE_URL ? null : await startPostgres();
  const baseUrl = process.env.BENCH_DATABASE_URL ?? server?.url;
  if (!baseUrl) throw new Error('no PostgreSQL: install postgresql or set BENCH_DATABASE_URL');
  const name = `yunwang_bench_${label}_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const database = await openDatabase({ databaseUrl: `${baseUrl}/${name}`, poolSize: 10 });
  try {
    return await fn(database, `${baseUrl}/${name}`);
  } finally {
    await database.close();
    if (process.env.BENCH_KEEP === '1' && !server) console.log(`kept: ${baseUrl}/${name}`);
    else await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
    await server?.stop();
  }
}

/** BENCH_READS_ONLY=1: BENCH_DATABASE_URL names a database an earlier run kept; it is used as it is and kept. */
async function onKeptDatabase<T>(fn: (database: Database, url: string) => Promise<T>): Promise<T> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('BENCH_READS_ONLY=1 needs BENCH_DATABASE_URL naming the kept database');
  const database = await openDatabase({ databaseUrl: url, poolSize: 10 });
  try {
    return await fn(database, url);
  } finally {
    await database.close();
  }
}
