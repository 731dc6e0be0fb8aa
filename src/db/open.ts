import { rmSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { type AuditKey, auditKeyFileName, installAuditKey, loadAuditKey } from '../audit/key.ts';
import { sealUnkeyedChain } from '../audit/service.ts';
import type { Config } from '../config.ts';
import { rootActor } from '../identity/actor.ts';
import { type Database, openDatabase } from './client.ts';

/**
 * Opens the database the configuration names. The embedded database is one process's
 * alone: a lock file stops a second process (say the CLI beside a running server) from
 * opening it and corrupting it.
 */
export async function openConfiguredDatabase(config: Config): Promise<Database> {
  installAuditKey(await configuredAuditKey(config));
  if (config.DATABASE_URL) {
    return keyedChain(
      await openDatabase({
        databaseUrl: config.DATABASE_URL,
        migrationDatabaseUrl: config.YUNWANG_MIGRATION_DATABASE_URL,
        poolSize: config.DATABASE_POOL_SIZE,
      }),
    );
  }
  const dir = path.resolve(config.YUNWANG_DATA_DIR);
  await mkdir(dir, { recursive: true });
  const lockFile = path.join(dir, 'yunwang.lock');
  await takeLock(lockFile, dir);
  const database = await openDatabase({ dataDir: path.join(dir, 'pgdata') });
  const close = database.close;
  return keyedChain({
    ...database,
    close: async () => {
      await close();
      await rm(lockFile, { force: true });
    },
  });
}

/**
 * The audit chain's key: YUNWANG_AUDIT_KEY, or a key file beside the embedded database. With
 * PostgreSQL every process writing the trail (replicas, the CLI) needs the same key, so the
 * file is only a fallback for one machine, said so once.
 */
async function configuredAuditKey(config: Config): Promise<AuditKey> {
  if (config.DATABASE_URL && !config.YUNWANG_AUDIT_KEY) {
    console.error(
      `YUNWANG_AUDIT_KEY is not set: the audit chain is keyed with ${path.resolve(config.YUNWANG_DATA_DIR, auditKeyFileName)}; give every process sharing this database the same key`,
    );
  }
  return loadAuditKey({ envKey: config.YUNWANG_AUDIT_KEY, dataDir: config.YUNWANG_DATA_DIR });
}

/** After migrating, entries hashed before the chain was keyed are sealed by a keyed one. */
function keyedChain(database: Database): Database {
  return {
    ...database,
    migrate: async () => {
      await database.migrate();
      await sealUnkeyedChain(database.db, rootActor('system:audit-key'));
    },
  };
}

async function takeLock(lockFile: string, dir: string): Promise<void> {
  try {
    const handle = await open(lockFile, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    // Exit paths that skip close() (a crash, process.exit) must not leave the lock behind.
    process.on('exit', () => rmSync(lockFile, { force: true }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const pid = Number((await readFile(lockFile, 'utf8')).trim());
    if (pid && isAlive(pid)) {
      throw new Error(
        `the embedded database in ${dir} is in use by process ${pid}; stop it first, or run both against PostgreSQL with DATABASE_URL`,
      );
    }
    await rm(lockFile, { force: true });
    return takeLock(lockFile, dir);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
