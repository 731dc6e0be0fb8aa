import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { AlertSubjectKind } from '../../db/schema/enums.ts';
import { businessDate } from '../../kernel/dates.ts';
import { recordKinds } from '../../registry/kinds/index.ts';
import { type RuleBook, thresholdOf } from '../rules.ts';
import { type Condition, conditionsPerRow, pct } from './condition.ts';

/** Tenants using a large share of a quota: warning from `warning_ratio`, critical from `critical_ratio`. */
export async function tenantConditions(db: Db, book: RuleBook): Promise<Condition[]> {
  const warning = thresholdOf(book, 'tenant_quota', 'warning_ratio');
  const critical = thresholdOf(book, 'tenant_quota', 'critical_ratio');
  return conditionsPerRow<{
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
    book,
    'tenant_quota',
    sql`select * from (
          select t.external_id, c.code as cloud, c.region_code, t.department_id, d.name as department,
                 case when t.vcpu_quota > 0 then t.vcpu_used / t.vcpu_quota end as vcpu,
                 case when t.memory_quota_gib > 0 then t.memory_used_gib / t.memory_quota_gib end as memory,
                 case when t.storage_quota_gib > 0 then t.storage_used_gib / t.storage_quota_gib end as storage
          from cloud_tenants t join clouds c on c.id = t.cloud_id join departments d on d.id = t.department_id
        ) q where greatest(vcpu, memory, storage) >= ${warning}`,
    (r) => {
      const used = { vcpu: r.vcpu, memory: r.memory, storage: r.storage };
      const over = Object.entries(used).filter(([, v]) => v !== null && v >= warning) as [string, number][];
      const worst = Math.max(...over.map(([, v]) => v));
      const code = `${r.cloud}/${r.external_id}`;
      return {
        key: code,
        severity: worst >= critical ? 'critical' : book.tenant_quota.severity,
        subject: { kind: 'tenant', code, name: `${r.department} · ${r.external_id}` },
        regionCode: r.region_code,
        departmentId: r.department_id,
        cloudCode: r.cloud,
        summary: `租户 ${code} 配额使用率 quota usage ${over.map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`,
        details: { usage: used, warning_ratio: warning, critical_ratio: critical },
      };
    },
  );
}

/** Systems marked migrated (已上云) `days` ago or more that no cloud agent has seen running. */
export async function unverifiedConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  const days = thresholdOf(book, 'system_unverified', 'days');
  return conditionsPerRow<{
    code: string;
    name: string;
    state_at: string;
    department_id: number;
    region_code: string;
    cloud: string | null;
  }>(
    db,
    book,
    'system_unverified',
    sql`select s.code, s.name, s.state_at::text, s.department_id, d.region_code, c.code as cloud
        from systems s join departments d on d.id = s.department_id left join clouds c on c.id = s.cloud_id
        where s.state = 'migrated' and s.verified_at is null and s.state_at <= ${businessDate(now)}::date - ${days}::int`,
    (r) => ({
      key: r.code,
      subject: { kind: 'system', code: r.code, name: r.name },
      regionCode: r.region_code,
      departmentId: r.department_id,
      cloudCode: r.cloud,
      summary: `系统 ${r.name} 自 ${r.state_at} 标记已上云，超过 ${days} 天未见云上负载 · claimed migrated, no workload seen for ${days}+ days`,
      details: { migrated_on: r.state_at, days },
    }),
  );
}

/**
 * Level-3+ systems overdue for their 等保 assessment: no assessment, or the last one more than
 * `months` months before today (the figure 等保测评率 counts the same systems as not assessed).
 */
export async function assessmentConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  const months = thresholdOf(book, 'assessment_overdue', 'months');
  return conditionsPerRow<{
    code: string;
    name: string;
    security_level: number;
    assessed_on: string | null;
    department_id: number;
    region_code: string;
  }>(
    db,
    book,
    'assessment_overdue',
    sql`select s.code, s.name, s.security_level, s.assessed_on::text, s.department_id, d.region_code
        from systems s join departments d on d.id = s.department_id
        where s.classification = 'non_classified' and s.state <> 'retired' and s.security_level >= 3
          and (s.assessed_on is null
               or s.assessed_on < (${businessDate(now)}::date - make_interval(months => ${months}::int))::date)`,
    (r) => ({
      key: r.code,
      subject: { kind: 'system', code: r.code, name: r.name },
      regionCode: r.region_code,
      departmentId: r.department_id,
      summary: r.assessed_on
        ? `${r.security_level}级系统 ${r.name} 上次等保测评 ${r.assessed_on}，已超过 ${months} 个月 · level-${r.security_level} system last assessed ${r.assessed_on}, over ${months} months ago`
        : `${r.security_level}级系统 ${r.name} 没有等保测评记录 · level-${r.security_level} system never assessed`,
      details: { security_level: r.security_level, assessed_on: r.assessed_on, months },
    }),
  );
}

/** The record a certification names, from the table of each kind a reviewer certifies. */
const certifiedRecord = () =>
  sql.join(
    recordKinds()
      .filter((k) => k.lifecycle.classified && k.ownerColumn)
      .map(
        (k) => sql`select code, name, ${k.ownerColumn} as department_id from ${k.table} where c.kind = ${k.tracked} and id = c.entity_id`,
      ),
    sql` union all `,
  );

/** Re-reviews (回头看) past their due date (the Asia/Shanghai business day) with no result. */
export async function reReviewConditions(db: Db, book: RuleBook, now: Date): Promise<Condition[]> {
  return conditionsPerRow<{
    id: number;
    due_at: string;
    kind: AlertSubjectKind;
    code: string;
    name: string;
    department_id: number;
    region_code: string;
  }>(
    db,
    book,
    're_review_overdue',
    sql`select rr.id, rr.due_at::text, c.kind, e.code, e.name, e.department_id, d.region_code
        from re_reviews rr join certifications c on c.id = rr.certification_id
        join lateral (${certifiedRecord()}) e on true
        join departments d on d.id = e.department_id
        where rr.result is null and rr.due_at < ${businessDate(now)}::date`,
    (r) => ({
      key: String(r.id),
      subject: { kind: r.kind, code: r.code, name: r.name },
      regionCode: r.region_code,
      departmentId: r.department_id,
      summary: `${r.name} 的回头看已超过期限 ${r.due_at} · re-review overdue since ${r.due_at}`,
      details: { re_review: r.id, due_at: r.due_at },
    }),
  );
}
