/** Closed value sets shared by the schema, the zod schemas and the importers. */
export const regionLevels = ['province', 'city', 'county', 'township'] as const;
export type RegionLevel = (typeof regionLevels)[number];

export const departmentKinds = ['government', 'institution', 'enterprise'] as const;
export type DepartmentKind = (typeof departmentKinds)[number];

export const classifications = ['pending', 'non_classified', 'classified'] as const;
export type Classification = (typeof classifications)[number];

export const systemStates = ['not_migrated', 'migrating', 'migrated', 'retired'] as const;
export type SystemState = (typeof systemStates)[number];

export const privateNetworkStates = ['not_started', 'migrating', 'interconnected', 'retired'] as const;
export type PrivateNetworkState = (typeof privateNetworkStates)[number];

/** A non-classified data centre (非涉密数据中心) in use, being folded into the government cloud, folded in, or shut. */
export const dataCentreStates = ['in_use', 'consolidating', 'consolidated', 'closed'] as const;
export type DataCentreState = (typeof dataCentreStates)[number];

/** How far a service item is done online (办理深度): all online, online with at most one visit, one visit offline, several visits. */
export const serviceLevels = ['full_online', 'online_one_visit', 'offline_one_visit', 'multiple_visits'] as const;
export type ServiceLevel = (typeof serviceLevels)[number];

/** 等保 (multi-level protection) levels 1–4 of a system, a cloud or the extranet. */
export const securityLevels = [1, 2, 3, 4] as const;

/** Where a system's disaster-recovery copy runs: in the same city (同城) or elsewhere (异地). */
export const drSiteKinds = ['same_city', 'remote'] as const;
export type DrSiteKind = (typeof drSiteKinds)[number];

/** A government cloud's build-out: planned, being built, in service (建成启用), retired. */
export const cloudStates = ['planned', 'building', 'in_service', 'retired'] as const;
export type CloudState = (typeof cloudStates)[number];

/** An interface service (接口服务) on the interconnection platform: not yet published, published, taken offline (may come back). */
export const interfaceServiceStates = ['planned', 'active', 'retired'] as const;
export type InterfaceServiceState = (typeof interfaceServiceStates)[number];

export const systemTypes = ['national', 'provincial', 'city', 'self_built'] as const;
export type SystemType = (typeof systemTypes)[number];

export const nodeTiers = ['backbone', 'metro'] as const;
export type NodeTier = (typeof nodeTiers)[number];

export const nodeLiveStates = ['up', 'degraded', 'down', 'unknown'] as const;
export type NodeLiveState = (typeof nodeLiveStates)[number];

export const cloudKinds = ['provincial', 'industry', 'city'] as const;
export type CloudKind = (typeof cloudKinds)[number];

export const cloudRoles = ['primary', 'same_city_dr', 'remote_dr'] as const;
export type CloudRole = (typeof cloudRoles)[number];

/**
 * Entities whose state is tracked over business time. Boolean facts (a service item
 * integrated, a node commissioned, a department connected) are tracked as two-valued states.
 */
export const trackedKinds = [
  'system',
  'private_network',
  'service_item',
  'network_node',
  'department',
  'data_centre',
  'interface_service',
] as const;
export type TrackedKind = (typeof trackedKinds)[number];

/** The kinds whose classification a reviewer certifies (认定). */
export type CertifiedKind = Extract<TrackedKind, 'system' | 'private_network' | 'data_centre'>;

export const integrationStates = ['not_integrated', 'integrated'] as const;
export const commissionStates = ['not_commissioned', 'commissioned'] as const;
export const extranetStates = ['not_connected', 'connected'] as const;

/**
 * `alertmanager`: a Prometheus Alertmanager posting its webhook to yunwang; it reports no items.
 * `exchange`: reads the interconnection platform's daily exchange counts (信息交换量) of any service.
 */
export const agentKinds = ['cloud', 'network', 'alertmanager', 'exchange'] as const;
export type AgentKind = (typeof agentKinds)[number];
/**
 * What a target applies to: the province, one city, every city, one department, or every
 * province-level department (区直部门).
 */
export const targetScopeKinds = ['province', 'city', 'all_cities', 'department', 'all_departments'] as const;
export type TargetScopeKind = (typeof targetScopeKinds)[number];

