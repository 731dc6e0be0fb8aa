import type {
  Classification,
  commissionStates,
  DepartmentKind,
  extranetStates,
  integrationStates,
  NodeLiveState,
  NodeTier,
  PrivateNetworkState,
  SystemState,
  SystemType,
} from '../db/schema/enums.ts';

type ExtranetState = (typeof extranetStates)[number];
type IntegrationState = (typeof integrationStates)[number];
type CommissionState = (typeof commissionStates)[number];

/**
 * The names people read for the registry's record kinds and their closed value sets, in both
 * languages: the console, the CLI, the reports and the spreadsheets (whose Chinese cells are
 * these `zh` names) all take them from here, so one state has one name everywhere.
 */
export interface Label {
  zh: string;
  en: string;
}

export const classificationLabels = {
  pending: { zh: '待认定', en: 'pending' },
  non_classified: { zh: '非涉密', en: 'non-classified' },
  classified: { zh: '涉密', en: 'classified' },
} as const satisfies Record<Classification, Label>;

export const systemStateLabels = {
  not_migrated: { zh: '未迁移', en: 'not migrated' },
  migrating: { zh: '迁移中', en: 'migrating' },
  migrated: { zh: '已上云', en: 'migrated' },
  retired: { zh: '已下线', en: 'retired' },
} as const satisfies Record<SystemState, Label>;

/** A private network folded into the extranet is 已打通; one closed down without it 已退出. */
export const privateNetworkStateLabels = {
  not_started: { zh: '未启动', en: 'not started' },
  migrating: { zh: '迁移中', en: 'migrating' },
  interconnected: { zh: '已打通', en: 'interconnected' },
  retired: { zh: '已退出', en: 'retired' },
} as const satisfies Record<PrivateNetworkState, Label>;

export const systemTypeLabels = {
  national: { zh: '国垂', en: 'national' },
  provincial: { zh: '区垂', en: 'provincial' },
  city: { zh: '市垂', en: 'city' },
  self_built: { zh: '自建', en: 'self-built' },
} as const satisfies Record<SystemType, Label>;

export const departmentKindLabels = {
  government: { zh: '政府部门', en: 'government' },
  institution: { zh: '事业单位', en: 'public institution' },
  enterprise: { zh: '国有企业', en: 'state-owned enterprise' },
} as const satisfies Record<DepartmentKind, Label>;

export const nodeTierLabels = {
  backbone: { zh: '骨干', en: 'backbone' },
  metro: { zh: '城域', en: 'metro' },
} as const satisfies Record<NodeTier, Label>;

export const nodeLiveStateLabels = {
  up: { zh: '正常', en: 'up' },
  degraded: { zh: '劣化', en: 'degraded' },
  down: { zh: '中断', en: 'down' },
  unknown: { zh: '未知', en: 'unknown' },
} as const satisfies Record<NodeLiveState, Label>;

/** A department's access to the e-government extranet (电子政务外网). */
export const extranetStateLabels = {
  not_connected: { zh: '未接入', en: 'not connected' },
  connected: { zh: '已接入', en: 'connected' },
} as const satisfies Record<ExtranetState, Label>;

export const integrationStateLabels = {
  not_integrated: { zh: '未对接', en: 'not integrated' },
  integrated: { zh: '已对接', en: 'integrated' },
} as const satisfies Record<IntegrationState, Label>;

export const commissionStateLabels = {
  not_commissioned: { zh: '未建成', en: 'not commissioned' },
  commissioned: { zh: '已建成', en: 'commissioned' },
} as const satisfies Record<CommissionState, Label>;

/** The registry's record kinds by URL segment. */
export const recordKindLabels = {
  departments: { zh: '部门', en: 'department' },
  systems: { zh: '信息系统', en: 'system' },
  'private-networks': { zh: '业务专网', en: 'private network' },
  'service-items': { zh: '政务服务事项', en: 'service item' },
  'network-nodes': { zh: '网络节点', en: 'network node' },
  clouds: { zh: '云平台', en: 'cloud' },
  tenants: { zh: '云租户', en: 'tenant' },
} as const satisfies Record<string, Label>;

/** Chinese names of a value set, as the spreadsheets read and write them. */
export const zhNames = <K extends string>(labels: Record<K, Label>): Record<K, string> =>
  Object.fromEntries(Object.entries<Label>(labels).map(([value, label]) => [value, label.zh])) as Record<K, string>;
