/**
 * Real credentials for HTTP tests: users created through the identity service, each with an
 * API token (no CSRF needed) or a signed-in session. Tests act as a role, never as a mock.
 */
import type { Db } from '../../src/db/client.ts';
import { type Action, type Area, permissions } from '../../src/identity/access.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { operationMatcher } from '../../src/identity/middleware.ts';
import { routePolicy } from '../../src/identity/policy.ts';
import type { Role } from '../../src/identity/roles.ts';
import { createToken } from '../../src/identity/tokens.ts';
import { createUser } from '../../src/identity/users.ts';
import { volumeSheetKind } from '../../src/interconnection/volume-files.ts';
import { importKinds } from '../../src/registry/schemas.ts';
import { apiClient, type RequestTarget } from './api.ts';

export const testPassword = 'Test-Passw0rd!';
let counter = 0;

export interface TestCaller {
  name: string;
  /** `Authorization: Bearer yw_…` */
  headers: Record<string, string>;
}

/** A user with these roles (a `department` user bound to `department`) and a write token (read for `screen`). */
export async function callerWith(
  db: Db,
  roles: Role[],
  options: { department?: string; scope?: 'read' | 'write' } = {},
): Promise<TestCaller> {
  const name = `t-${roles.join('-') || 'none'}-${process.pid}-${++counter}`;
  await createUser(
    db,
    { name, roles, department_code: options.department ?? null, password: testPassword, totp_exempt: true },
    rootActor('test-setup'),
  );
  const { token } = await createToken(
    db,
    name,
    // The wall screen's account gets read tokens only (src/identity/tokens.ts).
    { name: 'test', scope: options.scope ?? (roles.includes('screen') ? 'read' : 'write'), expires_in_days: 1 },
    rootActor('test-setup'),
  );
  return { name, headers: { Authorization: `Bearer ${token}` } };
}

/** A signed-in session: its cookie, and the CSRF token a cookie-authenticated write must send. */
export interface Session {
  status: number;
  cookie: string;
  csrf: string;
  body: Record<string, unknown>;
  /** What a request as this session sends: the cookie and the CSRF token. */
  headers: { Cookie: string; 'X-CSRF-Token': string };
}

/** Signs in through the API. */
export async function signIn(app: RequestTarget, name: string, password = testPassword, totp?: string): Promise<Session> {
  const signed = await apiClient(app).post('/api/v1/auth/login', { name, password, ...(totp ? { totp } : {}) });
  const cookie = (signed.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = String(signed.body.csrf_token ?? '');
  return { status: signed.status, cookie, csrf, body: signed.body, headers: { Cookie: cookie, 'X-CSRF-Token': csrf } };
}

export type OpenApiPaths = Record<string, Record<string, { operationId?: string }>>;

/** The app's OpenAPI document, as served at /openapi.json. */
export async function openApiPaths(app: RequestTarget): Promise<OpenApiPaths> {
  return (await apiClient(app).get<{ paths: OpenApiPaths }>('/openapi.json')).body.paths;
}

/**
 * The area and action a request needs, from the route policy: the rule of its operation, or
 * for import and export (`self` rules whose services check the kind) the kind in the path.
 * Null for public and self operations.
 */
export function neededPermission(operationId: string, path: string): { area: Area; action: Action } | null {
  const rule = routePolicy[operationId];
  if (!rule) throw new Error(`operation ${operationId} has no rule in routePolicy`);
  if ('area' in rule) return rule;
  const kind = fileKinds.find((k) => path.split('?')[0]?.endsWith(`/${k}`));
  // The daily exchange counts are the interconnection area's; a record kind's file its own.
  const area: Area | undefined = kind === volumeSheetKind ? 'interconnection' : kind;
  if (operationId === 'importFile' && area) return { area, action: 'write' };
  if (operationId === 'exportFile' && area) return { area, action: 'read' };
  return null;
}

/** Every kind a file may hold: the record kinds and the daily exchange counts. */
export const fileKinds = [...importKinds, volumeSheetKind] as const;

/** The roles an HTTP test acts as, besides the department user. */
const castRoles = ['leader', 'ops', 'sysadmin', 'reviewer', 'secadmin', 'auditor'] as const satisfies readonly Role[];

export interface Cast {
  /** The department the file's departments sit under; the department user is bound to it. */
  home: string;
  callers: Record<(typeof castRoles)[number] | 'department', TestCaller>;
  /**
   * The caller a request is sent as: one whose roles allow it per src/identity/access.ts —
   * for reads the leader (who reads everything and writes nothing) where the leader may,
   * for writes the one role that may make them.
   */
  callerFor(method: string, path: string): TestCaller;
}

/**
 * One user per role with an API token, and a home department created by the system
 * administrator through the API, to which the department user is bound. Tests put their
 * departments under `home` (parent_code) so that the department user may write their
 * systems, private networks and service items.
 */
export async function createCast(
  app: RequestTarget,
  db: Db,
  home: { code: string; name: string; region_code: string; kind?: string },
): Promise<Cast> {
  const callers = {} as Cast['callers'];
  for (const role of castRoles) callers[role] = await callerWith(db, [role]);
  const created = await apiClient(app, callers.sysadmin).post('/api/v1/departments', { kind: 'government', ...home });
  if (created.status !== 201) throw new Error(`could not create the home department: ${created.status} ${created.text}`);
  callers.department = await callerWith(db, ['department'], { department: home.code });

  const paths = await openApiPaths(app);
  const operationOf = operationMatcher(() => paths);
  const preference: Record<Action, (keyof Cast['callers'])[]> = {
    read: ['leader', 'ops', 'department', 'reviewer', 'sysadmin', 'secadmin', 'auditor'],
    write: ['department', 'sysadmin', 'ops', 'reviewer', 'secadmin'],
  };
  const callerFor = (method: string, path: string): TestCaller => {
    const operationId = operationOf(method.toUpperCase(), path.split('?')[0] ?? path);
    // Not an API operation (the docs, probes, a wrong path): any signed-in caller will do.
    if (!operationId) return callers.leader;
    const needed = neededPermission(operationId, path);
    if (!needed) return callers.leader;
    const role = preference[needed.action].find((r) => permissions[needed.area][needed.action].includes(r));
    if (!role) throw new Error(`nobody in the cast may ${needed.action} ${needed.area} (${method} ${path})`);
    return callers[role];
  };
  return { home: home.code, callers, callerFor };
}
