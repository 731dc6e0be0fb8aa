import type { WorkOrderState } from '../../db/schema/enums.ts';
import { can } from '../../identity/access.ts';
import { AppError } from '../../kernel/errors.ts';
import { getWorkOrder } from '../../work-orders/queries.ts';
import type { WorkOrderDetail } from '../../work-orders/schemas.ts';
import { allowedMoves } from '../../work-orders/transitions.ts';
import { beijingTime, term } from '../alert-terms.ts';
import { DocumentLinks } from '../components/documents.tsx';
import { Fact } from '../components/facts.tsx';
import { NoteForm } from '../components/note-form.tsx';
import { Panel } from '../components/panel.tsx';
import { SubmitRow } from '../components/submit.tsx';
import { TimelineTable } from '../components/timeline.tsx';
import { ApiForm } from '../forms.tsx';
import { catalogue, type Lang } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { categoryTerms, moveTerms, slaStateTerms, workOrderStateTerms } from '../work-order-terms.ts';
import { assigneeText } from './work-orders.tsx';

const t = catalogue(
  {
    back: '返回工单队列',
    category: '类别',
    priority: '优先级',
    state: '状态',
    subject: '对象',
    region: '地区',
    reporter: '报告人',
    assignee: '处理人',
    opsQueue: '运维队列',
    alert: '来源告警',
    description: '描述',
    created: '创建时间',
    sla: '服务时限',
    slaState: '时限状态',
    responseDue: '受理时限',
    resolutionDue: '解决时限',
    remaining: '剩余',
    paused: '计时已暂停',
    timeline: '处理记录',
    at: '时间',
    event: '事件',
    actor: '操作人',
    note: '说明',
    actions: '处理',
    reason: '原因（挂起必填）',
    transferTo: '转派给部门（编码）',
    comment: '评论',
    documents: '附件',
    attach: '附件（PDF、图片、DOCX、XLSX，每个不超过 20 MB）',
    addComment: '添加评论',
    times: '时间均为北京时间。',
  },
  {
    back: 'Back to the queue',
    category: 'Category',
    priority: 'Priority',
    state: 'State',
    subject: 'Subject',
    region: 'Region',
    reporter: 'Reporter',
    assignee: 'Assignee',
    opsQueue: 'Ops queue',
    alert: 'From alert',
    description: 'Description',
    created: 'Created',
    sla: 'Service levels',
    slaState: 'SLA state',
    responseDue: 'Response due',
    resolutionDue: 'Resolution due',
    remaining: 'Remaining',
    paused: 'Clock paused',
    timeline: 'Timeline',
    at: 'Time',
    event: 'Event',
    actor: 'By',
    note: 'Note',
    actions: 'Actions',
    reason: 'Reason (required to suspend)',
    transferTo: 'Transfer to department (code)',
    comment: 'Comment',
    documents: 'Attachments',
    attach: 'Attachments (PDF, images, DOCX, XLSX; 20 MB each at most)',
    addComment: 'Add comment',
    times: 'Times are Beijing time.',
  },
);

const codePattern = /^WO-\d{4}-\d{6}$/;

/**
 * GET /console/work-orders/{code}: the order's facts, its deadlines with a live countdown
 * (work-order.js reads `data-due`), the timeline, and a form for each move the state allows;
 * the service decides whether this caller may make it. Forms post to the API through /console/submit.
 */
