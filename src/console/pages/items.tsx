import { indicatorKeys } from '../../indicators/definitions.ts';
import { readIndicatorItems } from '../../indicators/service.ts';
import { AppError } from '../../kernel/errors.ts';
import { HeaderRow } from '../components/table.tsx';
import { catalogue, indicatorName, valueName } from '../i18n.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    title: '指标明细',
    all: '全部计入项',
    missing: '仅未完成项',
    total: '共',
    rows: '项',
    previous: '上一页',
    nextPage: '下一页',
    asOf: '截至',
  },
  {
    title: 'Items behind the figure',
    all: 'Every counted item',
    missing: 'Missing only',
    total: 'Total',
    rows: 'items',
    previous: 'Previous',
    nextPage: 'Next',
    asOf: 'as of',
  },
);

const columnNames: Record<string, { zh: string; en: string }> = {
  code: { zh: '编码', en: 'Code' },
  name: { zh: '名称', en: 'Name' },
  department_code: { zh: '部门编码', en: 'Department' },
  department_name: { zh: '部门', en: 'Department name' },
  region_code: { zh: '区划', en: 'Region' },
  classification: { zh: '密级', en: 'Classification' },
  state: { zh: '状态', en: 'State' },
  done: { zh: '已完成', en: 'Done' },
  level: { zh: '层级', en: 'Level' },
  parent_code: { zh: '上级', en: 'Parent' },
  system_type: { zh: '系统类型', en: 'System type' },
};

const pageSize = 100;

/** The exact items behind a figure, through the same service as GET /api/v1/indicators/{key}/items. */
export async function itemsPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m = t(lang);
  const key = c.req.query('indicator') ?? '';
  if (!(indicatorKeys as readonly string[]).includes(key)) {
    throw new AppError('validation_failed', `unknown indicator "${key}"`, [
      { field: 'indicator', message: `one of ${indicatorKeys.join(', ')}` },
    ]);
  }
  const scope = c.req.query('scope') ?? '450000';
  const missing = c.req.query('missing') === 'true';
  const offset = Math.max(0, Number.parseInt(c.req.query('offset') ?? '0', 10) || 0);
  const page = await readIndicatorItems(db, key, { scope, at: c.req.query('at') || undefined, missing, limit: pageSize, offset }, actor);
  const link = (changes: Record<string, string>) =>
    `/console/items?${new URLSearchParams({ indicator: key, scope, at: page.at, ...(missing ? { missing: 'true' } : {}), ...changes })}`;
  return ctx.render({
    title: m.title,
    active: scope.startsWith('dept:') ? 'overview' : 'map',
    children: (
      <>
        <h1>
          {indicatorName(key, lang)} · {m.title}
        </h1>
        <p>
          {scope} · {m.asOf} {page.at} ·{' '}
          <span id="items-total">
            {m.total} {page.total} {m.rows}
          </span>
        </p>
        <p class="tabs">
          <a
            href={`/console/items?${new URLSearchParams({ indicator: key, scope, at: page.at })}`}
            aria-current={missing ? undefined : 'page'}
          >
            {m.all}
          </a>
          <a href={link({ missing: 'true' })} aria-current={missing ? 'page' : undefined}>
            {m.missing}
          </a>
        </p>
        <div class="scroll">
          <table id="items">
            <thead>
              <HeaderRow columns={page.columns.map((col) => columnNames[col]?.[lang] ?? col)} />
            </thead>
            <tbody>
              {page.items.map((item) => (
                <tr>
                  {page.columns.map((col) => (
                    <td>
                      {['state', 'classification', 'done', 'system_type'].includes(col)
                        ? valueName(item[col], lang)
                        : String(item[col] ?? '—')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="pager">
          {offset > 0 ? <a href={link({ offset: String(Math.max(0, offset - pageSize)) })}>{m.previous}</a> : null}
          {offset + pageSize < page.total ? <a href={link({ offset: String(offset + pageSize) })}>{m.nextPage}</a> : null}
        </p>
      </>
    ),
  });
}
