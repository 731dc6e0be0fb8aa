import { workOrderCategories, workOrderPriorities } from '../../db/schema/enums.ts';
import { can } from '../../identity/access.ts';
import { listRegions } from '../../regions/service.ts';
import { listWorkOrders } from '../../work-orders/queries.ts';
import type { WorkOrderQuery, WorkOrderView } from '../../work-orders/schemas.ts';
import { beijingTime, term } from '../alert-terms.ts';
import { ChoiceField, choicesOf } from '../components/choices.tsx';
import { ListHeading } from '../components/heading.tsx';
import { SubmitRow } from '../components/submit.tsx';
import { DataTable } from '../components/table.tsx';
import { ApiForm } from '../forms.tsx';
import { catalogue, type Lang } from '../i18n.ts';
import type { PageContext } from '../page.tsx';
import { categoryTerms, slaStateTerms, workOrderStateTerms } from '../work-order-terms.ts';

const t = catalogue(
  {
    title: '工单',
    mine: '我的',
    department: '本部门',
    atRisk: '即将超时',
    breached: '已超时',
    all: '全部',
    tabs: '工单队列',
    code: '编号',
    priority: '优先级',
    subject: '标题',
    state: '状态',
    sla: '时限',
    due: '解决时限',
    assignee: '处理人',
    opsQueue: '运维队列',
    none: '队列中没有工单。',
    create: '新建工单',
    shown: '显示',
    of: '共',
    times: '时间均为北京时间。',
    newTitle: '新建工单',
    category: '类别',
    description: '描述',
    region: '地区',
    regionNone: '（不指定）',
    assigneeDepartment: '处理部门编码（空则进入运维队列）',
    submit: '创建',
    back: '返回工单队列',
  },
  {
    title: 'Work orders',
    mine: 'Mine',
    department: 'My department',
    atRisk: 'At risk',
    breached: 'Breached',
    all: 'All',
    tabs: 'Work-order queues',
    code: 'Code',
    priority: 'Priority',
    subject: 'Title',
    state: 'State',
    sla: 'SLA',
    due: 'Resolution due',
    assignee: 'Assignee',
    opsQueue: 'Ops queue',
    none: 'No work order in this queue.',
    create: 'New work order',
    shown: 'Showing',
    of: 'of',
    times: 'Times are Beijing time.',
    newTitle: 'New work order',
    category: 'Category',
    description: 'Description',
    region: 'Region',
    regionNone: '(none)',
    assigneeDepartment: 'Assignee department code (empty: the ops queue)',
    submit: 'Create',
    back: 'Back to the queue',
  },
);

const tabs = ['mine', 'department', 'at_risk', 'breached', 'all'] as const;
type Tab = (typeof tabs)[number];
const pageSize = 100;
/** The service has no SLA-state filter; the at-risk tab reads this many open orders and keeps the at-risk ones. */
const atRiskWindow = 1000;

function queryOf(tab: Tab, departmentCode: string | null): Omit<WorkOrderQuery, 'limit' | 'offset'> {
  switch (tab) {
    case 'mine':
      return { assignee: 'me' };
    case 'department':
      return departmentCode ? { scope: `dept:${departmentCode}` } : {};
    case 'breached':
      return { breached: true };
    default:
      return {};
  }
}

