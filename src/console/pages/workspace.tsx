import type { Child } from 'hono/jsx';
import { readIndicators } from '../../indicators/service.ts';
import { businessDate } from '../../kernel/dates.ts';
import { AppError } from '../../kernel/errors.ts';
import { type AnyRecordKind, builtInKinds, type KindRow } from '../../registry/kinds/index.ts';
import { listRecords, readRecord } from '../../registry/service.ts';
import { listTransitions } from '../../registry/transitions.ts';
import { ApiForm } from '../forms.tsx';
import { catalogue, formatPercent, indicatorName, type Lang, threeHundred, valueName } from '../i18n.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '部门工作台',
    figures: '本部门指标',
    systems: '信息系统',
    networks: '业务专网',
    items: '政务服务事项',
    code: '编码',
    name: '名称',
    department: '部门',
    classification: '密级',
    state: '状态',
    stateAt: '状态日期',
    systemType: '系统类型',
    integrated: '已对接',
    search: '搜索名称或编码',
    find: '搜索',
    register: '登记信息系统',
    registerHint: '密级由大数据发展局审核人员认定（认定前为“待认定”，不计入上云率）。',
    save: '登记',
    import: '批量导入',
    kind: '数据类型',
    file: '表格文件（CSV 或 XLSX）',
    preview: '预览（不写入）',
    confirm: '确认导入',
    export: '导出 XLSX',
    shown: '显示',
    of: '共',
    pages: '分页',
    previous: '上一页',
    next: '下一页',
    transition: '状态变更',
    to: '变更为',
    effectiveAt: '生效日期',
    note: '说明',
    submit: '提交变更',
    history: '变更记录',
    from: '原状态',
    recordedBy: '操作人',
    recordedAt: '记录时间',
    back: '返回工作台',
    none: '此记录已是终态，不能再变更。',
  },
  {
    title: 'Department workspace',
    figures: 'Your department’s figures',
    systems: 'Information systems',
    networks: 'Private networks',
    items: 'Service items',
    code: 'Code',
    name: 'Name',
    department: 'Department',
    classification: 'Classification',
    state: 'State',
    stateAt: 'Since',
    systemType: 'System type',
    integrated: 'Integrated',
    search: 'Search name or code',
    find: 'Search',
    register: 'Register a system',
    registerHint: 'The classification is certified by the big-data bureau’s reviewers (until then “pending”, outside the migration rate).',
    save: 'Register',
    import: 'Import a spreadsheet',
    kind: 'What the file holds',
    file: 'Spreadsheet (CSV or XLSX)',
    preview: 'Preview (writes nothing)',
    confirm: 'Confirm the import',
    export: 'Export XLSX',
    shown: 'Showing',
    of: 'of',
    pages: 'pages',
    previous: 'Previous',
    next: 'Next',
    transition: 'Change the state',
    to: 'New state',
    effectiveAt: 'Effective date',
    note: 'Note',
    submit: 'Submit the change',
    history: 'History',
    from: 'From',
    recordedBy: 'By',
    recordedAt: 'Recorded',
    back: 'Back to the workspace',
    none: 'This record is in a final state and cannot move.',
  },
);
type Messages = ReturnType<typeof t>;

const ownedKinds = ['systems', 'private-networks', 'service-items'] as const;
type OwnedKind = (typeof ownedKinds)[number];
const pageSize = 50;

function departmentOf(ctx: PageContext) {
  const access = ctx.actor.access;
  if (access.root || !access.department) throw new AppError('forbidden', 'the workspace is for a department user bound to a department');
  return access.department;
}

interface TrackedPage {
  items: { code: string; name: string; department_code: string; classification: string; state: string; state_at?: string | null }[];
  total: number;
}

