import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { WorkOrderSubjectKind } from '../db/schema/enums.ts';
import { AppError } from '../kernel/errors.ts';
import { kindOfTracked } from '../registry/kinds/index.ts';

const invalid = (field: string, message: string) => new AppError('validation_failed', `${field}: ${message}`, [{ field, message }]);

/**
 * Subjects that are not a record kind by their history name; a tenant's code is
 * `<cloud>/<external id>` as alerts name it.
 */
const otherSubjects: Partial<Record<WorkOrderSubjectKind, (code: string) => SQL>> = {
  node: (code) => sql`select name from network_nodes where code = ${code}`,
  cloud: (code) => sql`select name from clouds where code = ${code}`,
  tenant: (code) =>
    sql`select d.name || ' · ' || t.external_id as name from cloud_tenants t join clouds c on c.id = t.cloud_id
        join departments d on d.id = t.department_id where c.code || '/' || t.external_id = ${code}`,
};

/** The query of a subject's name: a record kind's (system, department …) from its descriptor's table. */
function subjectLookup(kind: WorkOrderSubjectKind, code: string): SQL {
  const other = otherSubjects[kind];
  if (other) return other(code);
  const recordKind = kindOfTracked(kind);
  if (!recordKind) throw new Error(`work-order subject kind ${kind} has no lookup`);
  return sql`select name from ${recordKind.table} where code = ${code}`;
}

/** The subject's name from its registry; an unknown code is the caller's mistake (422 naming subject.code). */
export async function subjectName(db: Db, subject: { kind: WorkOrderSubjectKind; code: string }): Promise<string> {
  const [row] = await queryRows<{ name: string }>(db, subjectLookup(subject.kind, subject.code));
  if (!row) throw invalid('subject.code', `no ${subject.kind} with code ${subject.code}`);
  return row.name;
}

export async function assertRegion(db: Db, code: string): Promise<void> {
  const [row] = await queryRows<{ code: string }>(db, sql`select code from regions where code = ${code}`);
  if (!row) throw invalid('region', `unknown region ${code}`);
}

export interface ResolvedAssignee {
  departmentId: number | null;
  userId: number | null;
  /** For the timeline and the audit: codes and names as given. */
  label: { department: string | null; user: string | null };
}

/**
 * An assignee as given (department code, ops user name) to ids. A department user may hand an
 * order to a department only: picking ops people is the dispatchers' job.
 */
export async function resolveAssignee(
  db: Db,
  assignee: { department?: string; user?: string } | undefined,
  options: { mayPickUsers: boolean; field?: string },
): Promise<ResolvedAssignee> {
  const field = options.field ?? 'assignee';
  let departmentId: number | null = null;
  let userId: number | null = null;
  if (assignee?.department) {
    const [row] = await queryRows<{ id: number }>(db, sql`select id from departments where code = ${assignee.department}`);
    if (!row) throw invalid(`${field}.department`, `unknown department ${assignee.department}`);
    departmentId = row.id;
  }
  if (assignee?.user) {
    if (!options.mayPickUsers) throw invalid(`${field}.user`, 'a department user may assign to a department only, not to a person');
    const [row] = await queryRows<{ id: number; roles: string[] }>(db, sql`select id, roles from users where name = ${assignee.user}`);
    if (!row) throw invalid(`${field}.user`, `unknown user ${assignee.user}`);
    if (!row.roles.includes('ops')) throw invalid(`${field}.user`, `${assignee.user} is not an ops user`);
    userId = row.id;
  }
  return { departmentId, userId, label: { department: assignee?.department ?? null, user: assignee?.user ?? null } };
}
