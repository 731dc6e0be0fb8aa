import { businessDate } from '../../kernel/dates.ts';
import { todoFor } from '../../todo/service.ts';
import { Panel } from '../components/panel.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue } from '../i18n.ts';
import { pagesFor } from '../nav.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '待办事项',
    what: '事项',
    count: '数量',
    due: '最早截止',
    overdue: '已逾期',
    apiOnly: '管理员与审计员的其余工作请使用 API 与 yunwang 命令：',
  },
  {
    title: 'To do',
    what: 'What',
    count: 'Count',
    due: 'Earliest due',
    overdue: 'overdue',
    apiOnly: 'Administrators and auditors do the rest of their work through the API and the yunwang command: ',
  },
);

/** The part of a due date a reader needs: the day (the API keeps the instant). */
const dayOf = (due: string) => (due.length > 10 ? businessDate(new Date(due)) : due);

/** GET /console: the landing page — the caller's to-do list, each entry a link to where the work is done. */
export async function todoPage(ctx: PageContext): Promise<Response> {
  const { db, actor, lang } = ctx;
  const m = t(lang);
  // The same service the API's GET /api/v1/todo answers with.
  const { items } = await todoFor(db, actor);
  const today = businessDate();
  const onlyHere = pagesFor(actor.access).every((page) => page === 'todo');
  return ctx.render({
    title: m.title,
    active: 'todo',
    children: (
      <>
        <h1>{m.title}</h1>
        <Panel id="todo" title={m.title} count={items.reduce((n, i) => n + (i.count ?? 0), 0)}>
          <DataTable
            id="todo-list"
            columns={[m.what, m.count, m.due]}
            rows={items}
            row={(item) => {
              const due = item.due_at ? dayOf(item.due_at) : null;
              const overdue = due !== null && due < today;
              return (
                <tr class={overdue ? 'overdue' : undefined} data-kind={item.kind}>
                  <td>
                    <a href={item.href}>{item.title[lang]}</a>
                  </td>
                  <td>{item.count ?? ''}</td>
                  <td>
                    {due ?? ''}
                    {overdue ? ` (${m.overdue})` : ''}
                  </td>
                </tr>
              );
            }}
          />
        </Panel>
        {onlyHere ? (
          <p class="hint">
            {m.apiOnly}
            <a href="/docs">API</a>
          </p>
        ) : null}
      </>
    ),
  });
}
