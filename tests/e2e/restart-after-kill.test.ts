import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, serverTarget } from '../helpers/api.ts';
import { runYunwang } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';

const cli = fileURLToPath(new URL('../../bin/yunwang.mjs', import.meta.url));

/**
 * A server killed with SIGKILL (the OOM killer, a node lost) leaves its lock file and the
 * embedded database's files behind as they were; started again on the same data directory it
 * must come up and serve without anyone removing a lock by hand.
 */
describe('yunwang serve after kill -9', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  /** The server's API over HTTP, as nobody. */
  let client: ApiClient;
  let token: string;
  let server: { child: ChildProcess; output: () => string } | undefined;

  const serve = async () => {
    const child = spawn(process.execPath, [cli, 'serve'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    server = { child, output: () => output };
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
      const ready = await client.get('/readyz').catch(() => undefined);
      if (ready?.status === 200) return child;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the server did not become ready within 60 s:\n${output}`);
  };

  const kill = async (child: ChildProcess, signal: NodeJS.Signals) => {
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
    server = undefined;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-restart-'));
    const port = await freePort();
    client = apiClient(serverTarget(`http://127.0.0.1:${port}`));
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      USER: 'restart-test',
      HOST: '127.0.0.1',
      PORT: String(port),
      YUNWANG_DATA_DIR: path.join(dir, 'data'),
      YUNWANG_DEMO: '0',
      YUNWANG_SNAPSHOT_SCHEDULER: '0',
    };
    // A user and a read token, made with the CLI before the server first starts.
    const user = await runYunwang(['user', 'create', 'watcher', '--role', 'ops'], { env, cwd: dir });
    expect(user.code, user.stderr).toBe(0);
    const created = await runYunwang(['token', 'create', '--user', 'watcher', '--name', 'restart test'], { env, cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    token = created.stdout.trim();
  }, 240_000);

  afterAll(async () => {
    if (server) await kill(server.child, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('starts again on the same data directory and serves a signed-in read', async () => {
    const first = await serve();
    const lockFile = path.join(env.YUNWANG_DATA_DIR as string, 'yunwang.lock');
    expect(await readFile(lockFile, 'utf8')).toBe(String(first.pid));
    await kill(first, 'SIGKILL');
    // Nothing ran on the way out: the lock still names the dead server.
    await expect(access(lockFile)).resolves.toBeUndefined();

    await serve();
    expect(server?.output()).toContain(`took over the lock ${lockFile} from process ${first.pid}`);
    const read = await client.as({ headers: { Authorization: `Bearer ${token}` } }).get('/api/v1/departments');
    expect(read.status).toBe(200);
    const live = await client.get('/livez');
    expect(live.status).toBe(200);
  }, 180_000);
});
