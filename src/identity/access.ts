import { AppError } from '../kernel/errors.ts';
import type { Role } from './roles.ts';

/**
 * What a caller may do. `root` is the local operator at the command line (and the
 * server's own jobs); everyone else is a user with roles, and a `department` user is
 * bound to one department and its sub-departments.
 */
export type Access =
  | { root: true }
  | {
      root: false;
      userId: number;
      roles: ReadonlySet<Role>;
      department: { id: number; code: string; path: string } | null;
      /** An API token with `read` scope may not write, whatever its user's roles. */
      readOnly: boolean;
    };

export const rootAccess: Access = { root: true };

/** The parts of yunwang permissions are granted on. */
export type Area =
  | 'regions'
  | 'departments'
  | 'systems'
  | 'private-networks'
  | 'data-centres'
  | 'interface-services'
  /** The interconnection figures (互联互通) and the daily exchange counts (信息交换量) behind them. */
  | 'interconnection'
  | 'service-items'
  | 'network-nodes'
  | 'clouds'
  | 'tenants'
  | 'indicators'
  | 'certifications'
  /** Evidence documents (认定依据): the row-level rule (reviewers, auditors, the owning department) is in documents/service.ts. */
  | 'documents'
  | 'users'
  | 'roles'
  | 'security-policy'
  /** Approving a password reset of an administrator: another administrator's second pair of eyes. */
  | 'password-resets'
  | 'audit'
  | 'agents'
  /** Targets, snapshots, forecasts, the red/black list and the supervision report. */
  | 'leadership'
  /** The supervision report's drafts and its live preview: drafted by reviewers, read by leaders too. */
  | 'report-drafts'
  /** 督查通报 as published: the departments read them as well. */
  | 'supervision-reports'
  /** 签发 or 退回 a submitted supervision report. */
  | 'report-sign-off'
  /** The map layers with every division's figures (/geo/…): the readers of every scope, not a department. */
  | 'maps'
  /** The wall screen (大屏): its one read of every panel at once. */
  | 'screen'
  /** Alerts and their acknowledgement; a department user reads those about its own systems and tenants. */
  | 'alerts'
  /** Silences, maintenance windows, alert rules, notification channels and the notification outbox. */
  | 'alerting'
  /** Work orders (工单): departments work those assigned to or reported by their own department. */
  | 'work-orders'
  /** Service levels by priority and the working-time calendar (holidays and make-up working days). */
  | 'service-levels';

export type Action = 'read' | 'write';

const registryReaders: Role[] = ['sysadmin', 'ops', 'reviewer', 'leader'];

/**
 * Who may read and write each area — the one table both the route policy and the
 * services consult. Anything not listed is denied. `department` grants are always
 * limited to the user's own department subtree (see departmentLimit).
 */
export const permissions: Record<Area, Record<Action, readonly Role[]>> = {
  regions: { read: [...registryReaders, 'department'], write: [] },
  departments: { read: [...registryReaders, 'department'], write: ['sysadmin'] },
  systems: { read: [...registryReaders, 'department'], write: ['department'] },
  'private-networks': { read: [...registryReaders, 'department'], write: ['department'] },
  'data-centres': { read: [...registryReaders, 'department'], write: ['department'] },
  // A service is its provider system's department's to write, as the system is.
  'interface-services': { read: [...registryReaders, 'department'], write: ['department'] },
  // Departments read the figures of their own subtree; ops load the platform's daily counts.
  interconnection: { read: [...registryReaders, 'department'], write: ['ops'] },
  'service-items': { read: [...registryReaders, 'department'], write: ['department'] },
  'network-nodes': { read: registryReaders, write: ['ops'] },
  clouds: { read: registryReaders, write: ['sysadmin'] },
  tenants: { read: registryReaders, write: ['ops'] },
  indicators: { read: [...registryReaders, 'department'], write: [] },
  // The wall screen's account reads the map layers it colours, and nothing else of the registry.
  maps: { read: [...registryReaders, 'screen'], write: [] },
  screen: { read: ['screen', 'leader', 'reviewer', 'ops', 'sysadmin'], write: [] },
  certifications: { read: ['reviewer', 'leader', 'ops'], write: ['reviewer'] },
  // Uploaded by whoever attaches them (认定, 回头看, work orders); each document is read only by
  // reviewers, auditors, its uploader, the department owning what it is attached to, and an order's workers.
  documents: { read: ['reviewer', 'auditor', 'department', 'ops'], write: ['reviewer', 'department', 'ops'] },
  users: { read: ['sysadmin', 'secadmin'], write: ['sysadmin'] },
  roles: { read: ['sysadmin', 'secadmin'], write: ['secadmin'] },
  'security-policy': { read: ['secadmin'], write: ['secadmin'] },
  'password-resets': { read: ['sysadmin', 'secadmin', 'auditor'], write: ['sysadmin', 'secadmin', 'auditor'] },
  audit: { read: ['auditor'], write: [] },
  agents: { read: ['sysadmin', 'ops'], write: ['sysadmin'] },
  // The big-data bureau's reviewers set targets and freeze months; leaders read them.
  leadership: { read: registryReaders, write: ['reviewer'] },
  'report-drafts': { read: ['reviewer', 'leader'], write: ['reviewer'] },
  'supervision-reports': { read: ['reviewer', 'leader', 'department'], write: [] },
  'report-sign-off': { read: [], write: ['leader'] },
  // Ops run the 7×24 watch; leaders read; departments read their own (see departmentLimit).
  alerts: { read: ['ops', 'leader', 'sysadmin', 'department'], write: ['ops'] },
  alerting: { read: ['ops', 'sysadmin'], write: ['ops'] },
  // Ops dispatch and work every order; departments work their own (see departmentLimit); leaders read and count.
  'work-orders': { read: ['ops', 'leader', 'department'], write: ['ops', 'department'] },
  'service-levels': { read: ['ops', 'leader', 'department'], write: ['ops'] },
};

export function can(access: Access, action: Action, area: Area): boolean {
  if (access.root) return true;
  if (action === 'write' && access.readOnly) return false;
  return permissions[area][action].some((role) => access.roles.has(role));
}

export function assertCan(access: Access, action: Action, area: Area): void {
  if (can(access, action, area)) return;
  const why = !access.root && action === 'write' && access.readOnly ? 'a read-only token cannot write' : `your roles do not allow it`;
  throw new AppError('forbidden', `you may not ${action} ${area}: ${why}`);
}

/**
 * The department subtree (a department path prefix) the caller is confined to for this
 * area, or null when unconfined. A user confined only by the `department` role and bound
 * to no department may see nothing.
 */
export function departmentLimit(access: Access, action: Action, area: Area): string | null {
  assertCan(access, action, area);
  if (access.root) return null;
  const unconfined = permissions[area][action].some((role) => role !== 'department' && access.roles.has(role));
  if (unconfined) return null;
  if (!access.department) throw new AppError('forbidden', 'your department user is bound to no department');
  return access.department.path;
}
