import type { Role } from '../identity/roles.ts';
import type { Label } from './records.ts';

/** The roles of 等保2.0 third level, as the console and the CLI name them. */
export const roleLabels = {
  sysadmin: { zh: '系统管理员', en: 'system administrator' },
  secadmin: { zh: '安全管理员', en: 'security administrator' },
  auditor: { zh: '审计管理员', en: 'auditor' },
  ops: { zh: '运维', en: 'operations' },
  reviewer: { zh: '审核', en: 'reviewer (big-data bureau)' },
  department: { zh: '部门', en: 'department operator' },
  leader: { zh: '领导', en: 'leader (read-only)' },
} as const satisfies Record<Role, Label>;
