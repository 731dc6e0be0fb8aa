/**
 * Real credentials for HTTP tests: users created through the identity service, each with an
 * API token (no CSRF needed) or a signed-in session. Tests act as a role, never as a mock.
 */
import type { Db } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import type { Role } from '../../src/identity/roles.ts';
import { createToken } from '../../src/identity/tokens.ts';
import { createUser } from '../../src/identity/users.ts';

export const testPassword = 'Test-Passw0rd!';
let counter = 0;

export interface TestCaller {
  name: string;
  /** `Authorization: Bearer yw_…` */
  headers: Record<string, string>;
}

/** A user with these roles (a `department` user bound to `department`) and a write token. */
export async function callerWith(db: Db, roles: Role[], options: { department?: string; scope?: 'read' | 'write' } = {}): Promise<TestCaller> {
  const name = `t-${roles.join('-') || 'none'}-${process.pid}-${++counter}`;
  await createUser(
    db,
    { name, roles, department_code: options.department ?? null, password: testPassword, totp_exempt: true },
    rootActor('test-setup'),
  );
  const { token } = await createToken(db, name, { name: 'test', scope: options.scope ?? 'write', expires_in_days: 1 }, rootActor('test-setup'));
  return { name, headers: { Authorization: `Bearer ${token}` } };
}

/** Signs in through the API: the session cookie and the CSRF token a cookie-authenticated write must send. */
export async function signIn(
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  name: string,
  password = testPassword,
  totp?: string,
): Promise<{ status: number; cookie: string; csrf: string; body: Record<string, unknown> }> {
  const res = await app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password, ...(totp ? { totp } : {}) }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { status: res.status, cookie, csrf: String(body.csrf_token ?? ''), body };
}
