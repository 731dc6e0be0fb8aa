import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';
import type { PoolState } from '../db/client.ts';
import type { BuildInfo } from '../kernel/build-info.ts';

/**
 * prom-client's defaults that `promtool check metrics` rejects: gauges whose names end in
 * _total, a suffix Prometheus keeps for counters.
 */
const rejectedDefaults = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** yunwang's own health: process and Node runtime, what it runs, and its database pool. */
export function registerRuntimeMetrics(registry: Registry, options: { build: BuildInfo; pool?: () => PoolState }): void {
  collectDefaultMetrics({ register: registry });
  for (const name of rejectedDefaults) registry.removeSingleMetric(name);

  new Gauge({
    name: 'yunwang_build_info',
    help: 'What this process runs: yunwang version, source revision and Node.js version; always 1.',
    labelNames: ['version', 'revision', 'node_version'] as const,
    registers: [registry],
  }).set({ version: options.build.version, revision: options.build.revision, node_version: options.build.nodeVersion }, 1);

  const pool = options.pool;
  if (!pool) return;
  new Gauge({
    name: 'yunwang_db_pool_connections',
    help: 'Database connections of this process by state (in_use, idle); the embedded database is one connection.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const now = pool();
      this.set({ state: 'in_use' }, now.inUse);
      this.set({ state: 'idle' }, now.idle);
    },
  });
  new Gauge({
    name: 'yunwang_db_pool_waiting_requests',
    help: 'Queries of this process waiting for a database connection.',
    registers: [registry],
    collect() {
      this.set(pool().waiting);
    },
  });
}
