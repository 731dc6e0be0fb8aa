import { readIndicators } from '../../indicators/service.ts';
import { AppError } from '../../kernel/errors.ts';
import type { AnyRecordKind, KindRow } from '../../registry/kinds/index.ts';
import { listRecords, type Page } from '../../registry/service.ts';
import { Pager } from '../components/pager.tsx';
import { Panel } from '../components/panel.tsx';
import { DataTable } from '../components/table.tsx';
import { catalogue, formatPercent, indicatorName, type Lang, threeHundred, valueName } from '../i18n.ts';
import { columnLabel, columnValue, kindTitle, ownedKinds, stateName } from '../kinds.ts';
import type { PageContext } from '../page.tsx';
import { ImportPanel, RegisterPanel } from './workspace-forms.tsx';

const t = catalogue(
  {
    title: '部门工作台',
    figures: '本部门指标',
    code: '编码',
    name: '名称',
    department: '部门',
    state: '状态',
    stateAt: '状态日期',
    search: '搜索名称或编码',
    find: '搜索',
    shown: '显示',
    of: '共',
    pages: '分页',
    previous: '上一页',
    next: '下一页',
  },
  {
    title: 'Department workspace',
    figures: 'Your department’s figures',
    code: 'Code',
    name: 'Name',
    department: 'Department',
    state: 'State',
    stateAt: 'Since',
    search: 'Search name or code',
    find: 'Search',
    shown: 'Showing',
    of: 'of',
    pages: 'pages',
    previous: 'Previous',
    next: 'Next',
  },
);
type Messages = ReturnType<typeof t>;

const pageSize = 50;

function departmentOf(ctx: PageContext) {
  const access = ctx.actor.access;
  if (access.root || !access.department) throw new AppError('forbidden', 'the workspace is for a department user bound to a department');
  return access.department;
}

/** The department's figures, its create and import forms, and a list of each kind it owns. */
export async function workspacePage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const department = departmentOf(ctx);
  const kinds = ownedKinds();
  const q = c.req.query('q')?.trim() || undefined;
  // Each list pages on its own: ?systems-page=2 leaves the other lists where they were.
  const pageOf = (kind: AnyRecordKind) => Math.max(1, Math.floor(Number(c.req.query(`${kind.segment}-page`))) || 1);
  // Every list and figure through the API's own services, with the caller: scoping is theirs.
  const [report, departments, lists] = await Promise.all([
    readIndicators(db, { scope: `dept:${department.code}` }, actor, ctx.settings.cache),
    listRecords(db, 'departments', { limit: 200, offset: 0 }, actor),
    Promise.all(
      kinds.map(async (kind) => ({
        kind,
        page: await listRecords(db, kind, { limit: pageSize, offset: (pageOf(kind) - 1) * pageSize, q }, actor),
      })),
    ),
  ]);
  const three = report.indicators.filter((f) => (threeHundred as readonly string[]).includes(f.key));
  /** A link to another page of one list, keeping the search and the other lists' pages. */
  const pageHref = (kind: AnyRecordKind) => (n: number) => {
    const url = new URL(c.req.url);
    url.searchParams.set(`${kind.segment}-page`, String(n));
    return `${url.pathname}${url.search}`;
  };

  return ctx.render({
    title: m.title,
    active: 'workspace',
    scripts: ['workspace.js'],
    config: { department: department.code },
    children: (
      <>
        <h1>
          {m.title} — {report.scope_name} ({department.code})
        </h1>
        <section aria-label={m.figures} class="cards small">
          {three.map((f) => (
            <article class="card" id={`figure-${f.key}`} data-percent={f.percent ?? ''}>
              <h2>{indicatorName(f.key, lang)}</h2>
              <p class="big">{formatPercent(f.percent)}</p>
              <p class="frac">
                {f.numerator} / {f.denominator}
                {f.pending > 0 ? ` · ${valueName('pending', lang)} ${f.pending}` : ''}
              </p>
            </article>
          ))}
        </section>

        <form class="filters" method="get" action="/console/workspace">
          <label>
            {m.search}
            <input type="search" name="q" value={q ?? ''} />
          </label>
          <button type="submit">{m.find}</button>
        </form>

        <div class="two">
          <RegisterPanel
            kinds={kinds}
            lang={lang}
            csrf={ctx.viewer.csrfToken}
            departments={departments.items}
            department={department.code}
          />
          <ImportPanel kinds={kinds} lang={lang} />
        </div>

        {lists.map(({ kind, page }) => (
          <RecordList kind={kind} page={page} current={pageOf(kind)} href={pageHref(kind)} m={m} lang={lang} />
        ))}
      </>
    ),
  });
}

interface RecordListProps {
  kind: AnyRecordKind;
  page: Page<KindRow>;
  current: number;
  href: (page: number) => string;
  m: Messages;
  lang: Lang;
}

/**
 * One owned kind's records: code (to the record's page), name, department, the kind's own
 * enumerated columns, and the state it is in since when.
 */
function RecordList(props: RecordListProps) {
  const { kind, page, m, lang } = props;
  const own = kind.columns.filter((column) => column.type === 'enum' && !kind.lifecycle.fields.includes(column.field));
  const recordLink = (code: string) => <a href={`/console/workspace/${kind.segment}/${encodeURIComponent(code)}`}>{code}</a>;
  const title = kindTitle(kind, lang);
  return (
    <Panel
      id={kind.segment}
      title={
        <>
          {title}{' '}
          <small>
            {m.shown} {page.items.length} {m.of} {page.total}
          </small>
        </>
      }
    >
      <DataTable
        id={`table-${kind.segment}`}
        scroll
        columns={[m.code, m.name, m.department, ...own.map((column) => columnLabel(column, lang)), m.state, m.stateAt]}
        rows={page.items}
        row={(record) => {
          const state = kind.declaredState(record);
          return (
            <tr>
              <td>{recordLink(record.code)}</td>
              <td>{String(record.name)}</td>
              <td>{String(record.department_code)}</td>
              {own.map((column) => (
                <td>{columnValue(column, record[column.field], lang)}</td>
              ))}
              <td>{stateName(kind, state.value, lang)}</td>
              <td>{state.since ?? '—'}</td>
            </tr>
          );
        }}
      />
      <Pager
        label={`${title} ${m.pages}`}
        current={props.current}
        last={Math.max(1, Math.ceil(page.total / pageSize))}
        href={props.href}
        previous={m.previous}
        next={m.next}
      />
    </Panel>
  );
}