export async function workOrderPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const code = c.req.param('code') ?? '';
  if (!codePattern.test(code)) throw new AppError('not_found', `no work order ${code}`);
  // Another department's order is a 404 here as in the API.
  const order = await getWorkOrder(db, actor.access, code);
  const here = `/console/work-orders/${order.code}`;
  const writes = can(actor.access, 'write', 'work-orders');
  const open = !['resolved', 'closed', 'cancelled'].includes(order.state);
  return ctx.render({
    title: `${order.code} ${order.title}`,
    active: 'workOrders',
    scripts: ['work-order.js'],
    children: (
      <>
        <p>
          <a href="/console/work-orders">{m.back}</a>
        </p>
        <h1 id="work-order-title">
          {order.code} {order.title} <small>{m.times}</small>
        </h1>
        <dl id="work-order-facts">
          <dt>{m.state}</dt>
          <dd id="work-order-state" data-state={order.state}>
            {term(workOrderStateTerms, order.state, lang)}
          </dd>
          <Fact term={m.category}>{term(categoryTerms, order.category, lang)}</Fact>
          <Fact term={m.priority}>{order.priority}</Fact>
          <Fact term={m.subject}>{order.subject ? `${order.subject.name} (${order.subject.code})` : '—'}</Fact>
          <Fact term={m.region}>{order.region?.name ?? '—'}</Fact>
          <Fact term={m.reporter}>
            {order.reporter.name}
            {order.reporter.department ? ` · ${order.reporter.department}` : ''}
          </Fact>
          <Fact term={m.assignee}>{assigneeText(order, m.opsQueue)}</Fact>
          {order.alert_id !== null ? (
            <Fact term={m.alert}>
              <a href={`/console/alerts?id=${order.alert_id}`}>#{order.alert_id}</a>
            </Fact>
          ) : null}
          <Fact term={m.created}>{beijingTime(order.created_at)}</Fact>
          <Fact term={m.description} class="description">
            {order.description || '—'}
          </Fact>
          <Fact term={m.documents}>
            <DocumentLinks documents={order.documents} />
          </Fact>
        </dl>
        <SlaPanel order={order} lang={lang} open={open} />
        <Timeline order={order} lang={lang} />
        {writes ? <Moves ctx={ctx} order={order} here={here} /> : null}
        {writes ? (
          <NoteForm
            id="comment-form"
            api={`/api/v1/work-orders/${order.code}/comments`}
            next={here}
            csrf={ctx.viewer.csrfToken}
            label={m.comment}
            name="body"
            maxlength={10000}
            rows={3}
            submit={m.addComment}
            attachments={m.attach}
          />
        ) : null}
      </>
    ),
  });
}

function SlaPanel(props: { order: WorkOrderDetail; lang: Lang; open: boolean }) {
  const { order, lang } = props;
  const m = t(lang);
  const paused = order.sla.paused_at !== null;
  // A countdown only for a deadline still owed: the response one until accepted, the resolution one until resolved.
  const countdown = (due: string, owed: boolean) =>
    owed && !paused ? (
      <>
        {' '}
        · {m.remaining} <time class="countdown" datetime={due} data-due={due} />
      </>
    ) : null;
  return (
    <Panel id="sla" sectionId="work-order-sla" title={m.sla}>
      <dl>
        <dt>{m.slaState}</dt>
        <dd data-sla={order.sla.state}>
          {term(slaStateTerms, order.sla.state, lang)}
          {paused ? ` · ${m.paused}` : ''}
        </dd>
        <Fact term={m.responseDue}>
          {beijingTime(order.sla.response_due_at)}
          {countdown(order.sla.response_due_at, props.open && order.accepted_at === null)}
        </Fact>
        <Fact term={m.resolutionDue}>
          {beijingTime(order.sla.resolution_due_at)}
          {countdown(order.sla.resolution_due_at, props.open)}
        </Fact>
      </dl>
    </Panel>
  );
}

function Timeline(props: { order: WorkOrderDetail; lang: Lang }) {
  const m = t(props.lang);
  return (
    <Panel id="timeline" title={m.timeline}>
      <TimelineTable
        id="work-order-timeline"
        columns={[m.at, m.event, m.actor, m.note]}
        entries={props.order.timeline}
        source={(entry) => entry.source}
        event={(entry) => (
          <>
            {entry.source === 'alert' ? '告警 · ' : ''}
            <code>{entry.type}</code>
            {entry.to && entry.to in workOrderStateTerms ? ` → ${term(workOrderStateTerms, entry.to as WorkOrderState, props.lang)}` : ''}
          </>
        )}
      />
    </Panel>
  );
}

/** One small form per legal move from the current state; a refused move comes back as an error page naming why. */
function Moves(props: { ctx: PageContext; order: WorkOrderDetail; here: string }) {
  const { ctx, order } = props;
  const m = t(ctx.lang);
  const moves = allowedMoves[order.state];
  if (moves.length === 0) return null;
  return (
    <Panel id="actions" sectionId="work-order-actions" title={m.actions}>
      {moves.map((to) => (
        <ApiForm
          id={`move-${to}`}
          class="stack"
          api={`/api/v1/work-orders/${order.code}/transitions`}
          next={props.here}
          csrf={ctx.viewer.csrfToken}
        >
          <input type="hidden" name="to" value={to} />
          {to === 'transferred' ? (
            <label>
              {m.transferTo}
              <input name="assignee.department" required maxlength={100} />
            </label>
          ) : null}
          <label>
            {to === 'suspended' ? m.reason : m.note}
            <input name="note" maxlength={2000} required={to === 'suspended'} />
          </label>
          <SubmitRow label={term(moveTerms, to, ctx.lang)} />
        </ApiForm>
      ))}
    </Panel>
  );
}
