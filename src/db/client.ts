import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** A database or a transaction on it: services take this so the same code runs in either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema> | PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  db: PgDatabase<PgQueryResultHKT, Schema>;
  kind: 'pglite' | 'postgres';
  migrate(): Promise<void>;
  /**
   * Runs `fn` while no other yunwang process prepares the same database: replicas starting
   * together (and the migration Job) take turns to migrate and seed instead of racing.
   */
  exclusively<T>(fn: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
  /** An already open PGlite (tests load a migrated template into one). */
  pglite?: PGlite;
}

/** PostgreSQL when a URL is given, otherwise the embedded PGlite under dataDir. */
/** pg_advisory_lock key held while a process migrates and seeds ("ywpr"). */
const preparationLock = 0x7977_7072;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // A connect that never completes (a server caught mid-restart) must not hold a pool slot forever.
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 });
    // A pool error on an idle client would otherwise crash the process.
    pool.on('error', (err) => console.error(`database pool error: ${err.message}`));
    // drizzle's transaction() sends BEGIN outside its try/finally: when BEGIN fails on a
    // connection the server has just closed (a restart), that client is never released and
    // the pool shrinks for good. A client whose connection ended while checked out is
    // released here after a grace period (every query on it fails at once meanwhile).
    const checkedOut = new Set<pg.PoolClient>();
    pool.on('acquire', (client) => checkedOut.add(client));
    pool.on('release', (_err, client) => checkedOut.delete(client));
    pool.on('connect', (client) => {
      // A connection cut while checked out would otherwise crash the process.
      client.on('error', (err) => console.error(`database connection error: ${err.message}`));
      client.on('end', () => {
        setTimeout(() => {
          if (!checkedOut.delete(client)) return;
          client.release(new Error('the database connection ended while the client was checked out'));
        }, 3000).unref();
      });
    });
    const db = drizzlePg(pool, { schema, casing: 'snake_case' });
    return {
      db,
      kind: 'postgres',
      migrate: () => migratePg(db, { migrationsFolder }),
      exclusively: async (fn) => {
        // Its own connection, not a pool slot: a pool of one would otherwise wait on itself.
        const holder = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 10_000 });
        await holder.connect();
        try {
          // The lock ends with the session, so a process that dies mid-preparation frees it.
          await holder.query('select pg_advisory_lock($1)', [preparationLock]);
          return await fn();
        } finally {
          await holder.end();
        }
      },
      ping: async () => {
        await pool.query('select 1');
      },
      close: () => pool.end(),
    };
  }
  const client = options.pglite ?? (await PGlite.create(options.dataDir ?? 'memory://'));
  const db = drizzlePglite(client, { schema, casing: 'snake_case' });
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder }),
    // The embedded database is one process's alone (the lock file in its folder).
    exclusively: (fn) => fn(),
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}
