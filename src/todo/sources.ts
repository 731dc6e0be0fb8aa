import { and, eq, isNull, ne, or, sql } from 'drizzle-orm';
import { openAlertCounts } from '../alerts/service.ts';
import { listAuditEntries } from '../audit/query.ts';
import type { Db } from '../db/client.ts';
import { startsWithLiteral } from '../db/prefix.ts';
import { departments, systems, users } from '../db/schema/index.ts';
import { assertCan, can, departmentLimit } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { listPendingPasswordResets } from '../identity/password-resets.ts';
import { adminRoles } from '../identity/roles.ts';
import { listFailedImports } from '../imports/runs.ts';
import { listAgents } from '../ingest/agents.ts';
import { addDays, businessDate } from '../kernel/dates.ts';
import { listSnapshots } from '../leadership/snapshots.ts';
import { targetStatus } from '../leadership/targets.ts';
import { listRegions } from '../regions/service.ts';
import { listRecords } from '../registry/service.ts';
import { listDecommissionRequests } from '../review/decommission.ts';
import { listReviewQueue } from '../review/queue.ts';
import { certifiedKinds, listReReviews } from '../review/service.ts';
import type { Label } from '../vocabulary/index.ts';
import { openWorkOrderSummary } from '../work-orders/queries.ts';
import { counted, type TodoEntry, type TodoKind } from './entries.ts';

// Each desk's sources, read through their areas' services with the caller's actor, so each
// count is scoped as the area's own list is (a department user: his department subtree).

/** How far ahead a re-review counts as due soon. */
export const reReviewHorizonDays = 14;

/** 审核人员: each certified kind's queue, re-reviews overdue and due soon, decommission requests to decide. */
export async function reviewerEntries(db: Db, actor: Actor, today = businessDate()): Promise<TodoEntry[]> {
  const queues = await Promise.all(
    certifiedKinds().map(async (kind) => {
      const page = await listReviewQueue(db, { kind: kind.segment, limit: 1, offset: 0 }, actor);
      return counted(page.total, {
        kind: 'review_queue',
        title: { zh: `待认定的${kind.label.zh}`, en: `${kind.label.en} records awaiting certification` },
        href: `/console/review?kind=${kind.segment}`,
        due_at: page.items[0]?.waiting_since,
      });
    }),
  );
  const overdue = await listReViewsPage(db, actor, addDays(today, -1), 0);
  const soon = await listReViewsPage(db, actor, addDays(today, reReviewHorizonDays), overdue.total);
  const requests = await listDecommissionRequests(db, { status: 'open', limit: 1, offset: 0 }, actor);
  return [
    ...queues.flat(),
    ...counted(overdue.total, {
      kind: 're_reviews_overdue',
      title: { zh: '已逾期的回头看', en: 'Overdue re-reviews' },
      href: '/console/review#rereviews',
      due_at: overdue.items[0]?.due_at,
    }),
    ...counted(soon.total - overdue.total, {
      kind: 're_reviews_due',
      title: { zh: `${reReviewHorizonDays} 天内到期的回头看`, en: `Re-reviews due within ${reReviewHorizonDays} days` },
      href: '/console/review#rereviews',
      due_at: soon.items[0]?.due_at,
    }),
    ...counted(requests.total, {
      kind: 'decommission_requests',
      title: { zh: '待决定的僵尸系统下线申请', en: 'Idle-system decommission requests to decide' },
      href: '/console/idle',
    }),
  ];
}

/** Open re-reviews due by a date; the item at `offset` is the earliest after the first `offset`. */
const listReViewsPage = (db: Db, actor: Actor, dueBy: string, offset: number) =>
  listReReviews(db, { open: true, due_before: dueBy, limit: 1, offset }, actor);

/**
 * An entry for some open work orders, linking to one tab of the work-orders page: their count,
 * due at the earliest deadline among them.
 */
const workOrderEntry = (
  summary: { count: number; earliest_due_at: string | null },
  kind: TodoKind,
  tab: 'mine' | 'breached',
  title: Label,
): TodoEntry[] =>
  counted(summary.count, { kind, title, href: `/console/work-orders?tab=${tab}`, due_at: summary.earliest_due_at ?? undefined });

