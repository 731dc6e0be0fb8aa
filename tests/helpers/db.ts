/**
 * Test databases for integration tests, on every available backend.
 *
 *   describeEachBackend('regions', (getDb) => {
 *     it('…', async () => {
 *       const { db } = getDb();
 *       …
 *     });
 *   });
 *
 * Each describe block (one per backend) gets a fresh, already migrated database for the
 * file: PGlite loaded from the template tarball built by tests/setup/global.ts, or a copy
 * of the `yunwang_template` database on the throwaway PostgreSQL server.
 */
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { POSTGRES_SKIP_MESSAGE, POSTGRES_TEMPLATE_DB } from '../setup/context.ts';

export type Backend = Database['kind'];

const postgresUrl = inject('postgresUrl');

/** The backends the integration tests run on here: always PGlite, PostgreSQL when available. */
export const backends: Backend[] = postgresUrl ? ['pglite', 'postgres'] : ['pglite'];

let templateTarball: Promise<Blob> | undefined;
let databaseCounter = 0;

/** A fresh, migrated database. Close it when done (for PostgreSQL that also drops it). */
export async function openTestDatabase(backend: Backend): Promise<Database> {
  if (backend === 'pglite') {
    templateTarball ??= readFile(inject('pgliteTemplatePath')).then((bytes) => new Blob([bytes], { type: 'application/x-tar' }));
    const pglite = await PGlite.create({ loadDataDir: await templateTarball });
    return openDatabase({ pglite });
  }

  const created = await createPostgresDatabase();
  const database = await openDatabase({ databaseUrl: created.url, poolSize: 5 });
  let closed = false;
  return {
    ...database,
    close: async () => {
      if (closed) return;
      closed = true;
      await database.close();
      await created.drop();
    },
  };
}

/**
 * A fresh migrated database on the throwaway server, by URL — for tests that hand it to
 * another process (the CLI); with `empty`, one without even the migrations. `drop()` removes it.
 */
export async function createPostgresDatabase(options: { empty?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgresUrl) throw new Error(POSTGRES_SKIP_MESSAGE);
  const base = postgresUrl;
  const name = `yunwang_test_${process.pid}_${++databaseCounter}`;
  await withAdminClient(base, (admin) =>
    admin.query(`CREATE DATABASE "${name}" TEMPLATE "${options.empty ? 'template0' : POSTGRES_TEMPLATE_DB}"`),
  );
  return {
    url: `${base}/${name}`,
    drop: () => withAdminClient(base, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * One describe block per backend, each with its own fresh database for the file, opened in
 * beforeAll and closed in afterAll. Call `getDb()` inside tests and hooks, not at collection.
 * When PostgreSQL is not available its block is still registered, skipped, with the reason.
 */
export function describeEachBackend(name: string, fn: (getDb: () => Database) => void): void {
  describe.each(backends)(`${name.replaceAll('%', '%%')} [%s]`, (backend) => {
    let database: Database | undefined;
    beforeAll(async () => {
      database = await openTestDatabase(backend);
    });
    afterAll(async () => {
      await database?.close();
      database = undefined;
    });
    fn(() => {
      if (!database) throw new Error(`the ${backend} test database is not open: call getDb() inside a test or hook`);
      return database;
    });
  });

  if (!postgresUrl) {
    describe.skip(`${name} [postgres] — ${POSTGRES_SKIP_MESSAGE}`, () => {
      fn(() => {
        throw new Error(POSTGRES_SKIP_MESSAGE);
      });
    });
  }
}

/** Runs raw SQL and returns its rows, the same way on both drivers. */
export async function queryRows<Row extends Record<string, unknown>>(database: Database, query: SQL): Promise<Row[]> {
  const result: unknown = await database.db.execute(query);
  if (result && typeof result === 'object' && 'rows' in result && Array.isArray(result.rows)) {
    return result.rows as Row[];
  }
  throw new Error('unexpected result shape from db.execute()');
}

async function withAdminClient<T>(baseUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
