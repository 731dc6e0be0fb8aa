/**
 * `npm run build`: what production runs, compiled — no TypeScript at run time.
 * - dist/yunwang.mjs: the server and the CLI (`node dist/yunwang.mjs serve`), one ES module with
 *   the packages left outside (the production node_modules stay beside it). It reads its run-time
 *   files (drizzle/, data/, src/console/assets/) from the project root, as the sources do.
 * - dist/agents/*.mjs: each agent in one file, packages included (agents/build.ts).
 * `npm ci` runs it as `prepare` with `--prepare`: the server only, and nothing at all in a
 * production install (`--omit=dev`), which has no esbuild. bin/yunwang.mjs runs the build while it
 * is newer than every source file, else the sources through tsx: nothing to build first, ever.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const defaultOutfile = fileURLToPath(new URL('./dist/yunwang.mjs', import.meta.url));

export async function buildServer(outfile = defaultOutfile): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [fileURLToPath(new URL('./src/cli/main.ts', import.meta.url))],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    sourcemap: 'linked',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  return outfile;
}

/** The command: everything, or with --prepare (npm ci) the server only, when esbuild is installed. */
async function main() {
  const prepare = process.argv.includes('--prepare');
  const hasEsbuild = await import('esbuild').then(
    () => true,
    () => false,
  );
  if (prepare && !hasEsbuild) {
    console.log('no esbuild (a production install): not building; bin/yunwang.mjs runs the sources');
  } else {
    const files = [await buildServer()];
    if (!prepare) files.push(...(await (await import('./agents/build.ts')).buildAgents()));
    for (const file of files) console.log(`${file} (${((await stat(file)).size / 1024).toFixed(0)} KiB)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
