/**
 * The world the fuzzer runs in: the app on a migrated database, the divisions, two
 * departments with a record of each kind, and one caller per role (an API token each), plus
 * a department user of the other department, a read-only token, and no login at all.
 *
 * The fixture's structure must survive whatever the fuzzer writes, or the oracle would be
 * wrong: the callers' own users, tokens and departments are never offered as inputs that
 * could lock, re-role, revoke or move them (see `protectedValues`).
 */
import { type App, createApp } from '../../src/app.ts';
import type { Database } from '../../src/db/client.ts';
import { roles } from '../../src/identity/roles.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { callerWith, type TestCaller } from '../helpers/auth.ts';
import { captureLogs } from '../helpers/logs.ts';

export const fuzzConfig = {
  YUNWANG_BODY_LIMIT_BYTES: 1048576,
  YUNWANG_IMPORT_LIMIT_BYTES: 67108864,
  // The fuzzer signs in many times a second; the rate limit is tested elsewhere.
  YUNWANG_LOGIN_RATE_PER_MINUTE: 100_000,
};

export type CallerName = (typeof roles)[number] | 'anonymous' | 'other-department' | 'read-token';
export const callerNames: readonly CallerName[] = [...roles, 'other-department', 'read-token', 'anonymous'];

/** One department's records, by collection (the third segment of the API path). */
export interface DepartmentRecords {
  departments: string;
  systems: string;
  'private-networks': string;
  'service-items': string;
}

export interface Fixture {
  app: App;
  /** null: no credentials. */
  callers: Map<CallerName, TestCaller | null>;
  /** The department each department-bound caller is bound to, and its records. */
  home: DepartmentRecords;
  other: DepartmentRecords;
  /** Valid values for path parameters, by `collection.parameter`, and for fields and query parameters by name. */
  pathPools: Record<string, string[]>;
  fieldPools: Record<string, string[]>;
  /** What the app logged (the stacks of its 500s), newest last. */
  serverLog: string[];
}

const prefix = `FZ${process.pid}`;