export async function workspacePage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const department = departmentOf(ctx);
  const q = c.req.query('q')?.trim() || undefined;
  // Each list pages on its own: ?systems-page=2 leaves the other lists where they were.
  const pageOf = (kind: OwnedKind) => Math.max(1, Math.floor(Number(c.req.query(`${kind}-page`))) || 1);
  const listWindow = (kind: OwnedKind) => ({ limit: pageSize, offset: (pageOf(kind) - 1) * pageSize, q });
  // Every list and figure through the API's own services, with the caller: scoping is theirs.
  const [report, systems, networks, items, departments] = await Promise.all([
    readIndicators(db, { scope: `dept:${department.code}` }, actor, ctx.settings.cache),
    listRecords(db, 'systems', listWindow('systems'), actor),
    listRecords(db, 'private-networks', listWindow('private-networks'), actor),
    listRecords(db, 'service-items', listWindow('service-items'), actor),
    listRecords(db, 'departments', { limit: 200, offset: 0 }, actor),
  ]);
  const three = report.indicators.filter((f) => (threeHundred as readonly string[]).includes(f.key));
  const count = (page: { items: unknown[]; total: number }) => `${m.shown} ${page.items.length} ${m.of} ${page.total}`;
  /** Earlier / later links for one list, keeping the search and the other lists' pages. */
  const pager = (kind: OwnedKind, total: number) => {
    const current = pageOf(kind);
    const last = Math.max(1, Math.ceil(total / pageSize));
    if (last === 1) return null;
    const href = (n: number) => {
      const url = new URL(c.req.url);
      url.searchParams.set(`${kind}-page`, String(n));
      return `${url.pathname}${url.search}`;
    };
    return (
      <nav class="pager" aria-label={`${kindName(kind, m)} ${m.pages}`}>
        {current > 1 ? <a href={href(current - 1)}>← {m.previous}</a> : null}
        <span>
          {current} / {last}
        </span>
        {current < last ? <a href={href(current + 1)}>{m.next} →</a> : null}
      </nav>
    );
  };
  const recordLink = (kind: OwnedKind, code: string) => <a href={`/console/workspace/${kind}/${encodeURIComponent(code)}`}>{code}</a>;
  /** Systems and private networks: the same columns, a classification and a state each. */
  const trackedSection = (kind: 'systems' | 'private-networks', title: string, page: TrackedPage) => (
    <section aria-labelledby={`${kind}-title`}>
      <h2 id={`${kind}-title`}>
        {title} <small>{count(page)}</small>
      </h2>
      <RecordTable
        id={kind}
        heads={[m.code, m.name, m.department, m.classification, m.state, m.stateAt]}
        rows={page.items.map((s) => [
          recordLink(kind, s.code),
          s.name,
          s.department_code,
          valueName(s.classification, lang),
          stateName(kind, s.state, lang),
          s.state_at ?? '—',
        ])}
      />
      {pager(kind, page.total)}
    </section>
  );

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
          <section aria-labelledby="register-title">
            <h2 id="register-title">{m.register}</h2>
            <ApiForm
              id="register-form"
              class="stack"
              api="/api/v1/systems"
              next="/console/workspace/systems/{code}"
              csrf={ctx.viewer.csrfToken}
            >
              <label>
                {m.code}
                <input name="code" required maxlength={64} autocomplete="off" />
              </label>
              <label>
                {m.name}
                <input name="name" required maxlength={200} autocomplete="off" />
              </label>
              <label>
                {m.department}
                <select name="department_code">
                  {departments.items.map((d) => (
                    <option value={d.code} selected={d.code === department.code}>
                      {d.name} ({d.code})
                    </option>
                  ))}
                </select>
              </label>
              <p class="hint">{m.registerHint}</p>
              <button type="submit">{m.save}</button>
              <div class="result" role="status" aria-live="polite" />
            </ApiForm>
          </section>

          <section aria-labelledby="import-title">
            <h2 id="import-title">{m.import}</h2>
            <form id="import-form" class="stack">
              <label>
                {m.kind}
                <select name="kind">
                  {ownedKinds.map((k) => (
                    <option value={k}>{kindName(k, m)}</option>
                  ))}
                </select>
              </label>
              <label>
                {m.file}
                <input
                  type="file"
                  name="file"
                  accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                  required
                />
              </label>
              <div class="buttons">
                <button type="submit" id="import-preview">
                  {m.preview}
                </button>
                <button type="button" id="import-confirm" hidden>
                  {m.confirm}
                </button>
              </div>
              <div id="import-result" class="result" role="status" aria-live="polite" />
            </form>
            <p class="exports">
              {ownedKinds.map((k) => (
                <a href={`/api/v1/export/${k}?format=xlsx`} download>
                  {m.export} · {kindName(k, m)}
                </a>
              ))}
            </p>
          </section>
        </div>

        {trackedSection('systems', m.systems, systems)}
        {trackedSection('private-networks', m.networks, networks)}
        <section aria-labelledby="items-title">
          <h2 id="items-title">
            {m.items} <small>{count(items)}</small>
          </h2>
          <RecordTable
            id="service-items"
            heads={[m.code, m.name, m.department, m.systemType, m.integrated]}
            rows={items.items.map((s) => [
              recordLink('service-items', s.code),
              s.name,
              s.department_code,
              valueName(s.system_type, lang),
              valueName(s.integrated, lang),
            ])}
          />
          {pager('service-items', items.total)}
        </section>
      </>
    ),
  });
}

