/**
 * What a fuzzed request may be answered, from the route policy and the permissions table
 * alone (src/identity/policy.ts, src/identity/access.ts) — the same oracle as the
 * authorization-matrix test — and the checks every answer must pass.
 */
import { permissions } from '../../src/identity/access.ts';
import { routePolicy } from '../../src/identity/policy.ts';
import type { Role } from '../../src/identity/roles.ts';
import { neededPermission } from '../helpers/auth.ts';
import type { CallerName, DepartmentRecords } from './fixture.ts';

/**
 * - `allowed`: the policy lets the caller through; anything but a 5xx may come back.
 * - `refused`: the route policy refuses the caller before the handler runs: exactly 401 or 403.
 * - `confined`: refused by the service rather than the route policy — a department user naming
 *   the other department's records, an import or export of a kind the roles may not touch:
 *   never a 2xx (404 "as if it did not exist", 403, or a 4xx about the input).
 * - `unrouted`: no operation matches the path: never a 2xx (it would be served without a rule).
 */
export type Expectation = 'allowed' | 'refused' | 'confined' | 'unrouted';

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const rolesOf = (caller: CallerName): Role[] =>
  caller === 'anonymous' ? [] : caller === 'other-department' ? ['department'] : caller === 'read-token' ? ['ops'] : [caller];

/** The records of the department a department-bound caller is not bound to. */
export function foreignRecords(caller: CallerName, home: DepartmentRecords, other: DepartmentRecords): DepartmentRecords | null {
  if (caller === 'department') return other;
  if (caller === 'other-department') return home;
  return null;
}

export interface Attempt {
  caller: CallerName;
  method: string;
  /** The operation the app's own matcher finds for the path, if any. */
  operationId: string | undefined;
  /** Path and query, as sent. */
  url: string;
  /** The decoded path parameters and query values, and the JSON body, as generated. */
  pathValues: string[];
  query: Record<string, string>;
  body: unknown;
}

export function expectationOf(attempt: Attempt, foreign: DepartmentRecords | null): Expectation {
  const { caller, method, operationId } = attempt;
  if (!operationId) return 'unrouted';
  const rule = routePolicy[operationId];
  if (!rule) return 'refused';
  if ('public' in rule) return 'allowed';
  // Agent routes authenticate agent tokens themselves; no user token is one.
  if ('agent' in rule) return 'refused';
  if (caller === 'anonymous') return 'refused';
  if (caller === 'read-token' && unsafe.has(method)) return 'refused';
  const needed = neededPermission(operationId, attempt.url);
  if (needed && !rolesOf(caller).some((role) => permissions[needed.area][needed.action].includes(role))) {
    // Import and export pass the route policy (`self`); their services refuse the kind.
    return 'self' in rule ? 'confined' : 'refused';
  }
  if (foreign && namesForeignRecord(attempt, foreign)) return 'confined';
  return 'allowed';
}

/** The request names a record of the other department: in its path, its indicator scope or the department it writes to. */
function namesForeignRecord(attempt: Attempt, foreign: DepartmentRecords): boolean {
  const codes = new Set(Object.values(foreign));
  if (attempt.pathValues.some((v) => codes.has(v))) return true;
  // An indicator scope names a department; other operations' `scope` filters within what the caller may see.
  const indicatorRead = attempt.operationId === 'getIndicators' || attempt.operationId === 'listIndicatorItems';
  if (indicatorRead && attempt.query.scope === `dept:${foreign.departments}`) return true;
  const body = attempt.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const fields = body as Record<string, unknown>;
    if (fields.department_code === foreign.departments || fields.parent_code === foreign.departments) return true;
  }
  return false;
}

export type FindingKind = 'server-error' | 'not-problem-json' | 'authorization' | 'foreign-data';

/** What is wrong with an answer, or null. */
export function judge(
  expectation: Expectation,
  status: number,
  contentType: string,
  text: string,
  foreign: DepartmentRecords | null,
): { kind: FindingKind; why: string } | null {
  if (status >= 500) return { kind: 'server-error', why: `answered ${status}` };
  const success = status >= 200 && status < 400;
  if (expectation === 'refused' && status !== 401 && status !== 403) {
    return { kind: 'authorization', why: `the policy refuses this caller; expected 401/403, got ${status}` };
  }
  if ((expectation === 'confined' || expectation === 'unrouted') && success) {
    return { kind: 'authorization', why: `${expectation}: expected no 2xx/3xx, got ${status}` };
  }
  if (status >= 400) {
    if (!contentType.startsWith('application/problem+json'))
      return { kind: 'not-problem-json', why: `${status} as ${contentType || 'no type'}` };
    const problem = parseProblem(text);
    if (!problem) return { kind: 'not-problem-json', why: `${status} body lacks the problem fields` };
    if (problem.status !== status) return { kind: 'not-problem-json', why: `problem status ${problem.status} on a ${status}` };
  }
  // A department user's successful reads must not carry the other department's records.
  if (success && foreign) {
    const leaked = Object.values(foreign).filter((code) => text.includes(code));
    if (leaked.length > 0) return { kind: 'foreign-data', why: `the answer names the other department's ${leaked.join(', ')}` };
  }
  return null;
}

function parseProblem(text: string): { status: number } | null {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const ok =
      typeof body.type === 'string' &&
      typeof body.title === 'string' &&
      typeof body.status === 'number' &&
      typeof body.detail === 'string' &&
      typeof body.code === 'string';
    return ok ? { status: body.status as number } : null;
  } catch {
    return null;
  }
}
