import { type AnyRecordKind, recordKinds } from '../registry/kinds/index.ts';
import type { Action, Area } from './access.ts';

/**
 * The authorization rule of every API operation, by operationId. An operation missing here
 * is refused for everyone (and the authorization test fails), so a new route cannot ship
 * without a decision. Services check again with the same permissions table.
 */
export type Rule =
  | { public: true }
  /** Authenticated by an agent's token inside the route itself; user credentials count for nothing. */
  | { agent: true }
  /** Any signed-in user, acting on their own account. */
  | { self: true }
  | { area: Area; action: Action };

const read = (area: Area): Rule => ({ area, action: 'read' });
const write = (area: Area): Rule => ({ area, action: 'write' });

/** A record kind's six operations: reading and writing its area. */
const kindRules = ({ area, names: { one, many } }: AnyRecordKind): Record<string, Rule> => ({
  [`list${many}`]: read(area),
  [`get${one}`]: read(area),
  [`create${one}`]: write(area),
  [`update${one}`]: write(area),
  [`transition${one}`]: write(area),
  [`list${one}Transitions`]: read(area),
});

export const routePolicy: Record<string, Rule> = {
  listRegions: read('regions'),
  getRegion: read('regions'),
  ...Object.assign({}, ...recordKinds().map(kindRules)),
  listClouds: read('clouds'),
  getCloudBuildOut: read('clouds'),
  getExtranet: read('network-nodes'),
  updateExtranet: write('network-nodes'),
  getCloud: read('clouds'),
  createCloud: write('clouds'),
  updateCloud: write('clouds'),
  listTenants: read('tenants'),
  getTenant: read('tenants'),
  createTenant: write('tenants'),
  updateTenant: write('tenants'),
  getIndicators: read('indicators'),
  listIndicatorItems: read('indicators'),
  getInterconnection: read('interconnection'),
  getInterconnectionTrend: read('interconnection'),
  getCityShapes: read('maps'),
  getCountyShapes: read('maps'),
  getScreen: read('screen'),
  // The kind decides the area; the import and export services check it.
  importFile: { self: true },
  exportFile: { self: true },

  login: { public: true },
  logout: { self: true },
  getMe: { self: true },
  // Each caller's own to-do list, built from the services with his own access.
  getTodo: { self: true },
  changeOwnPassword: { self: true },
  startTotpEnrollment: { self: true },
  confirmTotpEnrollment: { self: true },
  listOwnTokens: { self: true },
  createOwnToken: { self: true },
  revokeToken: { self: true },

  listUsers: read('users'),
  createUser: write('users'),
  getUser: read('users'),
  lockUser: write('users'),
  unlockUser: write('users'),
  resetUserPassword: write('users'),
  listPasswordResets: read('password-resets'),
  approvePasswordReset: write('password-resets'),
  setUserRoles: write('roles'),
  resetUserTotp: write('roles'),
  getSecurityPolicy: read('security-policy'),
  updateSecurityPolicy: write('security-policy'),

  // Agents authenticate with their own tokens inside the ingest route (agent scope, not roles).
  ingestBatch: { agent: true },
  listAgents: read('agents'),
  getAgent: read('agents'),
  listNetworkNodeSamples: read('network-nodes'),

  listTargets: read('leadership'),
  setTarget: write('leadership'),
  removeTargets: write('leadership'),
  getTargetStatus: read('leadership'),
  getTargetProgress: read('leadership'),
  listSnapshots: read('leadership'),
  freezeSnapshot: write('leadership'),
  getSnapshotSeries: read('leadership'),
  getSnapshot: read('leadership'),
  getFrozenFigures: read('leadership'),
  getForecast: read('leadership'),
  getRanking: read('leadership'),
  // The live preview is the reviewers' and leaders'; departments read what was published.
  getSupervisionReport: read('report-drafts'),
  listSupervisionReports: read('supervision-reports'),
  getSupervisionReportXlsx: read('supervision-reports'),
  getSupervisionReportHtml: read('supervision-reports'),
  draftSupervisionReport: write('report-drafts'),
  submitSupervisionReport: write('report-drafts'),
  publishSupervisionReport: write('report-sign-off'),
  returnSupervisionReport: write('report-sign-off'),

  getWorkOrderStats: read('work-orders'),

  listAlerts: read('alerts'),
  countAlerts: read('alerts'),
  getAlert: read('alerts'),
  acknowledgeAlert: write('alerts'),
  // Alertmanager authenticates with an agent token of kind `alertmanager`, inside the route.
  receiveAlertmanagerAlerts: { agent: true },
  listWorkOrders: read('work-orders'),
  getWorkOrder: read('work-orders'),
  createWorkOrder: write('work-orders'),
  updateWorkOrder: write('work-orders'),
  transitionWorkOrder: write('work-orders'),
  commentWorkOrder: write('work-orders'),
  // The service checks too that the caller may see the alert.
  createWorkOrderFromAlert: write('work-orders'),
  listSilences: read('alerting'),
  createSilence: write('alerting'),
  expireSilence: write('alerting'),
  listAlertRules: read('alerting'),
  updateAlertRule: write('alerting'),
  listNotificationChannels: read('alerting'),
  createNotificationChannel: write('alerting'),
  updateNotificationChannel: write('alerting'),
  deleteNotificationChannel: write('alerting'),
  testNotificationChannel: write('alerting'),
  listNotifications: read('alerting'),

  listSlaPolicies: read('service-levels'),
  updateSlaPolicies: write('service-levels'),
  getWorkingHours: read('service-levels'),
  updateWorkingHours: write('service-levels'),
  getCalendarYear: read('service-levels'),
  replaceCalendarYear: write('service-levels'),

  listAuditEntries: read('audit'),
  verifyAuditChain: read('audit'),

  // 认定: one certify operation per kind a reviewer certifies.
  ...Object.fromEntries(
    recordKinds()
      .filter((kind) => kind.classificationColumn)
      .map((kind) => [`certify${kind.names.one}`, write('certifications')]),
  ),
  uploadDocument: write('documents'),
  getDocument: read('documents'),
  listCertifications: read('certifications'),
  listReviewQueue: read('certifications'),
  certifyBatch: write('certifications'),
  scheduleReReviewCampaign: write('certifications'),
  scheduleReReview: write('certifications'),
  recordReReviewResult: write('certifications'),
  listReReviews: read('certifications'),
  // 僵尸系统: counts and requests are read like systems; a department asks, a reviewer decides.
  countIdleSystems: read('systems'),
  requestSystemDecommission: write('systems'),
  listDecommissionRequests: read('systems'),
  decideSystemDecommission: write('certifications'),
};

/** The rules of a kind registered after this module loaded (a test's throw-away kind). */
export function addKindRules(kind: AnyRecordKind): void {
  for (const [operationId, rule] of Object.entries(kindRules(kind))) routePolicy[operationId] ??= rule;
}

/** What a session restricted to changing its password or enrolling a second factor may still do. */
export const restrictedOperations: ReadonlySet<string> = new Set([
  'getMe',
  'logout',
  'changeOwnPassword',
  'startTotpEnrollment',
  'confirmTotpEnrollment',
]);
