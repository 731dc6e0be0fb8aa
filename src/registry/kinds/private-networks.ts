import { z } from '@hono/zod-openapi';
import { privateNetworkStates } from '../../db/schema/enums.ts';
import { privateNetworks } from '../../db/schema/index.ts';
import { privateNetworkStateLabels } from '../../vocabulary/records.ts';
import { stamps } from '../fields.ts';
import { classifiedKind } from './classified.ts';
import { kindNames, knownDepartment } from './shared.ts';
import type { RecordKind } from './types.ts';

const classified = classifiedKind(privateNetworks, privateNetworkStates, privateNetworkStateLabels, {
  not_started: ['migrating', 'interconnected', 'retired'],
  migrating: ['interconnected', 'not_started', 'retired'],
  interconnected: ['retired'],
  retired: [],
});

export const PrivateNetworkInput = z.object(classified.fields).openapi('PrivateNetworkInput');
export type PrivateNetworkInput = z.infer<typeof PrivateNetworkInput>;

const PrivateNetwork = PrivateNetworkInput.extend(stamps).openapi('PrivateNetwork');

/** 业务专网: a department's business private network, to be folded into the extranet. */
export const privateNetworksKind: RecordKind<PrivateNetworkInput, z.infer<typeof PrivateNetwork>> = {
  ...kindNames('private-networks', 'private_network', 'PrivateNetwork'),
  schemas: { input: PrivateNetworkInput, item: PrivateNetwork, query: classified.query() },
  ...classified.descriptor,
  columns: classified.columns,
  indicators: ['private_network_interconnection'],
  loadViews: classified.loadViews<PrivateNetworkInput>(),
  check: (r, refs) => knownDepartment(refs, r.department_code),
  write: classified.write(),
};
