import { PGlite } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type pg from 'pg';
import { fallbackLogger, type Logger } from '../kernel/log.ts';
import { fromRoot } from '../kernel/paths.ts';
import { turnHeld, turnMs, yieldToEventLoop } from '../kernel/yielding.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** A database or a transaction on it: services take this so the same code runs in either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema> | PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

/** The embedded database's transactions under way (their PGlite handles), for isEmbedded. */
const embeddedTransactions = new WeakSet<object>();

/**
 * Whether `db` — the database or a transaction on it — is the embedded database, which runs
 * every statement on this thread (so a long statement holds every request).
 */
export function isEmbedded(db: Db): boolean {
  if ((db as { $client?: unknown }).$client instanceof PGlite) return true;
  // A transaction's handle: drizzle's session holds PGlite's transaction, which countCalls registered.
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client;
  return typeof client === 'object' && client !== null && embeddedTransactions.has(client);
}

/** The connections of a database at one moment: yunwang_db_pool_*. */
export interface PoolState {
  /** Checked out, running a query or a transaction. */
  inUse: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

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
  /** The pool now: pg's counts; the embedded database is one connection, busy or idle, and its queue. */
  connections(): PoolState;
  close(): Promise<void>;
}

const migrationsFolder = fromRoot('drizzle');

export interface DatabaseOptions {
  databaseUrl?: string;
  /**
   * The owner's URL, for migrating (YUNWANG_MIGRATION_DATABASE_URL): the server then serves as
   * the DATABASE_URL role, which may only INSERT and SELECT the audit trail.
   */
  migrationDatabaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
  /** An already open PGlite (tests load a migrated template into one). */
  pglite?: PGlite;
  /** Where a connection's errors are logged (the server's logger; else stderr). */
  logger?: Logger;
}

/**
 * The PostgreSQL client and its drizzle driver, loaded only when a DATABASE_URL is given: the
 * embedded database's start-up (`npm start`) does without the ~0.1 s they take to load.
 */
async function postgresModules() {
  const [{ default: pg }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  return { pg, drizzlePg, migratePg };
}

/** PostgreSQL when a URL is given, otherwise the embedded PGlite under dataDir. */
/** pg_advisory_lock key held while a process migrates and seeds ("ywpr"). */
const preparationLock = 0x7977_7072;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { pg, drizzlePg } = await postgresModules();
    // A connect that never completes (a server caught mid-restart) must not hold a pool slot forever.
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 });
    // A pool error on an idle client would otherwise crash the process.
    const logger = options.logger ?? fallbackLogger();
    pool.on('error', (err) => logger.error({ err }, 'database pool error'));
    // drizzle's transaction() sends BEGIN outside its try/finally: when BEGIN fails on a
    // connection the server has just closed (a restart), that client is never released and
    // the pool shrinks for good. A client whose connection ended while checked out is
    // released here after a grace period (every query on it fails at once meanwhile).
    const checkedOut = new Set<pg.PoolClient>();
    pool.on('acquire', (client) => checkedOut.add(client));
    pool.on('release', (_err, client) => checkedOut.delete(client));
    pool.on('connect', (client) => {
      // A connection cut while checked out would otherwise crash the process.
      client.on('error', (err) => logger.error({ err }, 'database connection error'));
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
      migrate: () => migratePostgres(db, options.migrationDatabaseUrl),
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
      connections: () => ({ inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => pool.end(),
    };
  }
  const client = options.pglite ?? (await PGlite.create(options.dataDir ?? 'memory://'));
  const calls = countCalls(client);
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
    connections: () => ({ inUse: calls.active > 0 ? 1 : 0, idle: calls.active > 0 ? 0 : 1, waiting: Math.max(0, calls.active - 1) }),
    close: () => client.close(),
  };
}

interface CallCounter {
  active: number;
  started: number;
  /** Of those, the reads keptWhileQuiet made alone: they changed nothing. */
  quietReads: number;
}
const callCounters = new WeakMap<PGlite, CallCounter>();

/**
 * `read` (one read-only statement) kept on the embedded database for as long as nothing else has
 * been asked of it. The database is this process's alone (the lock file in its folder) and runs
 * its calls one at a time, in the order they were made: while no other call has been made,
 * nothing — no write either — can have changed what `read` saw. A read during which another call
 * was made is not kept, and counts as a change for every other kept read. Elsewhere (PostgreSQL,
 * where other processes write; a transaction's handle) it reads every time.
 */
export function keptWhileQuiet<T>(read: (db: Db) => Promise<T>): (db: Db) => Promise<T> {
  const kept = new WeakMap<PGlite, { mark: number; value: T }>();
  return async (db) => {
    const client = (db as { $client?: unknown }).$client;
    const counter = client instanceof PGlite ? callCounters.get(client) : undefined;
    if (!(client instanceof PGlite) || !counter) return read(db);
    const mark = counter.started - counter.quietReads;
    const hit = kept.get(client);
    if (hit?.mark === mark) return hit.value;
    const startedBefore = counter.started;
    const value = await read(db);
    if (counter.started === startedBefore + 1) {
      counter.quietReads++;
      kept.set(client, { mark, value });
    } else kept.delete(client);
    return value;
  };
}

