import { createHash } from 'node:crypto';
import { and, desc, eq, getTableColumns, max, ne, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { LeadershipSettings } from '../config.ts';
import type { Db } from '../db/client.ts';
import { type SupervisionReportState, supervisionReports, users } from '../db/schema/index.ts';
import { assertCan, can } from '../identity/access.ts';
import { type Actor, systemActor } from '../identity/actor.ts';
import { businessDate } from '../kernel/dates.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import { openRectificationOrder } from '../work-orders/service.ts';
import { buildSupervisionReport } from './report.ts';
import { supervisionHtml } from './report-html.ts';
import { supervisionXlsx } from './report-xlsx.ts';

// 督查通报 from draft to publication: a reviewer drafts (and regenerates while a draft) and
// submits; a leader who drafted none of it signs it off (签发) — numbered, kept as the exact
// bytes, immutable — or returns it with a comment. Each step is audited.

export interface SupervisionReportView {
  id: number;
  month: string;
  version: number;
  state: SupervisionReportState;
  drafted_by: string[];
  drafted_at: string;
  submitted_by: string | null;
  submitted_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  return_comment: string | null;
  number: string | null;
  /** SHA-256 of the XLSX, the document of record; the HTML's is `html_sha256`. */
  sha256: string;
  html_sha256: string;
  supersedes: { id: number; number: string | null } | null;
  black_list: { code: string; name: string }[];
}

/** A report's row without its bytes: what every step but a download reads. */
const { html: _html, xlsx: _xlsx, ...rowColumns } = getTableColumns(supervisionReports);
type Row = Omit<typeof supervisionReports.$inferSelect, 'html' | 'xlsx'>;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The published report's number, as a government document carries it. */
export const reportNumber = (year: number, serial: number) => `督查通报〔${year}〕${serial}号`;

/** Who may see drafts (and the live preview): reviewers and leaders; everyone else, published reports only. */
const seesDrafts = (actor: Actor) => can(actor.access, 'read', 'report-drafts');

async function viewsOf(db: Db, rows: Row[]): Promise<SupervisionReportView[]> {
  const ids = [...new Set(rows.flatMap((r) => [...r.drafters, r.submittedBy, r.decidedBy].filter((x): x is number => x !== null)))];
  const names = new Map(
    ids.length === 0
      ? []
      : (await db.select({ id: users.id, name: users.name }).from(users).where(sql`${users.id} in ${ids}`)).map((u) => [u.id, u.name]),
  );
  const superseded = new Map<number, string | null>();
  for (const r of rows) {
    if (r.supersedesId === null || superseded.has(r.supersedesId)) continue;
    const [s] = await db
      .select({ number: supervisionReports.number })
      .from(supervisionReports)
      .where(eq(supervisionReports.id, r.supersedesId));
    superseded.set(r.supersedesId, s?.number ?? null);
  }
  const name = (id: number | null) => (id === null ? null : (names.get(id) ?? `#${id}`));
  return rows.map((r) => ({
    id: r.id,
    month: r.month,
    version: r.version,
    state: r.state,
    drafted_by: r.drafters.map((id) => name(id) as string),
    drafted_at: r.draftedAt.toISOString(),
    submitted_by: name(r.submittedBy),
    submitted_at: iso(r.submittedAt),
    decided_by: name(r.decidedBy),
    decided_at: iso(r.decidedAt),
    return_comment: r.returnComment,
    number: r.number,
    sha256: r.xlsxSha256,
    html_sha256: r.htmlSha256,
    supersedes: r.supersedesId === null ? null : { id: r.supersedesId, number: superseded.get(r.supersedesId) ?? null },
    black_list: r.blackList,
  }));
}

const viewOf = async (db: Db, row: Row) => (await viewsOf(db, [row]))[0] as SupervisionReportView;

/** The reports, newest first; a caller who may not see drafts sees published ones only. */
export async function listSupervisionReports(
  db: Db,
  filter: { month?: string; state?: SupervisionReportState },
  actor: Actor,
): Promise<{ items: SupervisionReportView[] }> {
  assertCan(actor.access, 'read', 'supervision-reports');
  const conditions: (SQL | undefined)[] = [
    filter.month ? eq(supervisionReports.month, filter.month) : undefined,
    filter.state ? eq(supervisionReports.state, filter.state) : undefined,
    seesDrafts(actor) ? undefined : eq(supervisionReports.state, 'published'),
  ];
  const rows = await db
    .select(rowColumns)
    .from(supervisionReports)
    .where(and(...conditions))
    .orderBy(desc(supervisionReports.month), desc(supervisionReports.version))
    .limit(500);
  return { items: await viewsOf(db, rows) };
}

/** One report, if the caller may see it (a draft is as absent to those who may not see drafts). */
async function visibleReport(db: Db, id: number, actor: Actor, lock = false): Promise<Row> {
  const query = db.select(rowColumns).from(supervisionReports).where(eq(supervisionReports.id, id)).$dynamic();
  const [row] = await (lock ? query.for('update') : query);
  if (!row || (row.state !== 'published' && !seesDrafts(actor))) throw notFound('supervision report', String(id));
  return row;
}

export async function getSupervisionReportRecord(db: Db, id: number, actor: Actor): Promise<SupervisionReportView> {
  assertCan(actor.access, 'read', 'supervision-reports');
  return viewOf(db, await visibleReport(db, id, actor));
}

/** The report's stored bytes, exactly as drafted (or as published), checked against their SHA-256. */
export async function supervisionReportBytes(
  db: Db,
  id: number,
  format: 'xlsx' | 'html',
  actor: Actor,
): Promise<{ month: string; number: string | null; bytes: Uint8Array; sha256: string }> {
  assertCan(actor.access, 'read', 'supervision-reports');
  const row = await visibleReport(db, id, actor);
  const [stored] = await db
    .select({ bytes: format === 'xlsx' ? supervisionReports.xlsx : supervisionReports.html })
    .from(supervisionReports)
    .where(eq(supervisionReports.id, id));
  const bytes = new Uint8Array(stored?.bytes ?? []);
  const expected = format === 'xlsx' ? row.xlsxSha256 : row.htmlSha256;
  if (sha256(bytes) !== expected)
    throw new AppError('internal', `supervision report ${id}: the stored ${format} no longer matches its SHA-256`);
  await recordAudit(db, actor, [
    {
      action: 'supervision_report.download',
      entityKind: 'supervision_report',
      entityCode: String(id),
      after: { format, number: row.number },
    },
  ]);
  return { month: row.month, number: row.number, bytes, sha256: expected };
}

/** The report of a month, rendered now from its frozen snapshot: the bytes a draft keeps. */
async function render(db: Db, month: string, settings: LeadershipSettings) {
  const report = await buildSupervisionReport(db, month, settings);
  const html = new TextEncoder().encode(supervisionHtml(report));
  const xlsx = await supervisionXlsx(report);
  const blackList = report.ranking.departments.black.map((e) => ({ code: e.scope.replace(/^dept:/, ''), name: e.name }));
  return { html, xlsx, htmlSha256: sha256(html), xlsxSha256: sha256(xlsx), blackList };
}

/**
 * 起草: drafts the month's report from its frozen snapshot — or regenerates the draft (or the
 * returned report) already on its way. After publication, a new draft is a correction: a new
 * version that names the one it supersedes.
 */
export async function draftSupervisionReport(
  database: Db,
  month: string,
  settings: LeadershipSettings,
  actor: Actor,
): Promise<{ created: boolean; report: SupervisionReportView }> {
  assertCan(actor.access, 'write', 'report-drafts');
  if (actor.access.root) throw new AppError('forbidden', 'a report is drafted by a named reviewer, not the local operator');
  const me = actor.access.userId;
  const content = await render(database, month, settings);
  return database.transaction(async (db) => {
    const [open] = await db
      .select(rowColumns)
      .from(supervisionReports)
      .where(and(eq(supervisionReports.month, month), ne(supervisionReports.state, 'published')))
      .for('update');
    if (open?.state === 'submitted') {
      throw new AppError(
        'conflict',
        `the ${month} report (version ${open.version}) is submitted: a leader signs it off or returns it first`,
      );
    }
    if (open) {
      const [row] = await db
        .update(supervisionReports)
        .set({
          ...content,
          state: 'draft',
          drafters: open.drafters.includes(me) ? open.drafters : [...open.drafters, me],
          draftedAt: new Date(),
        })
        .where(eq(supervisionReports.id, open.id))
        .returning(rowColumns);
      const report = await viewOf(db, row as Row);
      await recordAudit(db, actor, [
        { action: 'supervision_report.regenerate', entityKind: 'supervision_report', entityCode: String(open.id), after: report },
      ]);
      return { created: false, report };
    }
    const [latest] = await db
      .select({ id: supervisionReports.id, version: supervisionReports.version })
      .from(supervisionReports)
      .where(eq(supervisionReports.month, month))
      .orderBy(desc(supervisionReports.version))
      .limit(1);
    const [row] = await db
      .insert(supervisionReports)
      .values({ month, version: (latest?.version ?? 0) + 1, drafters: [me], supersedesId: latest?.id ?? null, ...content })
      .returning(rowColumns);
    const report = await viewOf(db, row as Row);
    await recordAudit(db, actor, [
      { action: 'supervision_report.draft', entityKind: 'supervision_report', entityCode: String(report.id), after: report },
    ]);
    return { created: true, report };
  });
}

/** A step of the workflow on one report: from which states, by whom, and what it sets. */
async function step(
  database: Db,
  id: number,
  actor: Actor,
  action: string,
  from: SupervisionReportState[],
  change: (row: Row, db: Db) => Promise<Partial<typeof supervisionReports.$inferInsert>>,
): Promise<SupervisionReportView> {
  return database.transaction(async (db) => {
    const row = await visibleReport(db, id, actor, true);
    if (!from.includes(row.state)) {
      throw new AppError('illegal_transition', `report ${id} is ${row.state}: ${action} needs it ${from.join(' or ')}`);
    }
    const [updated] = await db
      .update(supervisionReports)
      .set(await change(row, db))
      .where(eq(supervisionReports.id, id))
      .returning(rowColumns);
    const view = await viewOf(db, updated as Row);
    await recordAudit(db, actor, [
      {
        action: `supervision_report.${action}`,
        entityKind: 'supervision_report',
        entityCode: String(id),
        before: { state: row.state },
        after: view,
      },
    ]);
    return view;
  });
}

/** 送审: a reviewer sends the draft, as it is, to the leaders. */
export async function submitSupervisionReport(db: Db, id: number, actor: Actor): Promise<SupervisionReportView> {
  assertCan(actor.access, 'write', 'report-drafts');
  if (actor.access.root) throw new AppError('forbidden', 'a report is submitted by a named reviewer');
  const me = actor.access.userId;
  return step(db, id, actor, 'submit', ['draft'], async () => ({ state: 'submitted', submittedBy: me, submittedAt: new Date() }));
}

/** The leader deciding: a named one who drafted none of it. */
function decider(actor: Actor, row: Row): number {
  assertCan(actor.access, 'write', 'report-sign-off');
  if (actor.access.root) throw new AppError('forbidden', 'a report is signed off by a named leader');
  if (row.drafters.includes(actor.access.userId)) {
    throw new AppError('forbidden', `you drafted report ${row.id}; another leader signs it off or returns it`);
  }
  return actor.access.userId;
}

/** 退回: a leader sends the report back to the reviewers with a comment. */
export async function returnSupervisionReport(db: Db, id: number, comment: string, actor: Actor): Promise<SupervisionReportView> {
  assertCan(actor.access, 'write', 'report-sign-off');
  return step(db, id, actor, 'return', ['submitted'], async (row) => ({
    state: 'returned',
    decidedBy: decider(actor, row),
    decidedAt: new Date(),
    returnComment: comment,
  }));
}

/**
 * 签发: a leader publishes the submitted report — numbered within the year, its bytes as they
 * were submitted — and each black-listed department gets a rectification order (整改) due in
 * `rectificationDays`.
 */
export async function publishSupervisionReport(
  db: Db,
  id: number,
  rectificationDays: number,
  actor: Actor,
): Promise<SupervisionReportView> {
  assertCan(actor.access, 'write', 'report-sign-off');
  const now = new Date();
  const year = Number(businessDate(now).slice(0, 4));
  return step(db, id, actor, 'publish', ['submitted'], async (row, tx) => {
    const decidedBy = decider(actor, row);
    // Numbers are taken in turn: the year's last one is read under a lock on the year.
    await tx.execute(sql`select pg_advisory_xact_lock(${0x79777370}, ${year})`);
    const [last] = await tx
      .select({ serial: max(supervisionReports.serial) })
      .from(supervisionReports)
      .where(eq(supervisionReports.year, year));
    const serial = (last?.serial ?? 0) + 1;
    const number = reportNumber(year, serial);
    const resolveBy = new Date(now.getTime() + rectificationDays * 86_400_000);
    // Opened by the server on the publication's behalf: leaders read orders, ops and departments work them.
    const opener = { ...systemActor, requestId: actor.requestId, sourceIp: actor.sourceIp };
    for (const department of row.blackList) {
      await openRectificationOrder(
        tx,
        opener,
        {
          title: `整改：${department.name}（${number}，${row.month} 红黑榜黑榜）`,
          description: `${number} 将${department.name}列入 ${row.month} 红黑榜黑榜。请于 ${businessDate(resolveBy)} 前完成整改并在工单中说明整改情况。`,
          department: department.code,
          resolveBy,
        },
        now,
      );
    }
    return { state: 'published', decidedBy, decidedAt: now, number, year, serial };
  });
}
