import type { Classification, DepartmentKind, NodeTier, PrivateNetworkState, SystemState, SystemType } from '../db/schema/enums.ts';
import type { ImportKind, InputByKind } from '../registry/schemas.ts';

/**
 * The spreadsheet columns of each importable kind: the English header (the field name),
 * its Chinese alias, and for closed value sets the Chinese alias of every value.
 * Parser and exporter both read this table; the column order is the export order.
 */

/** How a cell's text becomes a field value before the zod schema checks it. */
export type ColumnSpec<F extends string = string> =
  | { field: F; alias: string; type: 'text' | 'boolean' | 'date' }
  | { field: F; alias: string; type: 'enum'; values: Readonly<Record<string, string>> };

/** Canonical value → Chinese alias. `satisfies Record<…>` keeps each in step with enums.ts. */
const departmentKindValues = {
  government: '政府部门',
  institution: '事业单位',
  enterprise: '国有企业',
} as const satisfies Record<DepartmentKind, string>;

const classificationValues = {
  pending: '待认定',
  non_classified: '非涉密',
  classified: '涉密',
} as const satisfies Record<Classification, string>;

const systemStateValues = {
  not_migrated: '未迁移',
  migrating: '迁移中',
  migrated: '已上云',
  retired: '已下线',
} as const satisfies Record<SystemState, string>;

const privateNetworkStateValues = {
  not_started: '未启动',
  migrating: '迁移中',
  interconnected: '已打通',
  retired: '已退出',
} as const satisfies Record<PrivateNetworkState, string>;

const systemTypeValues = {
  national: '国垂',
  provincial: '区垂',
  city: '市垂',
  self_built: '自建',
} as const satisfies Record<SystemType, string>;

const nodeTierValues = {
  backbone: '骨干',
  metro: '城域',
} as const satisfies Record<NodeTier, string>;

/** Every spelling of a yes/no cell, compared lower-cased. */
export const booleanWords: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  是: true,
  否: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
};

type ColumnsOf<K extends ImportKind> = readonly ColumnSpec<keyof InputByKind[K] & string>[];

export const importColumns: { readonly [K in ImportKind]: ColumnsOf<K> } = {
  departments: [
    { field: 'code', alias: '编码', type: 'text' },
    { field: 'name', alias: '名称', type: 'text' },
    { field: 'region_code', alias: '行政区划代码', type: 'text' },
    { field: 'parent_code', alias: '上级编码', type: 'text' },
    { field: 'kind', alias: '类型', type: 'enum', values: departmentKindValues },
    { field: 'extranet_connected', alias: '已接入外网', type: 'boolean' },
    { field: 'extranet_connected_at', alias: '接入日期', type: 'date' },
  ],
  systems: [
    { field: 'code', alias: '编码', type: 'text' },
    { field: 'name', alias: '名称', type: 'text' },
    { field: 'department_code', alias: '部门编码', type: 'text' },
    { field: 'classification', alias: '密级', type: 'enum', values: classificationValues },
    { field: 'state', alias: '状态', type: 'enum', values: systemStateValues },
    { field: 'state_at', alias: '状态日期', type: 'date' },
    { field: 'cloud_code', alias: '云平台编码', type: 'text' },
    { field: 'tenant', alias: '租户', type: 'text' },
  ],
  'private-networks': [
    { field: 'code', alias: '编码', type: 'text' },
    { field: 'name', alias: '名称', type: 'text' },
    { field: 'department_code', alias: '部门编码', type: 'text' },
    { field: 'classification', alias: '密级', type: 'enum', values: classificationValues },
    { field: 'state', alias: '状态', type: 'enum', values: privateNetworkStateValues },
    { field: 'state_at', alias: '状态日期', type: 'date' },
  ],
  'service-items': [
    { field: 'code', alias: '编码', type: 'text' },
    { field: 'name', alias: '名称', type: 'text' },
    { field: 'department_code', alias: '部门编码', type: 'text' },
    { field: 'system_type', alias: '系统类型', type: 'enum', values: systemTypeValues },
    { field: 'integration_required', alias: '需对接', type: 'boolean' },
    { field: 'integrated', alias: '已对接', type: 'boolean' },
    { field: 'integrated_at', alias: '对接日期', type: 'date' },
  ],
  'network-nodes': [
    { field: 'code', alias: '编码', type: 'text' },
    { field: 'name', alias: '名称', type: 'text' },
    { field: 'region_code', alias: '行政区划代码', type: 'text' },
    { field: 'tier', alias: '层级', type: 'enum', values: nodeTierValues },
    { field: 'commissioned', alias: '已建成', type: 'boolean' },
    { field: 'commissioned_at', alias: '建成日期', type: 'date' },
    { field: 'probe_address', alias: '探测地址', type: 'text' },
  ],
};