async function post(app: App, caller: TestCaller | null | undefined, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await app.request(path, {
    method: 'POST',
    headers: { ...(caller?.headers ?? {}), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`fuzz fixture: POST ${path} answered ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function createFixture(database: Database): Promise<Fixture> {
  const { db } = database;
  await loadDivisions(db);
  // Warnings and errors only: the access log's line per request is not a finding.
  const captured = captureLogs('warn');
  const serverLog = captured.lines;
  const app = createApp({ database, config: fuzzConfig, logger: captured.logger });
  const callers = new Map<CallerName, TestCaller | null>([['anonymous', null]]);
  for (const role of roles) if (role !== 'department') callers.set(role, await callerWith(db, [role]));
  const sysadmin = callers.get('sysadmin');

  const records = (side: string): DepartmentRecords => ({
    departments: `${prefix}-${side}`,
    systems: `${prefix}-${side}-SYS`,
    'private-networks': `${prefix}-${side}-PN`,
    'service-items': `${prefix}-${side}-SI`,
  });
  const home = records('HOME');
  const other = records('OTHER');
  await post(app, sysadmin, '/api/v1/departments', {
    code: home.departments,
    name: '模糊测试本部门',
    region_code: '450100',
    kind: 'government',
  });
  await post(app, sysadmin, '/api/v1/departments', {
    code: other.departments,
    name: '模糊测试他部门',
    region_code: '450200',
    kind: 'government',
  });
  callers.set('department', await callerWith(db, ['department'], { department: home.departments }));
  callers.set('other-department', await callerWith(db, ['department'], { department: other.departments }));
  callers.set('read-token', await callerWith(db, ['ops'], { scope: 'read' }));
  for (const [side, caller] of [
    [home, callers.get('department')],
    [other, callers.get('other-department')],
  ] as const) {
    await post(app, caller, '/api/v1/systems', { code: side.systems, name: '模糊系统', department_code: side.departments });
    await post(app, caller, '/api/v1/private-networks', {
      code: side['private-networks'],
      name: '模糊专网',
      department_code: side.departments,
    });
    await post(app, caller, '/api/v1/service-items', {
      code: side['service-items'],
      name: '模糊事项',
      department_code: side.departments,
      system_type: 'city',
    });
  }

  const ops = callers.get('ops');
  const reviewer = callers.get('reviewer');
  const node = `${prefix}-NODE`;
  const cloud = `${prefix}-CLOUD`;
  await post(app, ops, '/api/v1/network-nodes', { code: node, name: '模糊节点', region_code: '450100', tier: 'metro' });
  await post(app, sysadmin, '/api/v1/clouds', { code: cloud, name: '模糊云', kind: 'city', provider: 'x', region_code: '450100' });
  const tenant = await post(app, ops, '/api/v1/tenants', { cloud_code: cloud, external_id: 'fz', department_code: home.departments });
  const certification = await post(app, reviewer, `/api/v1/private-networks/${home['private-networks']}/certifications`, {
    classification: 'classified',
    evidence: '模糊',
  });
  const reReview = await post(app, reviewer, `/api/v1/certifications/${certification.id}/re-reviews`, { due_at: '2030-01-01' });
  // Users the administrators' fuzzed writes may lock, reset and re-role: never a caller.
  const target = `fz-target-${process.pid}`;
  await post(app, sysadmin, '/api/v1/users', { name: target });
  const channel = `fz-channel-${process.pid}`;
  await post(app, ops, '/api/v1/notification-channels', {
    name: channel,
    kind: 'webhook',
    url: 'http://127.0.0.1:9/fuzz',
  }).catch(() => undefined);
  const rules = (await (await app.request('/api/v1/alert-rules', { headers: ops?.headers ?? {} })).json()) as { items: { rule: string }[] };

  const pathPools: Record<string, string[]> = {
    'regions.code': ['450000', '450100', '450102'],
    'departments.code': [home.departments, other.departments],
    'systems.code': [home.systems, other.systems],
    'private-networks.code': [home['private-networks'], other['private-networks']],
    'service-items.code': [home['service-items'], other['service-items']],
    'network-nodes.code': [node],
    'clouds.code': [cloud],
    'tenants.id': [String(tenant.id)],
    'certifications.id': [String(certification.id)],
    're-reviews.id': [String(reReview.id)],
    'alerts.id': ['1'],
    'silences.id': ['1'],
    // Never the callers' own tokens (a caller revoking itself would blind the rest of the run).
    'tokens.id': ['999999'],
    'users.name': [target],
    'agents.name': ['demo-network-agent'],
    'notification-channels.name': [channel],
    'alert-rules.rule': rules.items.map((r) => r.rule),
    'indicators.key': ['cloud_migration', 'private_network_interconnection', 'service_integration'],
    'snapshots.month': ['2020-06', '2020-07', '2019-01'],
    'import.kind': ['systems', 'private-networks', 'service-items', 'departments', 'network-nodes'],
    'export.kind': ['systems', 'private-networks', 'service-items', 'departments', 'network-nodes'],
  };
  const fieldPools: Record<string, string[]> = {
    department_code: [home.departments, other.departments],
    department: [home.departments, other.departments],
    region_code: ['450100', '450000'],
    region: ['450100', '450000'],
    cloud_code: [cloud],
    cloud: [cloud],
    scope: ['450000', '450100', `dept:${home.departments}`, `dept:${other.departments}`],
    at: ['2020-06-30', '2020-07-31'],
    month: ['2020-06', '2020-07'],
    indicator: ['cloud_migration', 'service_integration'],
    node: [node],
    // Sign-in attempts go to the target user only, so no caller is ever locked out.
    name: [target],
  };
  return { app, callers, home, other, pathPools, fieldPools, serverLog };
}
