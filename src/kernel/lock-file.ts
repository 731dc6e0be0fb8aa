import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * One process at a time on a directory (the embedded database, an agent's spool): a lock
 * file created exclusively, naming its holder's pid. The agents import this file too, so it
 * depends on nothing but Node.
 */

export interface HeldLock {
  /** Set when the lock was left by a process that is gone (killed): says whose lock was taken over. */
  readonly takenOver: string | undefined;
  /** Removes the lock file; idempotent. */
  release(): void;
}

export interface LockOptions {
  /** What the lock guards, for messages: "the spool /var/lib/…". */
  what: string;
  /** Appended to the "in use" error: what to do about it. */
  hint?: string;
}

/** Locks held by this process: a lock file naming our own pid may be a previous life's (pid 1 in a container). */
const heldHere = new Set<string>();

/**
 * Takes the lock file, or throws when a live process holds it. A lock naming a process that
 * is gone (kill -9), or our own pid while we do not hold it, is taken over.
 */
export function takeLockFile(lockFile: string, options: LockOptions): HeldLock {
  const file = path.resolve(lockFile);
  const busy = (pid: number) => new Error(`${options.what} is in use by process ${pid}${options.hint ? `; ${options.hint}` : ''}`);
  if (heldHere.has(file)) throw busy(process.pid);
  let takenOver: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return holding(file, takenOver);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) throw busy(pid);
      takenOver = `${options.what}: took over the lock ${file} from process ${pid || '(unnamed)'}, which is no longer running`;
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot lock ${options.what} (${file})`);
}

function holding(file: string, takenOver: string | undefined): HeldLock {
  heldHere.add(file);
  // Exit paths that skip release() (an uncaught error, process.exit) must not leave the lock behind.
  const onExit = () => rmSync(file, { force: true });
  process.on('exit', onExit);
  return {
    takenOver,
    release: () => {
      if (!heldHere.delete(file)) return;
      process.off('exit', onExit);
      rmSync(file, { force: true });
    },
  };
}

/** Alive unless the kernel says there is no such process: EPERM is someone else's live process. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
