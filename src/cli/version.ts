import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { fromRoot, projectRoot } from '../kernel/paths.ts';

/** The revision this copy runs: YUNWANG_REVISION (images set it), else the checkout's commit, else null. */
function revision(): string | null {
  const given = loadConfig().YUNWANG_REVISION;
  if (given) return given;
  if (!existsSync(fromRoot('.git'))) return null;
  try {
    return (
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
      null
    );
  } catch {
    return null;
  }
}

/** `yunwang 0.1.0 (revision 1a2b3c4, Node.js v24.1.0)`: package.json's version, and the revision when known. */
export function versionText(): string {
  const { version } = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };
  const rev = revision();
  return `yunwang ${version} (${rev ? `revision ${rev}, ` : ''}Node.js ${process.version})`;
}
