import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { queryRows } from '../../db/raw.ts';
import { type RuleBook, thresholdOf } from '../rules.ts';
import { type Condition, condition, conditionsPerRow, instant, pct } from './condition.ts';

interface VantageRow {
  code: string;
  name: string;
  region_code: string;
  down: boolean;
  down_since: Date | string | null;
  agents: string[];
  down_agents: string[];
  max_loss: number | null;
  max_latency: number | null;
  degraded_agents: string[];
}

/**
 * node_down and node_degraded from each agent's latest word on each node (node_vantages).
 * An agent whose word on a node is 3 intervals older than its newest word anywhere no longer
 * probes that node and is left out (one clock: the agent's); a silent agent keeps its last word, so what only it saw stays (and is inhibited).
 * Down needs every vantage to say down (quorum), from the latest of their down streaks.
 */
export async function nodeConditions(db: Db, book: RuleBook): Promise<Condition[]> {
  const down = book.node_down.enabled;
  const degraded = book.node_degraded.enabled;
  if (!down && !degraded) return [];
  const loss = thresholdOf(book, 'node_degraded', 'loss_ratio');
  const latency = thresholdOf(book, 'node_degraded', 'latency_ms');
  const rows = await queryRows<VantageRow>(
    db,
    sql`with v as (
          select node_id, up, loss, latency_ms, since, agent from (
            select nv.node_id, nv.up, nv.loss, nv.latency_ms, nv.since, nv.at, a.name as agent, a.next_report_seconds,
                   max(nv.at) over (partition by nv.agent_id) as agent_latest
            from node_vantages nv join agents a on a.id = nv.agent_id
            where a.revoked_at is null
          ) w
          where at >= agent_latest - make_interval(secs => 3 * coalesce(next_report_seconds, 60))
        ), per_node as (
          select node_id,
                 bool_and(not up) as down,
                 max(since) filter (where not up) as down_since,
                 array_agg(agent order by agent) as agents,
                 coalesce(array_agg(agent order by agent) filter (where not up), '{}') as down_agents,
                 max(loss) filter (where up) as max_loss,
                 max(latency_ms) filter (where up) as max_latency,
                 coalesce(array_agg(agent order by agent) filter (where up and (loss >= ${loss} or latency_ms >= ${latency})), '{}') as degraded_agents
          from v group by node_id
        )
        select n.code, n.name, n.region_code, p.down, p.down_since, p.agents, p.down_agents, p.max_loss, p.max_latency, p.degraded_agents
        from per_node p join network_nodes n on n.id = p.node_id
        where (${down} and p.down) or (${degraded} and not p.down and cardinality(p.degraded_agents) > 0)`,
  );
  return rows.map((r): Condition => {
    const base = {
      subject: { kind: 'node' as const, code: r.code, name: r.name },
      regionCode: r.region_code,
    };
    if (r.down) {
      return condition({
        ...base,
        key: r.code,
        rule: 'node_down',
        severity: book.node_down.severity,
        summary:
          r.agents.length === 1
            ? `节点 ${r.name} (${r.code}) 不可达，唯一探测点 ${r.agents[0]} 报告中断 · node down as seen by its only agent ${r.agents[0]}`
            : `节点 ${r.name} (${r.code}) 不可达，全部 ${r.agents.length} 个探测点均报告中断 · node down as seen by all ${r.agents.length} agents`,
        details: { agents: r.agents },
        since: r.down_since ? instant(r.down_since) : null,
        seenBy: r.down_agents,
      });
    }
    const facts = [
      r.max_loss !== null && r.max_loss >= loss ? `丢包 loss ${pct(r.max_loss)}` : null,
      r.max_latency !== null && r.max_latency >= latency ? `时延 latency ${Math.round(r.max_latency)} ms` : null,
    ].filter(Boolean);
    return condition({
      ...base,
      key: r.code,
      rule: 'node_degraded',
      severity: book.node_degraded.severity,
      summary: `节点 ${r.name} (${r.code}) 质量劣化 · degraded: ${facts.join(', ')}`,
      details: {
        agents: r.agents,
        max_loss: r.max_loss,
        max_latency_ms: r.max_latency,
        loss_threshold: loss,
        latency_threshold_ms: latency,
      },
      seenBy: r.degraded_agents,
    });
  });
}

/** Agents silent for more than `interval_factor` × the interval they declared (Alertmanager posts only when it has news: never silent). */
export async function agentConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  const factor = thresholdOf(book, 'agent_silent', 'interval_factor');
  return conditionsPerRow<{
    name: string;
    kind: string;
    last_seen_at: Date | string;
    interval: number;
    cloud: string | null;
    region_code: string | null;
  }>(
    db,
    book,
    'agent_silent',
    sql`select a.name, a.kind, a.last_seen_at, a.next_report_seconds as interval, c.code as cloud, c.region_code
        from agents a left join clouds c on c.id = a.cloud_id
        where a.revoked_at is null and a.kind <> 'alertmanager' and a.last_seen_at is not null and a.next_report_seconds is not null
          and a.last_seen_at < ${now}::timestamptz - make_interval(secs => ${factor} * a.next_report_seconds)`,
    (r) => {
      const lastSeen = instant(r.last_seen_at);
      const silentFor = Math.round((now.getTime() - lastSeen.getTime()) / 60_000);
      return {
        key: r.name,
        subject: { kind: 'agent', code: r.name, name: r.name },
        regionCode: r.region_code,
        cloudCode: r.cloud,
        agentName: r.name,
        summary: `采集器 ${r.name} 已 ${silentFor} 分钟未上报 · agent silent for ${silentFor} min (declared interval ${r.interval} s)`,
        details: { kind: r.kind, last_seen_at: lastSeen.toISOString(), interval_seconds: r.interval },
        since: new Date(lastSeen.getTime() + factor * r.interval * 1000),
      };
    },
  );
}
