import type {
  Classification,
  CloudState,
  commissionStates,
  DataCentreState,
  DepartmentKind,
  DrSiteKind,
  extranetStates,
  InterfaceServiceState,
  integrationStates,
  NodeLiveState,
  NodeTier,
  PrivateNetworkState,
  ServiceLevel,
  SystemState,
  SystemType,
} from '../db/schema/enums.ts';
import terms from './terms.json' with { type: 'json' };

type ExtranetState = (typeof extranetStates)[number];
type IntegrationState = (typeof integrationStates)[number];
type CommissionState = (typeof commissionStates)[number];

/**
 * The names people read for the registry's record kinds and their closed value sets, in both
 * languages: the console, the CLI, the reports and the spreadsheets (whose Chinese cells are
 * these `zh` names) all take them from here, so one state has one name everywhere. The words
 * themselves are in terms.json; here each set is checked against the values it names.
 */
export interface Label {
  zh: string;
  en: string;
}

export const classificationLabels = terms.classifications satisfies Record<Classification, Label>;
export const systemStateLabels = terms.systemStates satisfies Record<SystemState, Label>;
/** A private network folded into the extranet is 已打通; one closed down without it 已退出. */
export const privateNetworkStateLabels = terms.privateNetworkStates satisfies Record<PrivateNetworkState, Label>;
/** A data centre folded into the government cloud is 已整合; one shut down 已关停 (both count as done). */
export const dataCentreStateLabels = terms.dataCentreStates satisfies Record<DataCentreState, Label>;
/** 办理深度: how far a service item is done online (全程网办 … 多次跑动). */
export const serviceLevelLabels = terms.serviceLevels satisfies Record<ServiceLevel, Label>;
export const drSiteKindLabels = terms.drSiteKinds satisfies Record<DrSiteKind, Label>;
/** A government cloud's build-out (建设): 规划 → 建设中 → 建成启用 → 已退役. */
export const cloudStateLabels = terms.cloudStates satisfies Record<CloudState, Label>;
/** An idle system's decommission request (僵尸系统下线): awaiting a reviewer, confirmed, rejected. */
export const decommissionStatusLabels = terms.decommissionStatuses satisfies Record<'open' | 'confirmed' | 'rejected', Label>;
/** An interface service (接口服务): 待发布 → 已发布 → 已下线 (and back to 已发布). */
export const interfaceServiceStateLabels = terms.interfaceServiceStates satisfies Record<InterfaceServiceState, Label>;
export const systemTypeLabels = terms.systemTypes satisfies Record<SystemType, Label>;
export const departmentKindLabels = terms.departmentKinds satisfies Record<DepartmentKind, Label>;
export const nodeTierLabels = terms.nodeTiers satisfies Record<NodeTier, Label>;
export const nodeLiveStateLabels = terms.nodeLiveStates satisfies Record<NodeLiveState, Label>;
/** A department's access to the e-government extranet (电子政务外网). */
export const extranetStateLabels = terms.extranetStates satisfies Record<ExtranetState, Label>;
export const integrationStateLabels = terms.integrationStates satisfies Record<IntegrationState, Label>;
export const commissionStateLabels = terms.commissionStates satisfies Record<CommissionState, Label>;

/** The registry's record kinds by URL segment. */
export const recordKindLabels = terms.recordKinds satisfies Record<string, Label>;

/**
 * The states of the tracked kinds, for a page that shows a bare state without its kind. Where
 * two kinds share a value the later set wins: a bare `retired` reads as a system's 已下线; a
 * private network's 已退出 needs its own set.
 */
export const trackedStateLabels: Record<string, Label> = {
  ...interfaceServiceStateLabels,
  ...dataCentreStateLabels,
  ...privateNetworkStateLabels,
  ...systemStateLabels,
};

/** Chinese names of a value set, as the spreadsheets read and write them. */
export const zhNames = <K extends string>(labels: Record<K, Label>): Record<K, string> =>
  Object.fromEntries(Object.entries<Label>(labels).map(([value, label]) => [value, label.zh])) as Record<K, string>;
