/**
 * `npm run build:agents`: each agent into one JavaScript file for a container image,
 * dist/agents/network-agent.mjs, cloud-agent.mjs and exchange-agent.mjs (`node <file> --config …`).
 */
import { mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const agentsDir = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/agents/', import.meta.url));

const agents = [
  { file: 'network-agent', kind: 'network', module: './network/program.ts', program: 'networkAgent' },
  { file: 'cloud-agent', kind: 'cloud', module: './cloud/program.ts', program: 'cloudAgent' },
  { file: 'exchange-agent', kind: 'exchange', module: './exchange/program.ts', program: 'exchangeAgent' },
] as const;

const requireHere = createRequire(import.meta.url);
const identifier = /^[A-Za-z_$][\w$]*$/;

/**
 * Node's built-in modules through require(), not import. An ESM import of a built-in reads
 * every one of its exports, and on Node 24 that runs lazy getters the agents never use:
 * node:http's WebSocket loads undici, http2, worker_threads and web streams, node:util and
 * node:fs/promises more: ~10 MiB resident more than require() for the same five modules.
 *
 * Nor through esbuild's CommonJS interop (`__toESM`): it copies every property of the module
 * with Object.getOwnPropertyDescriptor, and on Node 24 that too runs the lazy ones (node:util's
 * parseArgs, diff, debounce… load streams, worker_threads and perf_hooks; ~1 MiB resident).
 * So each built-in becomes an ES module whose named exports read one property each, marked
 * pure: tree shaking keeps only those the agent imports, read when the bundle starts.
 * A dynamic import() gets the module itself as its default export only.
 */
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'require-call'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: args.kind === 'dynamic-import' ? 'builtin-default' : 'builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-default' }, (args) => ({
      contents: `export default require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      // The export names of the Node running the build: names only, no property is read here.
      const names = Object.getOwnPropertyNames(requireHere(args.path)).filter(
        (n) => n !== 'default' && !n.startsWith('__') && identifier.test(n),
      );
      const exports = names.map((n) => `export const ${n} = /* @__PURE__ */ __read(${JSON.stringify(n)});`);
      return {
        contents: [
          `const __builtin = require(${JSON.stringify(args.path)});`,
          'const __read = (name) => __builtin[name];',
          'export default __builtin;',
          ...exports,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

export async function buildAgents(): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const outputs: string[] = [];
  for (const agent of agents) {
    const outfile = `${outDir}${agent.file}.mjs`;
    await build({
      stdin: {
        // The kind is fixed by the file; `network-agent network --config …` is accepted too.
        contents: `import { runAgentProgram } from './client/cli.ts';
import { ${agent.program} } from '${agent.module}';
const args = process.argv.slice(2);
process.exit(await runAgentProgram(${agent.program}, args[0] === '${agent.kind}' ? args.slice(1) : args));`,
        resolveDir: agentsDir,
        sourcefile: `${agent.file}.ts`,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      outfile,
      // Some bundled packages are CommonJS and call require(); ESM output must provide it.
      banner: {
        js: "#!/usr/bin/env node\nimport { createRequire as __yunwangRequire } from 'node:module';\nconst require = __yunwangRequire(import.meta.url);",
      },
      legalComments: 'linked',
      // Whitespace and syntax only, names kept (stack traces still name functions): ~1.8 MiB
      // less resident memory for the source V8 holds (bench/INGEST.md).
      minifyWhitespace: true,
      minifySyntax: true,
      plugins: [builtinsByRequire],
      logLevel: 'warning',
    });
    outputs.push(outfile);
  }
  return outputs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of await buildAgents()) console.log(`${file} (${((await stat(file)).size / 1024).toFixed(0)} KiB)`);
}
