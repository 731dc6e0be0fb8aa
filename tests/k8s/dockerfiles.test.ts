/**
 * The Dockerfiles, checked without a Docker engine: multi-stage on Node 24 LTS pinned by digest,
 * a numeric non-root USER in the final stage, no secrets, a HEALTHCHECK, the right entry point
 * (compiled JavaScript, never tsx), and that what the final stage copies exists and is enough —
 * every package the server imports is a production dependency, and each agent bundle runs with
 * no node_modules beside it.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildAgents } from '../../agents/build.ts';
import { loadConfig } from '../../src/config.ts';
import { repoRoot } from './kube.ts';

const execFileAsync = promisify(execFile);

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Instructions with continuation lines joined and comments dropped; `stage` counts FROMs from 0. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const out: Instruction[] = [];
  let stage = -1;
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] as string).toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: (m[2] as string).trim(), stage });
  }
  return out;
}

const packageJson = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const dockerignore = (await readFile(path.join(repoRoot, '.dockerignore'), 'utf8'))
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

const images = [
  { file: 'Dockerfile', entry: ['node', 'dist/yunwang.mjs'], cmd: ['serve'], port: '8080' },
  {
    file: 'agents/Dockerfile.cloud',
    entry: ['node', '/app/cloud-agent.mjs'],
    cmd: ['--config', '/etc/yunwang-agent/cloud-agent.yaml'],
    port: '9464',
  },
  {
    file: 'agents/Dockerfile.network',
    entry: [
      'node',
      '--max-semi-space-size=1',
      '--jitless',
      '--memory-saver-mode',
      '--single-threaded-gc',
      '--expose-gc',
      '/app/network-agent.mjs',
    ],
    cmd: ['--config', '/etc/yunwang-agent/network-agent.yaml'],
    port: '9464',
  },
  {
    file: 'agents/Dockerfile.exchange',
    entry: ['node', '/app/exchange-agent.mjs'],
    cmd: ['--config', '/etc/yunwang-agent/exchange-agent.yaml'],
    port: '9464',
  },
];

/** The NODE_IMAGE a Dockerfile builds from. */
async function nodeImageOf(file: string): Promise<string | undefined> {
  const arg = parseDockerfile(await readFile(path.join(repoRoot, file), 'utf8')).find(
    (i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='),
  );
  return arg?.args.slice('NODE_IMAGE='.length);
}

describe.each(images)('$file', ({ file, entry, cmd, port }) => {
  const load = async () => parseDockerfile(await readFile(path.join(repoRoot, file), 'utf8'));

  it('is multi-stage, and its final stage runs as a numeric non-root user', async () => {
    const instructions = await load();
    const last = Math.max(...instructions.map((i) => i.stage));
    expect(last).toBeGreaterThanOrEqual(1);
    const users = instructions.filter((i) => i.op === 'USER' && i.stage === last);
    expect(users.length).toBeGreaterThan(0);
    // Kubernetes' runAsNonRoot can only verify a numeric user.
    const user = users.at(-1)?.args ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    // Nothing after USER switches back to root.
    const userIndex = instructions.lastIndexOf(users.at(-1) as Instruction);
    expect(instructions.slice(userIndex).filter((i) => i.op === 'RUN')).toEqual([]);
  });

  it('builds from Node 24 LTS (bookworm-slim) pinned by digest, the same image in every stage and every Dockerfile', async () => {
    const instructions = await load();
    const arg = instructions.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:24-bookworm-slim@sha256:[0-9a-f]{64}$/);
    expect(arg?.args).toBe(`NODE_IMAGE=${await nodeImageOf('Dockerfile')}`);
    for (const from of instructions.filter((i) => i.op === 'FROM')) expect(from.args).toMatch(/^\$\{NODE_IMAGE\} AS [a-z]+$/);
  });

  it('holds no secret and copies no local state', async () => {
    const text = await readFile(path.join(repoRoot, file), 'utf8');
    const instructions = parseDockerfile(text);
    for (const i of instructions.filter((i) => i.op === 'ENV' || i.op === 'ARG')) {
      expect(i.args, `${i.op} ${i.args}`).not.toMatch(/PASSWORD|TOKEN|SECRET|DATABASE_URL|_KEY\b/i);
    }
    expect(text).not.toMatch(/ywa_|postgres(ql)?:\/\/\w+:\w+@/);
    // A `# syntax=` line makes BuildKit fetch a frontend image: builds must work offline.
    expect(text).not.toMatch(/^# *syntax=/m);
    for (const copy of instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
      expect(copy.args).not.toMatch(/\.yunwang|\.env|kubeconfig|node_modules/);
    }
  });

  it(`has a HEALTHCHECK on port ${port}, and starts with ${[...entry, ...cmd].join(' ')}`, async () => {
    const instructions = await load();
    const last = Math.max(...instructions.map((i) => i.stage));
    const final = instructions.filter((i) => i.stage === last);
    expect(final.find((i) => i.op === 'HEALTHCHECK')?.args).toContain(port);
    expect(JSON.parse(final.find((i) => i.op === 'ENTRYPOINT')?.args ?? 'null')).toEqual(entry);
    expect(JSON.parse(final.find((i) => i.op === 'CMD')?.args ?? 'null')).toEqual(cmd);
    expect(final.find((i) => i.op === 'EXPOSE')?.args).toBe(port);
  });

  it('copies only what exists in the build context (not dropped by .dockerignore)', async () => {
    const instructions = await load();
    for (const copy of instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        await expect(stat(path.join(repoRoot, source)), `${file}: COPY ${source}`).resolves.toBeDefined();
        const top = source.split('/')[0] as string;
        expect(dockerignore, `.dockerignore drops ${source}`).not.toContain(top);
      }
    }
  });
});

