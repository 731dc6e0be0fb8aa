/**
 * What the global setup hands to the test files (through `project.provide` / `inject`),
 * and the names both sides agree on. Test files import the helpers, not this module.
 */

/** The migrated database on the throwaway PostgreSQL server that each test database is copied from. */
export const POSTGRES_TEMPLATE_DB = 'yunwang_template';

export const POSTGRES_SKIP_MESSAGE =
  'PostgreSQL 15 binaries not found: PostgreSQL integration runs are skipped (apt-get install -y postgresql)';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A tarball (`dumpDataDir('none')`) of a migrated PGlite data directory. */
    pgliteTemplatePath: string;
    /**
     * Base URL of the throwaway PostgreSQL server, without a database name
     * (`postgres://postgres@127.0.0.1:PORT`), or null when no server could be started.
     */
    postgresUrl: string | null;
  }
}