/**
 * Waits for the next turn (kernel/yielding) when the embedded calls have held this one for
 * turnMs, the turn every background pass shares. PGlite runs each statement synchronously and
 * resolves at once, so a chain of awaited statements (a demo load, a freeze, a migration) never
 * leaves the microtask queue: without a turn, no socket is accepted, no timer fires and no
 * request is answered until the chain ends — seconds at start-up, hundreds of milliseconds
 * while snapshots freeze.
 */
async function turnIfDue(): Promise<void> {
  if (turnHeld(turnMs)) await yieldToEventLoop();
}

/**
 * Counts the embedded database's calls under way, and all it was asked (for keptWhileQuiet), and
 * lets the event loop turn between them (turnIfDue). PGlite runs one at a time and queues the
 * rest: one under way is the connection in use, the others are waiting. Its top-level
 * query, exec and transaction are what drizzle and yunwang call (a transaction's own queries
 * go through the transaction, not these), so each request for the connection counts once.
 */
function countCalls(client: PGlite): { readonly active: number } {
  const counter: CallCounter = { active: 0, started: 0, quietReads: 0 };
  callCounters.set(client, counter);
  // Replaced on this instance only; the methods are generic, so they are swapped untyped.
  type Methods = Record<'query' | 'exec' | 'transaction', (...args: unknown[]) => Promise<unknown>>;
  const methods = client as unknown as Methods;
  const turning = (target: Partial<Methods>, name: 'query' | 'exec') => {
    const method = target[name]?.bind(target);
    if (!method) return;
    target[name] = async (...args) => {
      await turnIfDue();
      return method(...args);
    };
  };
  for (const name of ['query', 'exec', 'transaction'] as const) {
    const method = methods[name].bind(client);
    methods[name] = async (...args) => {
      counter.started++;
      counter.active++;
      try {
        await turnIfDue();
        if (name !== 'transaction') return await method(...args);
        // A transaction's own statements turn too: a demo load or a freeze is one long transaction.
        const [body, ...rest] = args as [(tx: Partial<Methods>) => Promise<unknown>, ...unknown[]];
        return await method(
          (tx: Partial<Methods>) => {
            embeddedTransactions.add(tx);
            turning(tx, 'query');
            turning(tx, 'exec');
            return body(tx);
          },
          ...rest,
        );
      } finally {
        counter.active--;
      }
    };
  }
  return counter;
}

/**
 * Applies the migrations as the owner — through `migrationUrl` when given, else this connection —
 * then refreshes the runtime role's grants. A runtime role (no CREATE, owns nothing) finds them
 * applied by the owner (the Job, `yunwang migrate`) and goes on; it could not migrate anyway.
 */
async function migratePostgres(db: NodePgDatabase<Schema>, migrationUrl: string | undefined): Promise<void> {
  const { pg, drizzlePg, migratePg } = await postgresModules();
  if (migrationUrl) {
    const owner = new pg.Pool({ connectionString: migrationUrl, max: 1, connectionTimeoutMillis: 10_000 });
    try {
      const ownerDb = drizzlePg(owner, { schema, casing: 'snake_case' });
      await migratePg(ownerDb, { migrationsFolder });
      await ownerDb.execute(sql`select yunwang_grant_runtime()`);
    } finally {
      await owner.end();
    }
    return;
  }
  if (await migrationsPending(db)) {
    // The runtime role (it may not create in the schema) must not try: it would fail half-way
    // with a bare "permission denied". It says what is wrong and who is to fix it instead.
    const may = await db.execute(sql`select current_user as role, has_schema_privilege('public', 'CREATE') as may`);
    const { role, may: mayMigrate } = (may.rows[0] ?? {}) as { role?: string; may?: boolean };
    if (!mayMigrate) {
      throw new Error(
        `the database schema is behind this version of yunwang, and ${role} (DATABASE_URL) may not migrate it: run \`yunwang migrate\` as the database owner (the migration Job), or set YUNWANG_MIGRATION_DATABASE_URL to the owner's URL`,
      );
    }
    await migratePg(db, { migrationsFolder });
  }
  // Only the function's owner (the migrating role) re-grants; for the runtime role this is a no-op.
  await db.execute(sql`select yunwang_grant_runtime() from pg_proc
    where proname = 'yunwang_grant_runtime' and pg_has_role(current_user, proowner, 'MEMBER')`);
}

async function migrationsPending(db: NodePgDatabase<Schema>): Promise<boolean> {
  const newest = Math.max(...readMigrationFiles({ migrationsFolder }).map((m) => m.folderMillis));
  const applied = await db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!(applied.rows[0] as { present: boolean } | undefined)?.present) return true;
  const last = await db.execute(sql`select max(created_at)::text as at from drizzle.__drizzle_migrations`);
  return Number((last.rows[0] as { at: string | null } | undefined)?.at ?? 0) < newest;
}
