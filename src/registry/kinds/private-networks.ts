import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { classifications, privateNetworkStates } from '../../db/schema/enums.ts';
import { departments, privateNetworks } from '../../db/schema/index.ts';
import { classificationLabels, privateNetworkStateLabels, recordKindLabels, zhNames } from '../../vocabulary/records.ts';
import { classification, code, department, isoDate, name, region, stamps } from '../fields.ts';
import { matches, ownedBy } from '../filters.ts';
import { departmentRef, knownDepartment, listQuery, stateLifecycle, viewLoader, writeByCode } from './shared.ts';
import type { RecordKind } from './types.ts';

export const PrivateNetworkInput = z
  .object({
    code,
    name,
    department_code: code,
    classification: z.enum(classifications).default('pending'),
    state: z.enum(privateNetworkStates).default('not_started'),
    state_at: isoDate.nullish(),
  })
  .openapi('PrivateNetworkInput');
export type PrivateNetworkInput = z.infer<typeof PrivateNetworkInput>;

const PrivateNetwork = PrivateNetworkInput.extend(stamps).openapi('PrivateNetwork');

const lifecycle = stateLifecycle<PrivateNetworkInput>(
  privateNetworks,
  { state: privateNetworks.state, stateAt: privateNetworks.stateAt },
  privateNetworkStateLabels,
  {
    not_started: ['migrating', 'interconnected', 'retired'],
    migrating: ['interconnected', 'not_started', 'retired'],
    interconnected: ['retired'],
    retired: [],
  },
);

/** 业务专网: a department's business private network, to be folded into the extranet. */
export const privateNetworksKind: RecordKind<PrivateNetworkInput, z.infer<typeof PrivateNetwork>> = {
  segment: 'private-networks',
  tracked: 'private_network',
  names: { one: 'PrivateNetwork', many: 'PrivateNetworks' },
  label: recordKindLabels['private-networks'],
  area: 'private-networks',
  table: privateNetworks,
  ownerColumn: privateNetworks.departmentId,
  classificationColumn: privateNetworks.classification,
  schemas: {
    input: PrivateNetworkInput,
    item: PrivateNetwork,
    query: listQuery({ department, region, state: z.enum(privateNetworkStates).optional(), classification }),
  },
  ...lifecycle,
  columns: [
    { field: 'code', alias: '编码', type: 'text' },
    { field: 'name', alias: '名称', type: 'text' },
    { field: 'department_code', alias: '部门编码', type: 'text' },
    { field: 'classification', alias: '密级', type: 'enum', values: zhNames(classificationLabels) },
    { field: 'state', alias: '状态', type: 'enum', values: zhNames(privateNetworkStateLabels) },
    { field: 'state_at', alias: '状态日期', type: 'date' },
  ],
  indicators: ['private_network_interconnection'],
  filters: async (db, f) => [
    await ownedBy(db, privateNetworks.departmentId, f),
    f.state ? eq(privateNetworks.state, f.state as PrivateNetworkInput['state']) : undefined,
    f.classification ? eq(privateNetworks.classification, f.classification as PrivateNetworkInput['classification']) : undefined,
    matches(f.q, privateNetworks.name, privateNetworks.code),
  ],
  loadViews: viewLoader<PrivateNetworkInput>(
    privateNetworks,
    {
      code: privateNetworks.code,
      name: privateNetworks.name,
      department_code: departments.code,
      classification: privateNetworks.classification,
      state: privateNetworks.state,
      state_at: privateNetworks.stateAt,
    },
    privateNetworks.departmentId,
  ),
  check: (r, refs) => knownDepartment(refs, r.department_code),
  write: (db, rows, refs) =>
    writeByCode(
      db,
      privateNetworks,
      rows.map(({ input: r, state }) => ({
        code: r.code,
        name: r.name,
        departmentId: departmentRef(refs, r.department_code),
        classification: r.classification,
        state: r.state,
        stateAt: state.since,
      })),
    ),
};
