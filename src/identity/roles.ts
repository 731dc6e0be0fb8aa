/** The roles of 等保2.0 third level: three separated administrators (三权分立) and the users. */
export const roles = ['sysadmin', 'secadmin', 'auditor', 'ops', 'reviewer', 'department', 'leader'] as const;
export type Role = (typeof roles)[number];

/** Nobody holds two of these, and each needs a second factor. */
export const adminRoles: readonly Role[] = ['sysadmin', 'secadmin', 'auditor'];

/** Why a set of roles is not allowed, or null. */
export function roleConflict(held: readonly Role[]): string | null {
  const admins = held.filter((r) => adminRoles.includes(r));
  if (admins.length > 1) return `${admins.join(' and ')} may not be held by one user (三权分立)`;
  // A department's operator reviewing would certify his own department's records.
  if (held.includes('department') && held.includes('reviewer')) return 'department and reviewer may not be held by one user (三权分立)';
  return null;
}