const kindName = (kind: OwnedKind, m: Messages) => ({ systems: m.systems, 'private-networks': m.networks, 'service-items': m.items })[kind];

function RecordTable(props: { id: string; heads: string[]; rows: Child[][] }) {
  return (
    <div class="scroll">
      <table id={`table-${props.id}`}>
        <thead>
          <tr>
            {props.heads.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((cells) => (
            <tr>
              {cells.map((cell) => (
                <td>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A state as the kind names it: a private network's `retired` is 已退出, a system's 已下线. */
const stateName = (kind: OwnedKind, value: string, lang: Lang) =>
  builtInKinds[kind].lifecycle.labels[value]?.[lang] ?? valueName(value, lang);

/**
 * One record of the caller's department, its transition form and its history. Outside the
 * department (or not there at all — the same answer, so nothing leaks) it is a 403 page.
 */
export async function recordPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const kind = c.req.param('kind') as OwnedKind;
  const code = c.req.param('code') ?? '';
  if (!(ownedKinds as readonly string[]).includes(kind)) throw new AppError('not_found', `no such kind ${kind}`);
  const descriptor: AnyRecordKind = builtInKinds[kind];
  let record: KindRow;
  let history: Awaited<ReturnType<typeof listTransitions>>;
  try {
    record = await readRecord(db, descriptor, code, actor);
    history = await listTransitions(db, descriptor, code, actor);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      throw new AppError('forbidden', `${code} is not a record of your department`);
    }
    throw error;
  }
  // The state a record is in, and the moves open from it (the transition form's choices).
  const state = descriptor.declaredState(record).value;
  const moves = descriptor.lifecycle.moves[state] ?? [];
  const today = businessDate();
  return ctx.render({
    title: `${code} · ${kindName(kind, m)}`,
    active: 'workspace',
    scripts: ['workspace.js'],
    config: { kind, code },
    children: (
      <>
        <p>
          <a href="/console/workspace">{m.back}</a>
        </p>
        <h1>
          {String(record.name)} <small>({code})</small>
        </h1>
        <dl class="record">
          <dt>{m.department}</dt>
          <dd>{String(record.department_code)}</dd>
          {'classification' in record ? (
            <>
              <dt>{m.classification}</dt>
              <dd>{valueName(record.classification, lang)}</dd>
            </>
          ) : null}
          <dt>{m.state}</dt>
          <dd id="record-state">{stateName(kind, state, lang)}</dd>
        </dl>
        <section aria-labelledby="transition-title">
          <h2 id="transition-title">{m.transition}</h2>
          {moves.length === 0 ? (
            <p>{m.none}</p>
          ) : (
            <ApiForm
              id="transition-form"
              class="stack"
              api={`/api/v1/${kind}/${encodeURIComponent(code)}/transitions`}
              next={`/console/workspace/${kind}/${encodeURIComponent(code)}`}
              csrf={ctx.viewer.csrfToken}
            >
              <label>
                {m.to}
                <select name="to" required>
                  {moves.map((to) => (
                    <option value={to}>{stateName(kind, to, lang)}</option>
                  ))}
                </select>
              </label>
              <label>
                {m.effectiveAt}
                <input type="date" name="effective_at" value={today} max={today} required />
              </label>
              <label>
                {m.note}
                <textarea name="note" rows={2} maxlength={2000} />
              </label>
              <button type="submit">{m.submit}</button>
              <div class="result" role="status" aria-live="polite" />
            </ApiForm>
          )}
        </section>
        <section aria-labelledby="history-title">
          <h2 id="history-title">{m.history}</h2>
          <table id="history">
            <thead>
              <tr>
                <th scope="col">{m.effectiveAt}</th>
                <th scope="col">{m.from}</th>
                <th scope="col">{m.to}</th>
                <th scope="col">{m.note}</th>
                <th scope="col">{m.recordedBy}</th>
                <th scope="col">{m.recordedAt}</th>
              </tr>
            </thead>
            <tbody>
              {history.items.map((h) => (
                <tr class={h.superseded_at ? 'superseded' : undefined}>
                  <td>{h.effective_at ?? '—'}</td>
                  <td>{h.from ? stateName(kind, h.from, lang) : '—'}</td>
                  <td>{stateName(kind, h.to, lang)}</td>
                  <td>{h.note ?? ''}</td>
                  <td>{h.actor}</td>
                  <td>{h.recorded_at.slice(0, 16).replace('T', ' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </>
    ),
  });
}
