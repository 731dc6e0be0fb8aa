import type { TroubledNode } from '../../alerts/nodes.ts';
import type { Region } from '../../regions/service.ts';
import type { ExtranetView } from '../../registry/extranet.ts';
import type { RecordItem } from '../../registry/kinds/index.ts';
import { beijingTime } from '../alert-terms.ts';
import { Panel } from '../components/panel.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, type Lang, valueName } from '../i18n.ts';

const t = catalogue(
  {
    nodes: '各市电子政务外网节点',
    city: '设区市',
    total: '节点',
    latency: '平均时延 ms',
    lastSample: '最近采样',
    troubled: '中断与劣化的节点',
    noTroubled: '没有中断或劣化的节点。',
    node: '节点',
    region: '地区',
    state: '状态',
    since: '开始于（北京时间）',
    loss: '丢包率',
    protection: '等保',
    level: '{level}级',
    unrecorded: '未登记',
    filing: '备案编号',
    assessed: '最近测评',
  },
  {
    nodes: 'Extranet nodes by city',
    city: 'City',
    total: 'Nodes',
    latency: 'Mean latency ms',
    lastSample: 'Last sample',
    troubled: 'Nodes down or degraded',
    noTroubled: 'No node is down or degraded.',
    node: 'Node',
    region: 'Region',
    state: 'State',
    since: 'Since (Beijing time)',
    loss: 'Loss',
    protection: 'Protection (等保)',
    level: 'level {level}',
    unrecorded: 'not recorded',
    filing: 'filing',
    assessed: 'last assessed',
  },
);

type NodeItem = RecordItem<'network-nodes'>;

const states = ['up', 'degraded', 'down', 'unknown'] as const;
const cityOf = (regionCode: string) => `${regionCode.slice(0, 4)}00`;

/** A city's nodes counted by live state, with their mean latency and latest sample. */
function cityRow(city: Region, nodes: readonly NodeItem[]) {
  const here = nodes.filter((n) => cityOf(n.region_code) === city.code || n.region_code === city.code);
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
}

/** The extranet's nodes city by city: how many are up, degraded, down or unheard of. */
export function NodesPanel(props: { cities: Region[]; nodes: NodeItem[]; total: number; extranet: ExtranetView; lang: Lang }) {
  const { lang, extranet } = props;
  const m = t(lang);
  return (
    <Panel id="nodes" title={m.nodes} count={props.total} class="panel">
      <p class="hint" id="extranet-protection">
        {extranet.name} · {m.protection}{' '}
        {extranet.security_level === null ? m.unrecorded : m.level.replace('{level}', String(extranet.security_level))}
        {extranet.filing_number ? ` · ${m.filing} ${extranet.filing_number}` : ''}
        {extranet.assessed_on ? ` · ${m.assessed} ${extranet.assessed_on}` : ''}
      </p>
      <DataTable
        id="nodes"
        columns={[m.city, m.total, ...states.map((s) => ({ label: valueName(s, lang), class: `state-${s}` })), m.latency, m.lastSample]}
        rows={props.cities.map((city) => cityRow(city, props.nodes))}
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
  );
}

/** The nodes that need someone now, each by name with its page: the city table only counts them. */
export function TroubledNodes(props: { nodes: TroubledNode[]; lang: Lang }) {
  const { lang } = props;
  const m = t(lang);
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
