import path from 'node:path';
import { close, fdatasync, fsync, open, rename, writeFile } from './files.ts';

// What the agents keep on disk survives a crash or a power cut: a file is flushed before it
// is trusted, and a directory after a file appears in it, moves into it or out of it.

/** Flushes a directory, so that the names created, renamed or removed in it are on disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fsync(fd);
  } finally {
    await close(fd);
  }
}

/**
 * Replaces a small file whole: written beside it, then renamed over it, so that a reader sees
 * the old text or the new, never half of one. `durable`: the text (and the rename, in the
 * directory) is on disk before this returns.
 */
export async function replaceFile(file: string, text: string, durable: boolean): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(temp, text);
  if (durable) {
    const fd = await open(temp, 'r+');
    try {
      await fdatasync(fd);
    } finally {
      await close(fd);
    }
  }
  await rename(temp, file);
  if (durable) await fsyncDir(path.dirname(file));
}
