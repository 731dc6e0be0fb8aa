import { type TroubledNode, troubledNodes } from '../../alerts/nodes.ts';
import { assertCan } from '../../identity/access.ts';
import { listAgents } from '../../ingest/agents.ts';
import { listRegions } from '../../regions/service.ts';
import { listClouds, listRecords, listTenants, type TenantItem } from '../../registry/service.ts';
import { beijingTime } from '../alert-terms.ts';
import { Panel } from '../components/panel.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, type Lang, valueName } from '../i18n.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '多云运维面板',
    clouds: '政务云（1+N+14）',
    cloud: '云平台',
    kind: '类型',
    tenants: '租户',
    vcpu: 'vCPU',
    memory: '内存 GiB',
    storage: '存储 GiB',
    quotaOfCapacity: '已分配配额 / 容量',
    usedOfQuota: '已用 / 配额',
    top: '资源使用前十的租户',
    department: '部门',
    tenant: '租户',
    nodes: '各市电子政务外网节点',
    city: '设区市',
    total: '节点',
    latency: '平均时延 ms',
    lastSample: '最近采样',
    agents: '失联的采集代理',
    agent: '代理',
    lastSeen: '最后上报',
    noStale: '没有失联的采集代理。',
    never: '从未上报',
    provincial: '全区政务云',
    industry: '行业云',
    cityCloud: '市级云',
    refresh: '每 30 秒自动刷新',
    troubled: '中断与劣化的节点',
    noTroubled: '没有中断或劣化的节点。',
    node: '节点',
    region: '地区',
    state: '状态',
    since: '开始于（北京时间）',
    loss: '丢包率',
  },
  {
    title: 'Multi-cloud operations',
    clouds: 'Government clouds (1+N+14)',
    cloud: 'Cloud',
    kind: 'Kind',
    tenants: 'Tenants',
    vcpu: 'vCPU',
    memory: 'Memory GiB',
    storage: 'Storage GiB',
    quotaOfCapacity: 'Quota allotted / capacity',
    usedOfQuota: 'Used / quota',
    top: 'Top ten tenants by use',
    department: 'Department',
    tenant: 'Tenant',
    nodes: 'Extranet nodes by city',
    city: 'City',
    total: 'Nodes',
    latency: 'Mean latency ms',
    lastSample: 'Last sample',
    agents: 'Silent agents',
    agent: 'Agent',
    lastSeen: 'Last report',
    noStale: 'No agent is silent.',
    never: 'never',
    provincial: 'Provincial',
    industry: 'Industry',
    cityCloud: 'City',
    refresh: 'Refreshes every 30 s',
    troubled: 'Nodes down or degraded',
    noTroubled: 'No node is down or degraded.',
    node: 'Node',
    region: 'Region',
    state: 'State',
    since: 'Since (Beijing time)',
    loss: 'Loss',
  },
);

type Messages = ReturnType<typeof t>;
type CloudItem = Awaited<ReturnType<typeof listClouds>>['items'][number];

interface Totals {
  tenants: number;
  vcpuQuota: number;
  vcpuUsed: number;
  memoryQuota: number;
  memoryUsed: number;
  storageQuota: number;
  storageUsed: number;
}

function totalsOf(tenants: TenantItem[]): Totals {
  const sum = (f: (x: TenantItem) => number | null | undefined) => tenants.reduce((acc, x) => acc + (f(x) ?? 0), 0);
  return {
    tenants: tenants.length,
    vcpuQuota: sum((x) => x.vcpu_quota),
    vcpuUsed: sum((x) => x.vcpu_used),
    memoryQuota: sum((x) => x.memory_quota_gib),
    memoryUsed: sum((x) => x.memory_used_gib),
    storageQuota: sum((x) => x.storage_quota_gib),
    storageUsed: sum((x) => x.storage_used_gib),
  };
}

