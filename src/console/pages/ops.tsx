import { troubledNodes } from '../../alerts/nodes.ts';
import { assertCan } from '../../identity/access.ts';
import { listAgents } from '../../ingest/agents.ts';
import { listRegions } from '../../regions/service.ts';
import { readExtranet } from '../../registry/extranet.ts';
import { listClouds, listRecords, listTenants } from '../../registry/service.ts';
import { Panel } from '../components/panel.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { CloudsPanel, TopTenantsPanel } from './ops-clouds.tsx';
import { NodesPanel, TroubledNodes } from './ops-nodes.tsx';

const t = catalogue(
  {
    title: '多云运维面板',
    refresh: '每 30 秒自动刷新',
    agents: '失联的采集代理',
    agent: '代理',
    kind: '类型',
    cloud: '云平台',
    lastSeen: '最后上报',
    noStale: '没有失联的采集代理。',
    never: '从未上报',
  },
  {
    title: 'Multi-cloud operations',
    refresh: 'Refreshes every 30 s',
    agents: 'Silent agents',
    agent: 'Agent',
    kind: 'Kind',
    cloud: 'Cloud',
    lastSeen: 'Last report',
    noStale: 'No agent is silent.',
    never: 'never',
  },
);

/** The operations wall: the clouds and their tenants, the extranet's nodes, and the agents gone quiet. */
export async function opsPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  assertCan(actor.access, 'read', 'agents');
  const [clouds, tenants, nodes, agents, cities, troubled, extranet] = await Promise.all([
    listClouds(db, { limit: 1000, offset: 0 }, actor),
    listTenants(db, { limit: 100_000, offset: 0 }, actor),
    listRecords(db, 'network-nodes', { limit: 100_000, offset: 0 }, actor),
    listAgents(db, { limit: 1000, offset: 0, status: 'unknown' }),
    listRegions(db, { level: 'city' }),
    troubledNodes(db),
    readExtranet(db, actor),
  ]);

  return ctx.render({
    title: m.title,
    active: 'ops',
    scripts: ['ops.js'],
    wall: c.req.query('wall') === '1',
    children: (
      <>
        <h1>
          {m.title} <small class="hint">{m.refresh}</small>
        </h1>
        <div class="ops-grid">
          <CloudsPanel clouds={clouds.items} total={clouds.total} tenants={tenants.items} lang={lang} />
          <div class="ops-side">
            <NodesPanel cities={cities} nodes={nodes.items} total={nodes.total} extranet={extranet} lang={lang} />
            <TroubledNodes nodes={troubled} lang={lang} />
            <Panel id="agents" title={m.agents} count={agents.total} class="panel">
              <DataTable
                id="stale-agents"
                columns={[m.agent, m.kind, m.cloud, m.lastSeen]}
                rows={agents.items}
                empty={m.noStale}
                row={(a) => (
                  <tr>
                    <td>{a.name}</td>
                    <td>{a.kind}</td>
                    <td>{a.cloud_code ?? '—'}</td>
                    <td>{a.last_seen_at ? a.last_seen_at.slice(0, 19).replace('T', ' ') : m.never}</td>
                  </tr>
                )}
              />
            </Panel>
          </div>
          <TopTenantsPanel tenants={tenants.items} lang={lang} />
        </div>
      </>
    ),
  });
}