describe('the API image', () => {
  const load = async () => parseDockerfile(await readFile(path.join(repoRoot, 'Dockerfile'), 'utf8'));

  it('builds with `npm run build` (all dependencies) and runs the bundle with the production dependencies only', async () => {
    const instructions = await load();
    const stages = instructions.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+AS\s+/)[1]);
    const stageOf = (i: Instruction) => stages[i.stage];
    const installs = instructions.filter((i) => i.op === 'RUN' && i.args.includes('npm ci'));
    // The build stage installs everything (esbuild is a dev dependency) and builds.
    expect(installs.find((i) => stageOf(i) === 'build')?.args).not.toContain('--omit=dev');
    expect(instructions.find((i) => i.op === 'RUN' && stageOf(i) === 'build' && /\bnpm run build\b/.test(i.args))).toBeDefined();
    // The node_modules the runtime gets come from an install without dev dependencies.
    const last = Math.max(...instructions.map((i) => i.stage));
    const copied = instructions.find((i) => i.op === 'COPY' && i.stage === last && i.args.endsWith(' ./node_modules'));
    const from = /^--from=(\S+)/.exec(copied?.args ?? '')?.[1];
    expect(installs.find((i) => stageOf(i) === from)?.args).toContain('--omit=dev');
    expect(packageJson.scripts.build, 'package.json has no "build" script (issue 19, item 2: npm run build writes dist/)').toBeDefined();
  });

  it('runs compiled JavaScript: no TypeScript sources, no bin/ shim and no tsx in the final stage', async () => {
    const instructions = await load();
    const last = Math.max(...instructions.map((i) => i.stage));
    const final = instructions.filter((i) => i.stage === last);
    expect(JSON.parse(final.find((i) => i.op === 'ENTRYPOINT')?.args ?? 'null')).toEqual(['node', 'dist/yunwang.mjs']);
    expect(final.find((i) => i.op === 'COPY' && i.args === '--from=build /app/dist ./dist')).toBeDefined();
    const sources = final.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    // src/ only for the console's static assets; never the .ts sources or the tsx launcher in bin/.
    expect(sources.filter((s) => s === 'src' || s === 'bin' || s.startsWith('bin/'))).toEqual([]);
    expect(sources.filter((s) => s.startsWith('src/'))).toEqual(['src/console/assets']);
    expect(final.map((i) => i.args).join('\n')).not.toMatch(/\btsx\b|--import|--experimental-strip-types/);
  });

  it('copies every folder dist/yunwang.mjs reads at run time (migrations, reference data, console assets)', async () => {
    const instructions = await load();
    const last = Math.max(...instructions.map((i) => i.stage));
    const copied = instructions
      .filter((i) => i.op === 'COPY' && i.stage === last && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const needed of ['package.json', 'drizzle', 'data', 'src/console/assets']) expect(copied).toContain(needed);
    // Each lands where it is in the repository, relative to the folder holding package.json.
    for (const i of instructions.filter((i) => i.op === 'COPY' && i.stage === last && !i.args.startsWith('--from'))) {
      const [source, target] = i.args.split(/\s+/);
      expect(target, i.args).toMatch(new RegExp(`^\\./(${(source as string).replaceAll('.', '\\.')})?$`));
    }
  });

  it('leaves the demo off unless asked for (YUNWANG_DEMO=1), while `npm start` on a clone still loads it', async () => {
    const instructions = parseDockerfile(await readFile(path.join(repoRoot, 'Dockerfile'), 'utf8'));
    const finalStage = Math.max(...instructions.map((i) => i.stage));
    // ENV KEY=value pairs of the final stage: the environment a plain `docker run` starts with.
    const imageEnv: NodeJS.ProcessEnv = {};
    for (const i of instructions.filter((i) => i.op === 'ENV' && i.stage === finalStage)) {
      for (const m of i.args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) imageEnv[m[1] as string] = m[2];
    }
    expect(loadConfig(imageEnv).YUNWANG_DEMO).toBe(false);
    expect(loadConfig({ ...imageEnv, YUNWANG_DEMO: '1' }).YUNWANG_DEMO).toBe(true);
    expect(loadConfig({}).YUNWANG_DEMO).toBe(true);
  });

  it('needs no dev dependency at run time: every package src/ imports (left external by the bundle) is a production dependency', async () => {
    const files = (await readdir(path.join(repoRoot, 'src'), { recursive: true }))
      .filter((f) => /\.tsx?$/.test(f))
      .map((f) => path.join('src', f));
    const imported = new Set<string>();
    for (const file of files) {
      const text = await readFile(path.join(repoRoot, file), 'utf8');
      // import … from 'x', import('x'), require.resolve('x/…'); type-only imports are erased.
      for (const m of text.matchAll(/^\s*import\s+(?!type\s)[^;]*?from\s+'([^']+)'|import\('([^']+)'\)|resolve\('([^']+)'\)/gm)) {
        const spec = (m[1] ?? m[2] ?? m[3]) as string;
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    const missing = [...imported].filter((p) => !packageJson.dependencies[p]);
    expect(missing, 'imported at run time but not in "dependencies"').toEqual([]);
  });
});

