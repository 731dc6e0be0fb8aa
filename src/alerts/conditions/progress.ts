import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { queryRows } from '../../db/raw.ts';
import { definitions, type IndicatorKey } from '../../indicators/definitions.ts';
import { percentOf, ratioOf } from '../../indicators/percent.ts';
import { frozenFigures } from '../../leadership/frozen-figures.ts';
import { checkAgainst, loadTrajectoryIndex } from '../../leadership/targets.ts';
import type { RuleBook } from '../rules.ts';
import { type Condition, condition, conditionsPerRow, instant, pct } from './condition.ts';

/** The province and each city behind the target trajectory in force at the latest frozen month. */
export async function targetConditions(db: Db, book: RuleBook): Promise<Condition[]> {
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
    conditions.push(
      condition({
        key: `${f.scope}:${f.indicator}`,
        rule: 'target_behind',
        severity: book.target_behind.severity,
        subject: { kind: 'scope', code: f.scope, name: `${f.name} ${name}` },
        regionCode: f.regionCode,
        summary: `${f.name} ${name} ${snapshot.month} 为 ${percentOf(f.numerator, f.denominator)?.toFixed(1)}%，低于目标 ${pct(check.target)}（差 ${check.gap_points} 个百分点）· behind target by ${check.gap_points} points`,
        details: {
          month: snapshot.month,
          indicator: f.indicator,
          numerator: f.numerator,
          denominator: f.denominator,
          target: check.target,
          gap_points: check.gap_points,
        },
      }),
    );
  }
  return conditions;
}

/**
 * work_order_sla: open orders past a deadline (breached_at set by the SLA watch). It routes to
 * the assignee's department, and ops see it as every alert; it resolves once the order is
 * resolved, closed or cancelled. A P1 breach is critical.
 */
export async function workOrderConditions(db: Db, book: RuleBook): Promise<Condition[]> {
  return conditionsPerRow<{
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
    book,
    'work_order_sla',
    sql`select code, title, priority, state, region_code, assignee_department_id as department_id, breached_at, response_due_at, resolution_due_at
        from work_orders where state in ('new', 'accepted', 'transferred', 'suspended') and breached_at is not null`,
    (r) => ({
      key: r.code,
      severity: r.priority === 'P1' ? 'critical' : book.work_order_sla.severity,
      subject: { kind: 'work_order', code: r.code, name: r.title },
      regionCode: r.region_code,
      departmentId: r.department_id,
      summary: `工单 ${r.code}（${r.priority}）已超过处理时限 · work order past its service-level deadline`,
      details: {
        priority: r.priority,
        state: r.state,
        response_due_at: instant(r.response_due_at).toISOString(),
        resolution_due_at: instant(r.resolution_due_at).toISOString(),
      },
      since: instant(r.breached_at),
    }),
  );
}
