/**
 * The roles of 等保2.0 third level: three separated administrators (三权分立) and the users,
 * and `screen`, the wall screen's (大屏) read-only account that opens nothing but the screen.
 */
export const roles = ['sysadmin', 'secadmin', 'auditor', 'ops', 'reviewer', 'department', 'leader', 'screen'] as const;
export type Role = (typeof roles)[number];

/** Nobody holds two of these, and each needs a second factor. */
export const adminRoles: readonly Role[] = ['sysadmin', 'secadmin', 'auditor'];

/** Why a set of roles is not allowed, or null. */
export function roleConflict(held: readonly Role[]): string | null {
  const admins = held.filter((r) => adminRoles.includes(r));
  if (admins.length > 1) return `${admins.join(' and ')} may not be held by one user (三权分立)`;
  // The wall screen's account is signed in all day on a shared display: it must stay able to open nothing else.
  if (held.includes('screen') && held.length > 1) {
    return `screen may not be held with ${held.filter((r) => r !== 'screen').join(', ')}: the wall-screen account holds no other role (三权分立)`;
  }
  // A department's operator reviewing would certify his own department's records.
  if (held.includes('department') && held.includes('reviewer')) return 'department and reviewer may not be held by one user (三权分立)';
  return null;
}
