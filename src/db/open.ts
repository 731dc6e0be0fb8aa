import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { takeLockFile } from '../kernel/lock-file.ts';
import type { Logger } from '../kernel/log.ts';
import { type Database, openDatabase } from './client.ts';

/**
 * Connects to the database the configuration names: PostgreSQL, or the embedded database
 * under YUNWANG_DATA_DIR. The embedded one is one process's alone: a lock file stops a second
 * process (say the CLI beside a running server) from opening it and corrupting it, and a lock
 * left by a killed server is taken over, so it restarts without a manual step.
 */
export async function connectConfiguredDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'YUNWANG_MIGRATION_DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'YUNWANG_DATA_DIR'>,
  logger?: Logger,
  options: {
    /** Creates the embedded database's directory when there is none yet (the demo template), under the lock. */
    createData?: (pgdata: string) => Promise<unknown>;
  } = {},
): Promise<Database> {
  if (config.DATABASE_URL) {
    return openDatabase({
      databaseUrl: config.DATABASE_URL,
      migrationDatabaseUrl: config.YUNWANG_MIGRATION_DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      logger,
    });
  }
  const dir = path.resolve(config.YUNWANG_DATA_DIR);
  await mkdir(dir, { recursive: true });
  const lock = takeLockFile(path.join(dir, 'yunwang.lock'), {
    what: `the embedded database in ${dir}`,
    hint: 'stop it first, or run both against PostgreSQL with DATABASE_URL',
  });
  if (lock.takenOver) console.error(lock.takenOver);
  try {
    const pgdata = path.join(dir, 'pgdata');
    if (options.createData && !existsSync(pgdata)) await options.createData(pgdata);
    const database = await openDatabase({ dataDir: pgdata });
    return {
      ...database,
      close: async () => {
        await database.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