describe('the agent images', () => {
  it('each agent bundle runs with nothing beside it (no node_modules), as in its final stage', async () => {
    const outputs = await buildAgents();
    const dir = await mkdtemp(path.join(tmpdir(), 'yunwang-agent-image-'));
    try {
      for (const output of outputs) {
        const kind = path.basename(output, '.mjs');
        // The Dockerfile copies exactly this file from the build stage.
        const dockerfile = await readFile(path.join(repoRoot, `agents/Dockerfile.${kind.replace('-agent', '')}`), 'utf8');
        expect(dockerfile).toContain(`COPY --from=build /app/dist/agents/${kind}.mjs ./${kind}.mjs`);
        const isolated = path.join(dir, `${kind}.mjs`);
        await copyFile(output, isolated);
        const help = await execFileAsync(process.execPath, [isolated, '--help'], { cwd: dir });
        expect(help.stdout).toContain(`usage: yunwang-agent ${kind.replace('-agent', '')} --config`);
        // A missing configuration is reported by the agent itself (exit 2), not by a module loader.
        const run = await execFileAsync(process.execPath, [isolated, '--config', path.join(dir, 'absent.yaml')], { cwd: dir }).catch(
          (error: { code: number; stderr: string }) => error,
        );
        expect('code' in run ? run.code : 0).toBe(2);
        expect(run.stderr).toContain('cannot read');
        expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
