/* Every record kind's demo rows, in the order they are loaded: parents before the rows that refer to them. */

import type { ImportKind } from '../../registry/kinds/index.ts';
import { dataCentreRows } from './data-centres.ts';
import { departmentRows } from './departments.ts';
import { interfaceServiceRows } from './interface-services.ts';
import type { DemoKind } from './model.ts';
import { networkNodeRows } from './network-nodes.ts';
import { privateNetworkRows } from './private-networks.ts';
import { serviceItemRows } from './service-items.ts';
import { systemRows } from './systems.ts';

/** A kind with no entry here fails the typecheck: the demo covers every built-in kind. */
export const demoKinds: { [K in ImportKind]: DemoKind<K> } = {
  departments: departmentRows,
  'network-nodes': networkNodeRows,
  systems: systemRows,
  'private-networks': privateNetworkRows,
  'service-items': serviceItemRows,
  'data-centres': dataCentreRows,
  // After the systems: a service names its provider and consumer systems.
  'interface-services': interfaceServiceRows,
};

/** The kinds in load order. */
export const demoKindList: DemoKind[] = Object.values(demoKinds);
