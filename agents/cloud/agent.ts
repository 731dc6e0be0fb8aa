import type { CloudAgentConfig } from '../client/config.ts';
import type { IngestItem } from '../client/protocol.ts';
import type { CloudAdapter } from './adapter.ts';

/** Turns what the adapter observed into tenant and workload_seen items for the configured cloud. */
export function cloudCollector(config: Pick<CloudAgentConfig, 'cloud'>, adapter: CloudAdapter) {
  return async (): Promise<IngestItem[]> => {
    const observed = await adapter.observe();
    const at = new Date().toISOString();
    return [
      ...observed.tenants.map(
        (t): IngestItem => ({
          kind: 'tenant',
          cloud: config.cloud,
          external_id: t.externalId,
          department: t.department,
          at,
          quota: t.quota,
          usage: t.usage,
          workload_count: t.workloadCount,
        }),
      ),
      ...observed.workloads.map(
        (w): IngestItem => ({ kind: 'workload_seen', cloud: config.cloud, tenant: w.tenant, system: w.system, workload: w.workload, at }),
      ),
    ];
  };
}
