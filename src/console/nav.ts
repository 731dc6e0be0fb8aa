import type { Access } from '../identity/access.ts';
import type { Role } from '../identity/roles.ts';

/** The console's pages and who may open them; navigation shows exactly these. */
export const consolePages = {
  // The landing page: every signed-in user's to-do list (待办事项).
  todo: {
    path: '/console',
    roles: ['sysadmin', 'secadmin', 'auditor', 'ops', 'reviewer', 'department', 'leader'],
    zh: '待办事项',
    en: 'To do',
  },
  overview: { path: '/console/overview', roles: ['leader', 'reviewer', 'ops', 'sysadmin', 'department'], zh: '总览', en: 'Overview' },
  interconnection: {
    path: '/console/interconnection',
    roles: ['leader', 'reviewer', 'ops', 'sysadmin', 'department'],
    zh: '互联互通',
    en: 'Interconnection',
  },
  map: { path: '/console/map', roles: ['leader', 'reviewer', 'ops', 'sysadmin'], zh: '覆盖地图', en: 'Coverage map' },
  // The readers of the leadership area (targets, snapshots, the red/black list).
  ranking: { path: '/console/ranking', roles: ['leader', 'reviewer', 'ops', 'sysadmin'], zh: '红黑榜', en: 'Ranking' },
  targets: { path: '/console/targets', roles: ['leader', 'reviewer', 'ops', 'sysadmin'], zh: '目标与预测', en: 'Targets' },
  // 大屏: the wall screen's own account opens this and nothing else; the readers of every scope may too.
  screen: { path: '/console/screen', roles: ['screen', 'leader', 'reviewer', 'ops', 'sysadmin'], zh: '大屏', en: 'Wall screen' },
  workspace: { path: '/console/workspace', roles: ['department'], zh: '部门工作台', en: 'Workspace' },
  ops: { path: '/console/ops', roles: ['ops', 'sysadmin'], zh: '多云运维', en: 'Multi-cloud ops' },
  // The same readers as the alerts API; a department user's list is scoped by the service.
  alerts: { path: '/console/alerts', roles: ['ops', 'leader', 'sysadmin', 'department'], zh: '告警', en: 'Alerts' },
  // The readers of the work-orders API; a department user's queue is scoped by the service.
  workOrders: { path: '/console/work-orders', roles: ['ops', 'leader', 'department'], zh: '工单', en: 'Work orders' },
  review: { path: '/console/review', roles: ['reviewer', 'leader', 'ops'], zh: '认定与回头看', en: 'Review queues' },
  // 督查通报: reviewers draft, leaders sign off, departments read what was published.
  reports: { path: '/console/reports', roles: ['reviewer', 'leader', 'department'], zh: '督查通报', en: 'Reports' },
  // The readers of systems; a department user sees and asks for its own, a reviewer decides.
  idle: { path: '/console/idle', roles: ['department', 'reviewer', 'ops', 'leader', 'sysadmin'], zh: '僵尸系统', en: 'Idle systems' },
} as const satisfies Record<string, { path: string; roles: readonly Role[]; zh: string; en: string }>;

export type PageKey = keyof typeof consolePages;

export function mayOpen(access: Access, page: PageKey): boolean {
  if (access.root) return true;
  const allowed: readonly Role[] = consolePages[page].roles;
  return allowed.some((role) => access.roles.has(role));
}

/** The pages a caller's roles open, in menu order. */
export function pagesFor(access: Access): PageKey[] {
  return (Object.keys(consolePages) as PageKey[]).filter((page) => mayOpen(access, page));
}
