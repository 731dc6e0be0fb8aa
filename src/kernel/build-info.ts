import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromRoot, projectRoot } from './paths.ts';

export interface BuildInfo {
  version: string;
  revision: string;
  nodeVersion: string;
}

let fromGit: string | undefined;

/**
 * What this process runs: package.json's version, the source revision (YUNWANG_REVISION, set
 * when an image is built; else the checkout's `git rev-parse --short HEAD`, asked once per
 * process; else "unknown") and Node's version.
 */
export function buildInfo(revision?: string): BuildInfo {
  const { version } = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };
  return { version, revision: revision ?? gitRevision(), nodeVersion: process.versions.node };
}

function gitRevision(): string {
  if (fromGit !== undefined) return fromGit;
  fromGit = 'unknown';
  if (existsSync(fromRoot('.git'))) {
    try {
      const out = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 2000,
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (/^[0-9a-f]{4,40}$/.test(out)) fromGit = out;
    } catch {
      // No git on the machine (an image without it): the revision stays "unknown".
    }
  }
  return fromGit;
}

// Replaced by `npm run build` (esbuild's define) with the build's id; not defined in the sources.
declare const __YUNWANG_BUILD__: string | undefined;

/** The id of the compiled build this process runs, or undefined when it runs the sources. */
export const compiledBuild: string | undefined = typeof __YUNWANG_BUILD__ === 'string' ? __YUNWANG_BUILD__ : undefined;

/** Where the compiled build keeps what it was built with (dist/): meaningful only when compiledBuild is set. */
export const compiledBuildDir = (): string => path.dirname(fileURLToPath(import.meta.url));