/** 运维: firing alerts, the orders assigned to him, and the open orders past a deadline. */
export async function opsEntries(db: Db, actor: Actor, now = new Date()): Promise<TodoEntry[]> {
  const [alerts, mine, breached] = await Promise.all([
    openAlertCounts(db, actor.access),
    openWorkOrderSummary(db, actor.access, { assignee: 'me' }, now),
    openWorkOrderSummary(db, actor.access, { breached: true }, now),
  ]);
  return [
    ...counted(alerts.firing, {
      kind: 'alerts_firing',
      title: { zh: '正在告警', en: 'Alerts firing' },
      href: '/console/alerts?state=firing',
    }),
    ...workOrderEntry(mine, 'work_orders_assigned', 'mine', { zh: '指派给我的未完成工单', en: 'Open work orders assigned to me' }),
    ...workOrderEntry(breached, 'work_orders_breached', 'breached', {
      zh: '已超时的未完成工单',
      en: 'Open work orders past their deadline',
    }),
  ];
}

/**
 * 部门: its records awaiting 认定, its systems missing what the figures read, the orders
 * assigned to it (rectification apart), and its failed imports.
 */
export async function departmentEntries(db: Db, actor: Actor, now = new Date()): Promise<TodoEntry[]> {
  const [pending, incomplete, assigned, rectification, failed] = await Promise.all([
    Promise.all(
      certifiedKinds().map(async (kind) => ({
        kind,
        total: (await listRecords(db, kind, { classification: 'pending', limit: 1, offset: 0 }, actor)).total,
      })),
    ),
    incompleteSystems(db, actor),
    openWorkOrderSummary(db, actor.access, { assignee: 'me', otherThan: 'rectification' }, now),
    openWorkOrderSummary(db, actor.access, { assignee: 'me', category: 'rectification' }, now),
    listFailedImports(db, actor, 'systems', now),
  ]);
  return [
    ...pending.flatMap(({ kind, total }) =>
      counted(total, {
        kind: 'records_awaiting_certification',
        title: { zh: `本部门待认定的${kind.label.zh}`, en: `Our ${kind.label.en} records awaiting certification` },
        href: `/console/workspace#${kind.segment}`,
      }),
    ),
    ...counted(incomplete, {
      kind: 'records_incomplete',
      title: {
        zh: '信息缺失的信息系统（已迁移或迁移中未填云平台，或未填等保级别）',
        en: 'Systems missing what the figures read (migrated or migrating without a cloud, or without a protection level)',
      },
      href: '/console/workspace#systems',
    }),
    ...workOrderEntry(assigned, 'work_orders_assigned', 'mine', {
      zh: '指派给本部门的未完成工单',
      en: 'Open work orders assigned to our department',
    }),
    ...workOrderEntry(rectification, 'rectification_orders', 'mine', { zh: '待完成的整改工单', en: 'Rectification orders to complete' }),
    ...counted(failed.length, {
      kind: 'failed_imports',
      title: { zh: '近 7 天被拒绝、尚未重新导入成功的导入', en: 'Imports rejected in the last 7 days and not yet redone' },
      href: '/console/workspace#import',
    }),
  ];
}

/**
 * "What is missing": the department's systems still in use that lack a field a figure reads —
 * migrated or migrating without a cloud (上云率), or without a 等保 protection level (等保测评).
 */
async function incompleteSystems(db: Db, actor: Actor): Promise<number> {
  const limit = departmentLimit(actor.access, 'read', 'systems');
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(systems)
    .innerJoin(departments, sql`${departments.id} = ${systems.departmentId}`)
    .where(
      and(
        ne(systems.state, 'retired'),
        or(and(sql`${systems.state} in ('migrating', 'migrated')`, isNull(systems.cloudId)), isNull(systems.securityLevel)),
        limit === null ? undefined : startsWithLiteral(departments.path, limit),
      ),
    );
  return row?.n ?? 0;
}

