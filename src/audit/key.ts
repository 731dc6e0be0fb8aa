import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The secret the audit chain's HMACs are keyed with, and a public name for it. */
export interface AuditKey {
  /** Stored with each entry: which key to verify it with (a digest of the key, not the key). */
  id: string;
  secret: Uint8Array;
}

export const auditKeyFileName = 'audit.key';

export function auditKeyFrom(text: string): AuditKey {
  const secret = new TextEncoder().encode(text.trim());
  const id = createHash('sha256').update('yunwang audit key id\0').update(secret).digest('hex').slice(0, 16);
  return { id, secret };
}

let installed: AuditKey | undefined;

/** The server and the CLI install the configured key once, before the first audit entry. */
export function installAuditKey(key: AuditKey): void {
  installed = key;
}

/**
 * The installed key. A process that opened a database without the configuration (tests,
 * benchmarks) gets a throwaway key of its own: its entries verify in that process only.
 */
export function currentAuditKey(): AuditKey {
  installed ??= auditKeyFrom(randomBytes(32).toString('hex'));
  return installed;
}

/**
 * YUNWANG_AUDIT_KEY when set; otherwise the key file in the data directory, created on first
 * use (0600): outside the database, so a database dump or a database login alone cannot forge.
 */
export async function loadAuditKey(options: { envKey?: string; dataDir: string }): Promise<AuditKey> {
  if (options.envKey) return auditKeyFrom(options.envKey);
  const dir = path.resolve(options.dataDir);
  const file = path.join(dir, auditKeyFileName);
  await mkdir(dir, { recursive: true });
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString('hex')}\n`);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A key others can read is no longer a secret: refuse rather than chain with it.
  if (((await stat(file)).mode & 0o077) !== 0) throw new Error(`${file} is readable by other accounts: chmod 600 it`);
  const text = (await readFile(file, 'utf8')).trim();
  if (text.length < 32) throw new Error(`${file} holds no audit key (expected 64 hex characters)`);
  return auditKeyFrom(text);
}
