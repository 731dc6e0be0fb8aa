/**
 * Fixtures for ingest tests: registry records created through the real API, agents and
 * their tokens through the real service, and batches shaped exactly as the agents send them.
 */
import type { App } from '../../src/app.ts';
import type { Database, Db } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { type Answer, apiClient, type Json } from './api.ts';
import { type Cast, createCast } from './auth.ts';

export type { Answer, Json };

export interface Problem {
  code: string;
  detail: string;
  errors?: { field: string; message: string; index?: number }[];
}

let counter = 0;
/** A code no other test in this process uses. */
export const uid = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** The users each test app's calls act as (see signInCast). */
const casts = new WeakMap<App, Cast>();

/**
 * Gives an app a cast of real users (one per role, and a department user bound to a home
 * department): `call` then sends each request as a caller the policy allows.
 */
export async function signInCast(app: App, db: Db): Promise<Cast> {
  const cast = await createCast(app, db, { code: uid('HOME'), name: '测试主管部门', region_code: '450000' });
  casts.set(app, cast);
  return cast;
}

/** The home department of the app's cast: departments created for tests sit under it. */
export const homeOf = (app: App) => casts.get(app)?.home ?? null;

/** The app's client, acting as its cast (each request as a caller the policy allows). */
export const apiOf = (app: App) => apiClient(app, casts.get(app) ?? null);

/** A request as the app's cast, or with its own Authorization header (an agent's token). */
export const call = (app: App, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
  apiOf(app).send(method, path, body, { headers });

export const problemOf = (a: Answer) => a.body as unknown as Problem;

async function created(app: App, path: string, body: Json): Promise<Json> {
  const a = await call(app, 'POST', path, body);
  if (a.status !== 201) throw new Error(`POST ${path} answered ${a.status}: ${JSON.stringify(a.body)}`);
  return a.body;
}

export const newDepartment = (app: App) =>
  created(app, '/api/v1/departments', {
    code: uid('D'),
    name: '测试部门',
    region_code: '450100',
    kind: 'government',
    parent_code: homeOf(app),
  });
export const newCloud = (app: App) =>
  created(app, '/api/v1/clouds', { code: uid('C'), name: '测试云', kind: 'city', provider: 'Kubernetes', region_code: '450100' });
export const newNode = (app: App, extra: Json = {}) =>
  created(app, '/api/v1/network-nodes', { code: uid('N'), name: '测试节点', region_code: '450102', tier: 'metro', ...extra });
export const newSystem = (app: App, extra: Json) => created(app, '/api/v1/systems', { code: uid('S'), name: '测试系统', ...extra });

export interface TestAgent {
  name: string;
  token: string;
  seq: number;
}

export async function newAgent(database: Database, kind: 'cloud' | 'network', cloud?: string): Promise<TestAgent> {
  const name = uid(`${kind}-agent`);
  const issued = await issueAgentToken(database.db, { name, kind, cloud }, rootActor('test'));
  return { name, token: issued.token, seq: 0 };
}

export const sample = (node: string, at: string, extra: Json = {}) => ({
  kind: 'node_sample',
  node,
  at,
  up: true,
  latency_ms: 4.2,
  loss: 0,
  ...extra,
});

export const tenant = (cloud: string, externalId: string, department: string, at: string, extra: Json = {}) => ({
  kind: 'tenant',
  cloud,
  external_id: externalId,
  department,
  at,
  quota: { vcpu: 16, memory_gib: 64, storage_gib: 500 },
  usage: { vcpu: 4.5, memory_gib: 20, storage_gib: 120 },
  workload_count: 3,
  ...extra,
});

/** Sends a batch as the agent (next seq unless given); the answer as the agent sees it. */
export async function sendBatch(
  app: App,
  agent: TestAgent,
  items: unknown[],
  options: { seq?: number; interval?: number } = {},
): Promise<Answer> {
  const seq = options.seq ?? ++agent.seq;
  return call(
    app,
    'POST',
    '/api/v1/ingest/batches',
    { agent: agent.name, seq, sent_at: new Date().toISOString(), next_report_seconds: options.interval ?? 30, items },
    { Authorization: `Bearer ${agent.token}`, 'User-Agent': 'yunwang-agent/9.9.9 (test)' },
  );
}
