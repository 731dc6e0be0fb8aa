import { nodeVantages } from '../../alerts/nodes.ts';
import { listAlerts } from '../../alerts/service.ts';
import { assertCan, can } from '../../identity/access.ts';
import { getRegion } from '../../regions/service.ts';
import { readRecord } from '../../registry/service.ts';
import { beijingTime } from '../alert-terms.ts';
import { Fact } from '../components/facts.tsx';
import { Panel } from '../components/panel.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, valueName } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { AlertTable } from './alert-row.tsx';

const t = catalogue(
  {
    title: '网络节点',
    code: '编码',
    name: '名称',
    region: '地区',
    tier: '层级',
    probe: '探测地址',
    commissioned: '已开通',
    state: '当前状态',
    latency: '时延 ms',
    loss: '丢包率',
    lastSample: '最近采样',
    vantages: '探测此节点的采集代理',
    agent: '代理',
    word: '最新结果',
    at: '采样时间',
    since: '本状态始于',
    noVantage: '尚无采集代理报告此节点。',
    charts: '可用性、时延与丢包',
    up: '可用率 %',
    lossPercent: '丢包率 %',
    history: '告警历史',
    noAlerts: '此节点没有告警。',
    range1h: '1 小时',
    range24h: '24 小时',
    range7d: '7 天',
    ranges: '时间范围',
    chartsNeedScripts: '图表需要启用脚本。',
    noData: '此时间范围内没有采样。',
    times: '时间均为北京时间。',
  },
  {
    title: 'Network node',
    code: 'Code',
    name: 'Name',
    region: 'Region',
    tier: 'Tier',
    probe: 'Probe address',
    commissioned: 'Commissioned',
    state: 'State now',
    latency: 'Latency ms',
    loss: 'Loss',
    lastSample: 'Last sample',
    vantages: 'Agents probing this node',
    agent: 'Agent',
    word: 'Latest word',
    at: 'Sampled',
    since: 'In this state since',
    noVantage: 'No agent has reported on this node yet.',
    charts: 'Availability, latency and loss',
    up: 'Up %',
    lossPercent: 'Loss %',
    history: 'Alert history',
    noAlerts: 'This node has had no alert.',
    range1h: '1 hour',
    range24h: '24 hours',
    range7d: '7 days',
    ranges: 'Time range',
    chartsNeedScripts: 'The charts need scripts enabled.',
    noData: 'No samples in this range.',
    times: 'Times are Beijing time.',
  },
);

const ranges = ['1h', '24h', '7d'] as const;
type Range = (typeof ranges)[number];
const formatLoss = (loss: number | null) => (loss === null ? '—' : `${(loss * 100).toFixed(1)}%`);
const formatLatency = (ms: number | null) => (ms === null ? '—' : ms.toFixed(1));

/**
 * GET /console/nodes/{code}: a node's facts, each agent's latest word on it, its samples drawn
 * over 1 h / 24 h / 7 d by node.js (from the samples API), and its alert history. Readers are
 * those of network nodes; anyone else gets the 403 page.
 */
export async function nodePage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  assertCan(actor.access, 'read', 'network-nodes');
  const code = c.req.param('code') ?? '';
  const node = await readRecord(db, 'network-nodes', code, actor);
  const range: Range = ranges.find((r) => r === c.req.query('range')) ?? '1h';
  const [region, vantages, history] = await Promise.all([
    getRegion(db, node.region_code).catch(() => null),
    nodeVantages(db, code),
    can(actor.access, 'read', 'alerts') ? listAlerts(db, actor.access, { node: code, limit: 50, offset: 0 }) : Promise.resolve(null),
  ]);
  const rangeName: Record<Range, string> = { '1h': m.range1h, '24h': m.range24h, '7d': m.range7d };
  const here = (r: Range) => `/console/nodes/${encodeURIComponent(code)}?range=${r}`;

  return ctx.render({
    title: `${m.title} ${node.name}`,
    scripts: ['node.js'],
    charts: true,
    config: { code, range, m: { up: m.up, latency: m.latency, lossPercent: m.lossPercent, noData: m.noData } },
    children: (
      <>
        <h1>
          {m.title} · {node.name} <small>{node.code}</small>
        </h1>
        <div class="two">
          <Panel id="facts" title={m.title}>
            <dl class="record" id="node-facts">
              <Fact term={m.code}>{node.code}</Fact>
              <Fact term={m.name}>{node.name}</Fact>
              <Fact term={m.region}>
                {region?.name ?? node.region_code} <small>{node.region_code}</small>
              </Fact>
              <Fact term={m.tier}>{node.tier}</Fact>
              <Fact term={m.probe}>{node.probe_address ?? '—'}</Fact>
              <Fact term={m.commissioned}>{valueName(node.commissioned, lang)}</Fact>
              <Fact term={m.state} id="node-state" class={`state-${node.live_state}`}>
                {valueName(node.live_state, lang)}
              </Fact>
              <Fact term={m.latency}>{formatLatency(node.latency_ms)}</Fact>
              <Fact term={m.loss}>{formatLoss(node.loss)}</Fact>
              <Fact term={m.lastSample}>{beijingTime(node.last_sample_at)}</Fact>
            </dl>
          </Panel>
          <Panel id="vantages" title={m.vantages} count={vantages.length}>
            <DataTable
              id="vantages"
              columns={[m.agent, m.word, m.latency, m.loss, m.at, m.since]}
              rows={vantages}
              empty={m.noVantage}
              row={(v) => (
                <tr data-agent={v.agent}>
                  <td>{v.agent}</td>
                  <td class={v.up ? 'state-up' : 'state-down'}>{valueName(v.up ? 'up' : 'down', lang)}</td>
                  <td>{formatLatency(v.latency_ms)}</td>
                  <td>{formatLoss(v.loss)}</td>
                  <td>{beijingTime(v.at)}</td>
                  <td>{beijingTime(v.since)}</td>
                </tr>
              )}
            />
            <p class="hint">{m.times}</p>
          </Panel>
        </div>
        <Panel id="charts" title={m.charts}>
          <nav class="ranges" aria-label={m.ranges}>
            {ranges.map((r) => (
              <>
                <a href={here(r)} aria-current={r === range ? 'true' : undefined}>
                  {rangeName[r]}
                </a>{' '}
              </>
            ))}
          </nav>
          <noscript>
            <p class="hint">{m.chartsNeedScripts}</p>
          </noscript>
          <div class="node-charts">
            <div class="chart" id="chart-up" role="img" aria-label={m.up} />
            <div class="chart" id="chart-latency" role="img" aria-label={m.latency} />
            <div class="chart" id="chart-loss" role="img" aria-label={m.lossPercent} />
          </div>
          <p class="hint" id="chart-status" role="status" />
        </Panel>
        {history ? (
          <Panel id="history" title={m.history} count={history.total}>
            <AlertTable
              id="node-alerts"
              alerts={history.items}
              lang={lang}
              href={(alert) => `/console/alerts?id=${alert.id}`}
              empty={m.noAlerts}
            />
          </Panel>
        ) : null}
      </>
    ),
  });
}