/** GET /console/work-orders: the queues as tabs (plain links), one table of orders each. */
export async function workOrdersPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const department = actor.access.root ? null : actor.access.department;
  const offered = tabs.filter((tab) => (tab === 'department' ? department !== null : tab === 'all' ? department === null : true));
  const asked = tabs.find((tab) => tab === c.req.query('tab'));
  const tab: Tab = asked && offered.includes(asked) ? asked : !actor.access.root && actor.access.roles.has('leader') ? 'all' : 'mine';
  const base = queryOf(tab, department?.code ?? null);
  const page =
    tab === 'at_risk'
      ? await listWorkOrders(db, actor.access, { ...base, breached: false, limit: atRiskWindow, offset: 0 }).then(({ items }) => {
          const risky = items.filter((o) => o.sla.state === 'at_risk');
          return { items: risky.slice(0, pageSize), total: risky.length };
        })
      : await listWorkOrders(db, actor.access, { ...base, limit: pageSize, offset: 0 });
  const names: Record<Tab, string> = { mine: m.mine, department: m.department, at_risk: m.atRisk, breached: m.breached, all: m.all };
  return ctx.render({
    title: m.title,
    active: 'workOrders',
    children: (
      <>
        <ListHeading title={m.title} shown={page.items.length} total={page.total} words={m} />
        <nav class="tabs" aria-label={m.tabs}>
          {offered.map((name) => (
            <a href={`/console/work-orders?tab=${name}`} aria-current={name === tab ? 'page' : undefined}>
              {names[name]}
            </a>
          ))}
        </nav>
        {can(actor.access, 'write', 'work-orders') ? (
          <p>
            <a href="/console/work-orders/new" id="new-work-order">
              {m.create}
            </a>
          </p>
        ) : null}
        <WorkOrderTable orders={page.items} lang={lang} />
      </>
    ),
  });
}

function WorkOrderTable(props: { orders: WorkOrderView[]; lang: Lang }) {
  const { lang } = props;
  const m = t(lang);
  return (
    <DataTable
      id="work-orders"
      columns={[m.code, m.priority, m.subject, m.state, m.sla, m.due, m.assignee]}
      rows={props.orders}
      empty={m.none}
      emptyId="work-orders-none"
      row={(order) => (
        <tr data-work-order={order.code} data-state={order.state} data-sla={order.sla.state}>
          <td>
            <a href={`/console/work-orders/${order.code}`}>{order.code}</a>
          </td>
          <td>{order.priority}</td>
          <td>{order.title}</td>
          <td>{term(workOrderStateTerms, order.state, lang)}</td>
          <td>{term(slaStateTerms, order.sla.state, lang)}</td>
          <td>{beijingTime(order.sla.resolution_due_at)}</td>
          <td>{assigneeText(order, m.opsQueue)}</td>
        </tr>
      )}
    />
  );
}

export function assigneeText(order: WorkOrderView, opsQueue: string): string {
  const parts = [order.assignee.department?.name, order.assignee.user].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(' · ') : opsQueue;
}

/** GET /console/work-orders/new: the create form; it posts to the API through /console/submit. */
export async function newWorkOrderPage(ctx: PageContext): Promise<Response> {
  const { db, lang } = ctx;
  const m = t(lang);
  const cities = await listRegions(db, { level: 'city' });
  return ctx.render({
    title: m.newTitle,
    active: 'workOrders',
    children: (
      <>
        <h1>{m.newTitle}</h1>
        <p>
          <a href="/console/work-orders">{m.back}</a>
        </p>
        <ApiForm
          id="create-work-order"
          class="stack"
          api="/api/v1/work-orders"
          next="/console/work-orders?tab=all"
          csrf={ctx.viewer.csrfToken}
        >
          <label>
            {m.subject}
            <input name="title" required maxlength={200} />
          </label>
          <ChoiceField label={m.category} name="category" choices={choicesOf(workOrderCategories, (k) => term(categoryTerms, k, lang))} />
          <ChoiceField label={m.priority} name="priority" choices={choicesOf(workOrderPriorities, (p) => p)} selected="P3" />
          <label>
            {m.description}
            <textarea name="description" rows={4} maxlength={10000} />
          </label>
          <ChoiceField
            label={m.region}
            name="region"
            blank={m.regionNone}
            choices={cities.map((city) => ({ value: city.code, label: city.name }))}
          />
          <label>
            {m.assigneeDepartment}
            <input name="assignee.department" maxlength={100} />
          </label>
          <SubmitRow label={m.submit} />
        </ApiForm>
      </>
    ),
  });
}