/** A month queued for freezing, frozen, or replaced by a later re-freeze (kept, never deleted). */
export const snapshotStatuses = ['pending', 'frozen', 'superseded'] as const;
export type SnapshotStatus = (typeof snapshotStatuses)[number];

export const snapshotLevels = ['province', 'city', 'county', 'department'] as const;
export type SnapshotLevel = (typeof snapshotLevels)[number];

export const alertSeverities = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof alertSeverities)[number];

/** An alert's lifecycle: firing → acknowledged → resolved (a resolved alert may reopen). */
export const alertStates = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof alertStates)[number];

/** What an alert is about. `scope` is a region or department scope behind its target. */
export const alertSubjectKinds = ['node', 'agent', 'tenant', 'system', 'private_network', 'scope', 'prometheus', 'work_order'] as const;
export type AlertSubjectKind = (typeof alertSubjectKinds)[number];

export const alertRuleKeys = [
  'node_down',
  'node_degraded',
  'agent_silent',
  'tenant_quota',
  'system_unverified',
  'assessment_overdue',
  're_review_overdue',
  'target_behind',
  'prometheus',
  'work_order_sla',
] as const;
export type AlertRuleKey = (typeof alertRuleKeys)[number];

export const alertEventTypes = [
  'fired',
  'acknowledged',
  'resolved',
  'reopened',
  'escalated',
  'silenced',
  'unsilenced',
  'inhibited',
  'uninhibited',
] as const;
export type AlertEventType = (typeof alertEventTypes)[number];

export const channelKinds = ['webhook', 'dingtalk', 'wecom', 'email'] as const;
export type ChannelKind = (typeof channelKinds)[number];

export const notificationStates = ['queued', 'sent', 'failed', 'dead'] as const;
export type NotificationState = (typeof notificationStates)[number];

/** Why a notification was queued: an alert fired (or reopened), repeats unacknowledged, resolved; or a channel test. */
export const notificationReasons = ['firing', 'repeat', 'resolved', 'test'] as const;
export type NotificationReason = (typeof notificationReasons)[number];

/** 工单 categories: 故障, 变更, 服务请求, 整改. */
export const workOrderCategories = ['fault', 'change', 'request', 'rectification'] as const;
export type WorkOrderCategory = (typeof workOrderCategories)[number];

export const workOrderPriorities = ['P1', 'P2', 'P3', 'P4'] as const;
export type WorkOrderPriority = (typeof workOrderPriorities)[number];

/**
 * new 待受理 → accepted 处理中 → resolved 已解决 → closed 已关闭; suspended 挂起 (the SLA clock
 * stops); transferred 已转派 (to another assignee, awaiting its acceptance); cancelled 已取消.
 */
export const workOrderStates = ['new', 'accepted', 'suspended', 'transferred', 'resolved', 'closed', 'cancelled'] as const;
export type WorkOrderState = (typeof workOrderStates)[number];

/** Where an order stands against its service level (计时状态). */
export const workOrderSlaStates = ['on_track', 'at_risk', 'breached', 'met', 'paused'] as const;
export type WorkOrderSlaState = (typeof workOrderSlaStates)[number];

/** What a work order's subject is. */
export const workOrderSubjectKinds = ['node', 'system', 'tenant', 'cloud', 'department', 'private_network'] as const;
export type WorkOrderSubjectKind = (typeof workOrderSubjectKinds)[number];

/** A service level's clock: around the clock (7×24), or working time by the calendar (工作时间). */
export const slaClocks = ['calendar', 'working'] as const;
export type SlaClock = (typeof slaClocks)[number];

/** A day that differs from the plain week: a public holiday (放假), or a make-up working day on a weekend (调休上班). */
export const calendarDayKinds = ['holiday', 'workday'] as const;
export type CalendarDayKind = (typeof calendarDayKinds)[number];

/** The entries of an order's timeline; alert events of a linked alert are merged in when read. */
export const workOrderEventTypes = [
  'created',
  'updated',
  'accepted',
  'suspended',
  'resumed',
  'transferred',
  'resolved',
  'reopened',
  'closed',
  'cancelled',
  'commented',
  'at_risk',
  'breached',
] as const;
export type WorkOrderEventType = (typeof workOrderEventTypes)[number];
