import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeLockFile } from '../../src/kernel/lock-file.ts';

describe('lock file', () => {
  let dir: string;
  let file: string;
  const what = 'the test directory';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-lock-'));
    file = path.join(dir, 'test.lock');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('names its holder, refuses a second taker in this process and is gone once released', async () => {
    const lock = takeLockFile(file, { what });
    expect(lock.takenOver).toBeUndefined();
    expect(await readFile(file, 'utf8')).toBe(String(process.pid));
    expect(() => takeLockFile(file, { what, hint: 'stop it first' })).toThrow(
      `the test directory is in use by process ${process.pid}; stop it first`,
    );
    lock.release();
    lock.release();
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a lock held by a live process', async () => {
    // pid 1 (init) is alive; as another user the kernel says EPERM, which is alive too.
    await writeFile(file, '1');
    expect(() => takeLockFile(file, { what })).toThrow('the test directory is in use by process 1');
  });

  it('takes over the lock of a process that is gone, and of our own pid from a previous life', async () => {
    await writeFile(file, '999999');
    const dead = takeLockFile(file, { what });
    expect(dead.takenOver).toMatch(/took over the lock .* from process 999999, which is no longer running/);
    dead.release();
    // A container restarted as the same pid finds its own pid in the lock it did not take.
    await writeFile(file, String(process.pid));
    const ours = takeLockFile(file, { what });
    expect(ours.takenOver).toMatch(/took over/);
    ours.release();
  });
});
