import { randomBytes } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes one-time credentials (passwords, second-factor URIs) to a new file only its owner
 * may read (0600, in a 0700 folder), and returns its path: standard output ends up in
 * Kubernetes logs, so the secrets themselves are never printed.
 */
export async function writeCredentialsFile(dir: string, what: string, lines: string[]): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.resolve(dir, `${what}-${stamp}-${randomBytes(3).toString('hex')}.txt`);
  // `wx`: a new file, created with the mode (never an existing one with looser rights).
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(`${lines.join('\n')}\n`);
  } finally {
    await handle.close();
  }
  return file;
}