/** A labelled bar: the native <meter> reads out to screen readers and colours itself near full. */
function Bar(props: { label: string; value: number; max: number | null | undefined }) {
  const max = props.max ?? 0;
  const share = max > 0 ? Math.round((props.value / max) * 1000) / 10 : null;
  return (
    <div class="bar">
      <span class="bar-label">{props.label}</span>
      <meter min={0} max={max > 0 ? max : 1} low={max * 0.7} high={max * 0.9} optimum={0} value={props.value} />
      <span class="bar-value">
        {round(props.value)} / {max > 0 ? round(max) : '—'} {share === null ? '' : `(${share}%)`}
      </span>
    </div>
  );
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const cityOf = (regionCode: string) => `${regionCode.slice(0, 4)}00`;

export async function opsPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  assertCan(actor.access, 'read', 'agents');
  const [clouds, tenants, nodes, agents, cities, troubled] = await Promise.all([
    listClouds(db, { limit: 1000, offset: 0 }, actor),
    listTenants(db, { limit: 100_000, offset: 0 }, actor),
    listRecords(db, 'network-nodes', { limit: 100_000, offset: 0 }, actor),
    listAgents(db, { limit: 1000, offset: 0, status: 'unknown' }),
    listRegions(db, { level: 'city' }),
    troubledNodes(db),
  ]);
  const kindOrder: Record<string, number> = { provincial: 0, industry: 1, city: 2 };
  const cloudList = [...clouds.items].sort((a, b) => (kindOrder[a.kind] ?? 3) - (kindOrder[b.kind] ?? 3) || a.code.localeCompare(b.code));
  const byCloud = new Map<string, TenantItem[]>();
  for (const tenant of tenants.items) byCloud.set(tenant.cloud_code, [...(byCloud.get(tenant.cloud_code) ?? []), tenant]);
  const top = [...tenants.items].sort((a, b) => (b.vcpu_used ?? 0) - (a.vcpu_used ?? 0)).slice(0, 10);
  const kindName = { provincial: m.provincial, industry: m.industry, city: m.cityCloud } as Record<string, string>;
  const states = ['up', 'degraded', 'down', 'unknown'] as const;
  const nodeRows = cities.map((city) => {
    const here = nodes.items.filter((n) => cityOf(n.region_code) === city.code || n.region_code === city.code);
    const latencies = here.map((n) => n.latency_ms).filter((l): l is number => l !== null);
    const last =
      here
        .map((n) => n.last_sample_at)
        .filter((s): s is string => s !== null)
        .sort()
        .at(-1) ?? null;
    return {
      city,
      total: here.length,
      counts: Object.fromEntries(states.map((s) => [s, here.filter((n) => n.live_state === s).length])) as Record<
        (typeof states)[number],
        number
      >,
      latency: latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
      last,
    };
  });

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
          <Panel id="clouds" title={m.clouds} count={clouds.total} class="panel clouds">
            <div class="cloud-list" id="clouds">
              {cloudList.map((cloud) => (
                <CloudCard cloud={cloud} kind={kindName[cloud.kind] ?? cloud.kind} totals={totalsOf(byCloud.get(cloud.code) ?? [])} m={m} />
              ))}
            </div>
          </Panel>
          <div class="ops-side">
            <Panel id="nodes" title={m.nodes} count={nodes.total} class="panel">
              <DataTable
                id="nodes"
                columns={[
                  m.city,
                  m.total,
                  ...states.map((s) => ({ label: valueName(s, lang), class: `state-${s}` })),
                  m.latency,
                  m.lastSample,
                ]}
                rows={nodeRows}
                row={(r) => (
                  <tr data-city={r.city.code}>
                    <th scope="row">{r.city.name}</th>
                    <td>{r.total}</td>
                    {states.map((s) => (
                      <td class={r.counts[s] > 0 ? `state-${s}` : undefined}>{r.counts[s]}</td>
                    ))}
                    <td>{r.latency === null ? '—' : r.latency.toFixed(1)}</td>
                    <td>{r.last ? r.last.slice(0, 19).replace('T', ' ') : '—'}</td>
                  </tr>
                )}
              />
            </Panel>
            <TroubledNodes nodes={troubled} m={m} lang={lang} />
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
          <Panel id="top" title={m.top} class="panel wide">
            <DataTable
              id="top-tenants"
              columns={[m.tenant, m.cloud, m.department, m.vcpu, m.memory]}
              rows={top}
              row={(x) => (
                <tr>
                  <td>{x.external_id}</td>
                  <td>{x.cloud_code}</td>
                  <td>{x.department_code}</td>
                  <td>
                    <Bar label="" value={x.vcpu_used ?? 0} max={x.vcpu_quota} />
                  </td>
                  <td>
                    {round(x.memory_used_gib ?? 0)} / {round(x.memory_quota_gib ?? 0)}
                  </td>
                </tr>
              )}
            />
          </Panel>
        </div>
      </>
    ),
  });
}

/** One cloud's card: what its tenants were allotted of its capacity, and what they use of that. */
function CloudCard(props: { cloud: CloudItem; kind: string; totals: Totals; m: Messages }) {
  const { cloud, totals, m } = props;
  return (
    <article class="cloud" data-cloud={cloud.code}>
      <h3>
        {cloud.name}{' '}
        <small>
          {props.kind} · {cloud.provider} · {m.tenants} {totals.tenants}
        </small>
      </h3>
      <p class="bars-caption">{m.quotaOfCapacity}</p>
      <Bar label={m.vcpu} value={totals.vcpuQuota} max={cloud.vcpu_capacity} />
      <Bar label={m.memory} value={totals.memoryQuota} max={cloud.memory_capacity_gib} />
      <p class="bars-caption">{m.usedOfQuota}</p>
      <Bar label={m.vcpu} value={totals.vcpuUsed} max={totals.vcpuQuota} />
      <Bar label={m.storage} value={totals.storageUsed} max={totals.storageQuota} />
    </article>
  );
}

/** The nodes that need someone now, each by name with its page: the city table only counts them. */
function TroubledNodes(props: { nodes: TroubledNode[]; m: Messages; lang: Lang }) {
  const { m, lang } = props;
  return (
    <Panel id="troubled" title={m.troubled} count={props.nodes.length} class="panel">
      <DataTable
        id="troubled-nodes"
        scroll
        columns={[m.node, m.region, m.state, m.since, m.latency, m.loss]}
        rows={props.nodes}
        empty={m.noTroubled}
        row={(n) => (
          <tr data-node={n.code}>
            <td>
              <a href={`/console/nodes/${encodeURIComponent(n.code)}`}>{n.name}</a> <small>{n.code}</small>
            </td>
            <td>{n.region_name ?? n.region_code}</td>
            <td class={`state-${n.live_state}`}>{valueName(n.live_state, lang)}</td>
            <td>{beijingTime(n.since)}</td>
            <td>{n.latency_ms === null ? '—' : n.latency_ms.toFixed(1)}</td>
            <td>{n.loss === null ? '—' : `${(n.loss * 100).toFixed(1)}%`}</td>
          </tr>
        )}
      />
    </Panel>
  );
}