/** 领导: the indicators behind their target across the province, and the latest frozen month's report. */
export async function leaderEntries(db: Db, today = businessDate()): Promise<TodoEntry[]> {
  const [province] = await listRegions(db, { level: 'province' });
  const status = province ? await targetStatus(db, { scope: province.code, at: today }) : null;
  const behind = status?.indicators.filter((i) => i.behind) ?? [];
  const deadlines = behind.map((i) => i.next_deadline).filter((d): d is string => d !== null);
  const frozen = (await listSnapshots(db)).filter((s) => s.status === 'frozen').at(-1);
  return [
    ...counted(behind.length, {
      kind: 'indicators_behind_target',
      title: { zh: '落后于目标的指标', en: 'Indicators behind their target' },
      href: '/console/overview',
      due_at: deadlines.sort()[0],
    }),
    ...(frozen
      ? [
          {
            kind: 'supervision_report' as const,
            title: { zh: `${frozen.month} 红黑榜与督查通报`, en: `The red/black list and supervision report of ${frozen.month}` },
            href: `/api/v1/reports/supervision?month=${frozen.month}&format=html`,
          },
        ]
      : []),
  ];
}

/** 管理员: administrators' password resets another administrator (not their requester or user) must approve. */
export async function passwordResetEntries(db: Db, actor: Actor): Promise<TodoEntry[]> {
  const me = actor.access.root ? null : actor.name;
  const resets = (await listPendingPasswordResets(db, actor)).filter((r) => r.requested_by !== me && r.user !== me);
  return counted(resets.length, {
    kind: 'password_resets',
    title: { zh: '待您批准的管理员密码重置', en: "Administrators' password resets awaiting your approval" },
    href: '/api/v1/password-resets',
  });
}

/**
 * 系统管理员 and 安全管理员: administrators who sign in with a password alone (exempted from, or
 * not yet enrolled in, the second factor 等保 asks of them); the system administrator also the
 * agents that have fallen silent.
 */
export async function administratorEntries(db: Db, actor: Actor): Promise<TodoEntry[]> {
  assertCan(actor.access, 'read', 'users');
  const [single] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(
      and(
        eq(users.disabled, false),
        sql`${users.roles} && array[${sql.join(
          adminRoles.map((r) => sql`${r}`),
          sql`, `,
        )}]::text[]`,
        or(eq(users.totpExempt, true), eq(users.totpEnabled, false)),
      ),
    );
  const silent = can(actor.access, 'read', 'agents') ? (await listAgents(db, { status: 'unknown', limit: 1, offset: 0 })).total : 0;
  return [
    ...(await passwordResetEntries(db, actor)),
    ...counted(single?.n ?? 0, {
      kind: 'administrators_without_second_factor',
      title: { zh: '未启用双因素认证的管理员账号', en: 'Administrator accounts without a second factor' },
      href: '/api/v1/users',
    }),
    ...counted(silent, {
      kind: 'agents_silent',
      title: { zh: '失联的采集代理（超过 3 个上报周期未上报）', en: 'Agents silent for over three report intervals' },
      href: '/console/ops',
    }),
  ];
}

/** How many of today's sign-in entries an auditor's count reads at most. */
const loginEntriesRead = 5000;

/** 审计员: today's failed sign-ins, each a line of the audit trail to look into. */
export async function auditorEntries(db: Db, actor: Actor, today = businessDate()): Promise<TodoEntry[]> {
  const { items } = await listAuditEntries(db, { from: today, to: today, action: 'login', limit: loginEntriesRead, offset: 0 }, actor);
  const failed = items.filter((e) => e.result === 'failed').length;
  const all = await listAuditEntries(db, { from: today, to: today, limit: 1, offset: 0 }, actor);
  return [
    ...counted(failed, {
      kind: 'failed_logins',
      title: { zh: '今日登录失败', en: 'Failed sign-ins today' },
      href: `/api/v1/audit?action=login&from=${today}&to=${today}`,
    }),
    ...counted(all.total, {
      kind: 'audit_entries_today',
      title: { zh: '今日审计记录（审阅并核验审计链）', en: "Today's audit entries to review (and verify the chain)" },
      href: `/api/v1/audit?from=${today}&to=${today}`,
    }),
  ];
}
