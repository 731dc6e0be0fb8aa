#!/usr/bin/env node
// The yunwang command. It runs the compiled build (dist/yunwang.mjs, written by `npm run build`,
// which `npm ci` runs as `prepare`) when that build is newer than every source file; otherwise —
// a source edited since, or no build — it runs the TypeScript sources through tsx, so a developer
// never has to build before `npm start`. YUNWANG_FROM_SOURCE=1 always runs the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/yunwang.mjs`;

/** The newest modification time of the files under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return latest;
}

const useBuild = process.env.YUNWANG_FROM_SOURCE !== '1' && existsSync(built) && statSync(built).mtimeMs >= newest(`${root}src`);
if (useBuild) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
