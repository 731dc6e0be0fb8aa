/**
 * `npm run build`: what production runs, compiled — no TypeScript at run time.
 * - dist/yunwang.mjs: the server and the CLI (`node dist/yunwang.mjs serve`), one ES module with
 *   the packages left outside (the production node_modules stay beside it). It reads its run-time
 *   files (drizzle/, data/, src/console/assets/) from the project root, as the sources do.
 * - dist/agents/*.mjs: each agent in one file, packages included (agents/build.ts).
 * - dist/demo-template/: the demo database this build's first `npm start` unpacks instead of
 *   loading the demo through the write path (src/demo/template.ts); `--no-demo-template` leaves
 *   it out (the image, whose demo is off).
 * `npm ci` runs it as `prepare` with `--prepare`: the server and the template only, and nothing at all in a
 * production install (`--omit=dev`), which has no esbuild. bin/yunwang.mjs runs the build while it
 * is newer than every source file, else the sources through tsx: nothing to build first, ever.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const defaultOutfile = fileURLToPath(new URL('./dist/yunwang.mjs', import.meta.url));

/** Bundles the server and the CLI into `outfile`, carrying `build` (its id, for its demo template). */
export async function buildServer(outfile = defaultOutfile, buildId: string = randomUUID()): Promise<string> {
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
    define: { __YUNWANG_BUILD__: JSON.stringify(buildId) },
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
    const buildId = randomUUID();
    const files = [await buildServer(defaultOutfile, buildId)];
    if (!prepare) files.push(...(await (await import('./agents/build.ts')).buildAgents()));
    for (const file of files) console.log(`${file} (${((await stat(file)).size / 1024).toFixed(0)} KiB)`);
    if (!process.argv.includes('--no-demo-template')) {
      const started = performance.now();
      const { writeDemoTemplate } = await import('./src/demo/template.ts');
      const template = await writeDemoTemplate(buildId, path.join(path.dirname(defaultOutfile), 'demo-template'));
      const mib = (await stat(template.tarball)).size / 2 ** 20;
      console.log(
        `${path.dirname(template.tarball)} (${mib.toFixed(0)} MiB, the demo as of ${template.day}, in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
