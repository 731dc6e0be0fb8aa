import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { AlertRuleKey, AlertSeverity, AlertSubjectKind } from '../db/schema/enums.ts';
import { definitions, type IndicatorKey } from '../indicators/definitions.ts';
import { percentOf, ratioOf } from '../indicators/percent.ts';
import { frozenFigures } from '../leadership/frozen-figures.ts';
import { checkAgainst, loadTrajectoryIndex } from '../leadership/targets.ts';
import { todayIso } from '../registry/history.ts';
import type { RuleBook } from './rules.ts';

/** Something a rule sees right now; it becomes an alert once held for the rule's `for`. */
export interface Condition {
  fingerprint: string;
  rule: AlertRuleKey;
  severity: AlertSeverity;
  subject: { kind: AlertSubjectKind; code: string; name: string };
  regionCode: string | null;
  departmentId: number | null;
  cloudCode: string | null;
  agentName: string | null;
  summary: string;
  details: Record<string, unknown>;
  /** When the data says it began; null when only the engine's first sight can tell. */
  since: Date | null;
  /** Node conditions: the agents whose word it rests on (all silent → inhibited). */
  seenBy: string[];
}

const pct = (ratio: number) => `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
const instant = (v: Date | string) => new Date(v);

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
async function nodeConditions(db: Db, book: RuleBook): Promise<Condition[]> {
  const down = book.node_down.enabled;
  const degraded = book.node_degraded.enabled;
  if (!down && !degraded) return [];
  const loss = book.node_degraded.thresholds.loss_ratio ?? 0.2;
  const latency = book.node_degraded.thresholds.latency_ms ?? 300;
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
      departmentId: null,
      cloudCode: null,
      agentName: null,
    };
    if (r.down) {
      return {
        ...base,
        fingerprint: `node_down:${r.code}`,
        rule: 'node_down',
        severity: book.node_down.severity,
        summary:
          r.agents.length === 1
            ? `节点 ${r.name} (${r.code}) 不可达，唯一探测点 ${r.agents[0]} 报告中断 · node down as seen by its only agent ${r.agents[0]}`
            : `节点 ${r.name} (${r.code}) 不可达，全部 ${r.agents.length} 个探测点均报告中断 · node down as seen by all ${r.agents.length} agents`,
        details: { agents: r.agents },
        since: r.down_since ? instant(r.down_since) : null,
        seenBy: r.down_agents,
      };
    }
    const facts = [
      r.max_loss !== null && r.max_loss >= loss ? `丢包 loss ${pct(r.max_loss)}` : null,
      r.max_latency !== null && r.max_latency >= latency ? `时延 latency ${Math.round(r.max_latency)} ms` : null,
    ].filter(Boolean);
    return {
      ...base,
      fingerprint: `node_degraded:${r.code}`,
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
      since: null,
      seenBy: r.degraded_agents,
    };
  });
}

/** Agents silent for more than `interval_factor` × the interval they declared (Alertmanager posts only when it has news: never silent). */
async function agentConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  if (!book.agent_silent.enabled) return [];
  const factor = book.agent_silent.thresholds.interval_factor ?? 3;
  const rows = await queryRows<{
    name: string;
    kind: string;
    last_seen_at: Date | string;
    interval: number;
    cloud: string | null;
    region_code: string | null;
  }>(
    db,
    sql`select a.name, a.kind, a.last_seen_at, a.next_report_seconds as interval, c.code as cloud, c.region_code
        from agents a left join clouds c on c.id = a.cloud_id
        where a.revoked_at is null and a.kind <> 'alertmanager' and a.last_seen_at is not null and a.next_report_seconds is not null
          and a.last_seen_at < ${now}::timestamptz - make_interval(secs => ${factor} * a.next_report_seconds)`,
  );
  return rows.map((r) => {
    const lastSeen = instant(r.last_seen_at);
    const silentFor = Math.round((now.getTime() - lastSeen.getTime()) / 60_000);
    return {
      fingerprint: `agent_silent:${r.name}`,
      rule: 'agent_silent',
      severity: book.agent_silent.severity,
      subject: { kind: 'agent', code: r.name, name: r.name },
      regionCode: r.region_code,
      departmentId: null,
      cloudCode: r.cloud,
      agentName: r.name,
      summary: `采集器 ${r.name} 已 ${silentFor} 分钟未上报 · agent silent for ${silentFor} min (declared interval ${r.interval} s)`,
      details: { kind: r.kind, last_seen_at: lastSeen.toISOString(), interval_seconds: r.interval },
      since: new Date(lastSeen.getTime() + factor * r.interval * 1000),
      seenBy: [],
    };
  });
}

/** Tenants using a large share of a quota: warning from `warning_ratio`, critical from `critical_ratio`. */
async function tenantConditions(db: Db, book: RuleBook): Promise<Condition[]> {
  if (!book.tenant_quota.enabled) return [];
  const warning = book.tenant_quota.thresholds.warning_ratio ?? 0.85;
  const critical = book.tenant_quota.thresholds.critical_ratio ?? 0.95;
  const rows = await queryRows<{
    external_id: string;
    cloud: string;
    region_code: string;
    department_id: number;
    department: string;
    vcpu: number | null;
    memory: number | null;
    storage: number | null;
  }>(
    db,
    sql`select * from (
          select t.external_id, c.code as cloud, c.region_code, t.department_id, d.name as department,
                 case when t.vcpu_quota > 0 then t.vcpu_used / t.vcpu_quota end as vcpu,
                 case when t.memory_quota_gib > 0 then t.memory_used_gib / t.memory_quota_gib end as memory,
                 case when t.storage_quota_gib > 0 then t.storage_used_gib / t.storage_quota_gib end as storage
          from cloud_tenants t join clouds c on c.id = t.cloud_id join departments d on d.id = t.department_id
        ) q where greatest(vcpu, memory, storage) >= ${warning}`,
  );
  return rows.map((r) => {
    const used = { vcpu: r.vcpu, memory: r.memory, storage: r.storage };
    const over = Object.entries(used).filter(([, v]) => v !== null && v >= warning) as [string, number][];
    const worst = Math.max(...over.map(([, v]) => v));
    const code = `${r.cloud}/${r.external_id}`;
    return {
      fingerprint: `tenant_quota:${code}`,
      rule: 'tenant_quota',
      severity: worst >= critical ? 'critical' : book.tenant_quota.severity,
      subject: { kind: 'tenant', code, name: `${r.department} · ${r.external_id}` },
      regionCode: r.region_code,
      departmentId: r.department_id,
      cloudCode: r.cloud,
      agentName: null,
      summary: `租户 ${code} 配额使用率 quota usage ${over.map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`,
      details: { usage: used, warning_ratio: warning, critical_ratio: critical },
      since: null,
      seenBy: [],
    };
  });
}

/** Systems marked migrated (已上云) `days` ago or more that no cloud agent has seen running. */
async function unverifiedConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  if (!book.system_unverified.enabled) return [];
  const days = book.system_unverified.thresholds.days ?? 30;
  const rows = await queryRows<{
    code: string;
    name: string;
    state_at: string;
    department_id: number;
    region_code: string;
    cloud: string | null;
  }>(
    db,
    sql`select s.code, s.name, s.state_at::text, s.department_id, d.region_code, c.code as cloud
        from systems s join departments d on d.id = s.department_id left join clouds c on c.id = s.cloud_id
        where s.state = 'migrated' and s.verified_at is null and s.state_at <= ${todayIso(now)}::date - ${days}::int`,
  );
  return rows.map((r) => ({
    fingerprint: `system_unverified:${r.code}`,
    rule: 'system_unverified',
    severity: book.system_unverified.severity,
    subject: { kind: 'system', code: r.code, name: r.name },
    regionCode: r.region_code,
    departmentId: r.department_id,
    cloudCode: r.cloud,
    agentName: null,
    summary: `系统 ${r.name} 自 ${r.state_at} 标记已上云，超过 ${days} 天未见云上负载 · claimed migrated, no workload seen for ${days}+ days`,
    details: { migrated_on: r.state_at, days },
    since: null,
    seenBy: [],
  }));
}

/** Re-reviews (回头看) past their due date (the Asia/Shanghai business day) with no result. */
async function reReviewConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  if (!book.re_review_overdue.enabled) return [];
  const rows = await queryRows<{
    id: number;
    due_at: string;
    kind: 'system' | 'private_network';
    code: string;
    name: string;
    department_id: number;
    region_code: string;
  }>(
    db,
    sql`select rr.id, rr.due_at::text, c.kind, e.code, e.name, e.department_id, d.region_code
        from re_reviews rr join certifications c on c.id = rr.certification_id
        join lateral (
          select code, name, department_id from systems where c.kind = 'system' and id = c.entity_id
          union all
          select code, name, department_id from private_networks where c.kind = 'private_network' and id = c.entity_id
        ) e on true
        join departments d on d.id = e.department_id
        where rr.result is null and rr.due_at < ${todayIso(now)}::date`,
  );
  return rows.map((r) => ({
    fingerprint: `re_review_overdue:${r.id}`,
    rule: 're_review_overdue',
    severity: book.re_review_overdue.severity,
    subject: { kind: r.kind, code: r.code, name: r.name },
    regionCode: r.region_code,
    departmentId: r.department_id,
    cloudCode: null,
    agentName: null,
    summary: `${r.name} 的回头看已超过期限 ${r.due_at} · re-review overdue since ${r.due_at}`,
    details: { re_review: r.id, due_at: r.due_at },
    since: null,
    seenBy: [],
  }));
}

/** The province and each city behind the target trajectory in force at the latest frozen month. */
async function targetConditions(db: Db, book: RuleBook): Promise<Condition[]> {
  if (!book.target_behind.enabled) return [];
  const [snapshot] = await queryRows<{ id: number; month: string; as_of: string }>(
    db,
    sql`select id, month, as_of::text from snapshots where status = 'frozen' order by month desc, revision desc limit 1`,
  );
  if (!snapshot) return [];
  const [figures, index] = await Promise.all([frozenFigures(db, snapshot.id, { levels: ['province', 'city'] }), loadTrajectoryIndex(db)]);
  const conditions: Condition[] = [];
  for (const f of figures) {
    const level = f.level === 'province' ? 'province' : 'city';
    const check = checkAgainst(
      index.for({ scope: f.scope, level, provinceLevel: false }, f.indicator),
      ratioOf(f.numerator, f.denominator),
      snapshot.as_of,
    );
    if (!check.behind || check.target === null || check.gap === null) continue;
    const name = definitions[f.indicator as IndicatorKey].name;
    conditions.push({
      fingerprint: `target_behind:${f.scope}:${f.indicator}`,
      rule: 'target_behind',
      severity: book.target_behind.severity,
      subject: { kind: 'scope', code: f.scope, name: `${f.name} ${name}` },
      regionCode: f.regionCode,
      departmentId: null,
      cloudCode: null,
      agentName: null,
      summary: `${f.name} ${name} ${snapshot.month} 为 ${percentOf(f.numerator, f.denominator)?.toFixed(1)}%，低于目标 ${pct(check.target)}（差 ${check.gap_points} 个百分点）· behind target by ${check.gap_points} points`,
      details: {
        month: snapshot.month,
        indicator: f.indicator,
        numerator: f.numerator,
        denominator: f.denominator,
        target: check.target,
        gap_points: check.gap_points,
      },
      since: null,
      seenBy: [],
    });
  }
  return conditions;
}

/**
 * work_order_sla: open orders past a deadline (breached_at set by the SLA watch). It routes to
 * the assignee's department, and ops see it as every alert; it resolves once the order is
 * resolved, closed or cancelled. A P1 breach is critical.
 */
async function workOrderConditions(db: Db, book: RuleBook): Promise<Condition[]> {
  if (!book.work_order_sla.enabled) return [];
  const rows = await queryRows<{
    code: string;
    title: string;
    priority: string;
    state: string;
    region_code: string | null;
    department_id: number | null;
    breached_at: Date | string;
    response_due_at: Date | string;
    resolution_due_at: Date | string;
  }>(
    db,
    sql`select code, title, priority, state, region_code, assignee_department_id as department_id, breached_at, response_due_at, resolution_due_at
        from work_orders where state in ('new', 'accepted', 'transferred', 'suspended') and breached_at is not null`,
  );
  return rows.map((r) => ({
    fingerprint: `work_order_sla:${r.code}`,
    rule: 'work_order_sla',
    severity: r.priority === 'P1' ? 'critical' : book.work_order_sla.severity,
    subject: { kind: 'work_order', code: r.code, name: r.title },
    regionCode: r.region_code,
    departmentId: r.department_id,
    cloudCode: null,
    agentName: null,
    summary: `工单 ${r.code}（${r.priority}）已超过处理时限 · work order past its service-level deadline`,
    details: {
      priority: r.priority,
      state: r.state,
      response_due_at: instant(r.response_due_at).toISOString(),
      resolution_due_at: instant(r.resolution_due_at).toISOString(),
    },
    since: instant(r.breached_at),
    seenBy: [],
  }));
}

/** Every condition the built-in rules see now (Prometheus alerts arrive by webhook instead). */
export async function evaluateConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  const parts = [
    await nodeConditions(db, book),
    await agentConditions(db, book, now),
    await tenantConditions(db, book),
    await unverifiedConditions(db, book, now),
    await reReviewConditions(db, book, now),
    await targetConditions(db, book),
    await workOrderConditions(db, book),
  ];
  return parts.flat();
}
