import { businessDate } from '../../kernel/dates.ts';
import { AppError } from '../../kernel/errors.ts';
import type { KindRow } from '../../registry/kinds/index.ts';
import { readRecord } from '../../registry/service.ts';
import { listTransitions } from '../../registry/transitions.ts';
import { Fact } from '../components/facts.tsx';
import { Panel } from '../components/panel.tsx';
import { DataTable } from '../components/table.tsx';
import { TransitionForm } from '../components/transition-form.tsx';
import { catalogue, valueName } from '../i18n.ts';
import { columnLabel, columnValue, kindTitle, ownedKind, stateName } from '../kinds.ts';
import type { PageContext } from '../page.tsx';

const t = catalogue(
  {
    department: '部门',
    classification: '密级',
    state: '状态',
    transition: '状态变更',
    history: '变更记录',
    effectiveAt: '生效日期',
    from: '原状态',
    to: '变更为',
    note: '说明',
    recordedBy: '操作人',
    recordedAt: '记录时间',
    back: '返回工作台',
  },
  {
    department: 'Department',
    classification: 'Classification',
    state: 'State',
    transition: 'Change the state',
    history: 'History',
    effectiveAt: 'Effective date',
    from: 'From',
    to: 'New state',
    note: 'Note',
    recordedBy: 'By',
    recordedAt: 'Recorded',
    back: 'Back to the workspace',
  },
);

/** Fields the page shows in its own words (the heading, department, classification, state). */
const shownAbove = new Set(['code', 'name', 'department_code', 'classification', 'state', 'state_at']);

/** A record and its history, read as the caller; a record outside their department reads as not theirs. */
async function readOwn(ctx: PageContext, segment: string, code: string) {
  const kind = ownedKind(segment);
  try {
    const record: KindRow = await readRecord(ctx.db, kind, code, ctx.actor);
    const history = await listTransitions(ctx.db, kind, code, ctx.actor);
    return { kind, record, history };
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      throw new AppError('forbidden', `${code} is not a record of your department`);
    }
    throw error;
  }
}

/**
 * One record of the caller's department, its transition form and its history. Outside the
 * department (or not there at all — the same answer, so nothing leaks) it is a 403 page.
 */
export async function recordPage(ctx: PageContext): Promise<Response> {
  const { c, lang } = ctx;
  const m = t(lang);
  const code = c.req.param('code') ?? '';
  const { kind, record, history } = await readOwn(ctx, c.req.param('kind') ?? '', code);
  const state = kind.declaredState(record).value;
  return ctx.render({
    title: `${code} · ${kindTitle(kind, lang)}`,
    active: 'workspace',
    scripts: ['workspace.js'],
    config: { kind: kind.segment, code },
    children: (
      <>
        <p>
          <a href="/console/workspace">{m.back}</a>
        </p>
        <h1>
          {String(record.name)} <small>({code})</small>
        </h1>
        <dl class="record">
          <Fact term={m.department}>{String(record.department_code)}</Fact>
          {'classification' in record ? <Fact term={m.classification}>{valueName(record.classification, lang)}</Fact> : null}
          <Fact term={m.state} id="record-state">
            {stateName(kind, state, lang)}
          </Fact>
          {kind.columns
            .filter((column) => !shownAbove.has(column.field) && record[column.field] != null)
            .map((column) => (
              <Fact term={columnLabel(column, lang)}>{columnValue(column, record[column.field], lang)}</Fact>
            ))}
        </dl>
        <Panel id="transition" title={m.transition}>
          <TransitionForm kind={kind} code={code} state={state} today={businessDate()} lang={lang} csrf={ctx.viewer.csrfToken} />
        </Panel>
        <Panel id="history" title={m.history}>
          <DataTable
            id="history"
            columns={[m.effectiveAt, m.from, m.to, m.note, m.recordedBy, m.recordedAt]}
            rows={history.items}
            row={(h) => (
              <tr class={h.superseded_at ? 'superseded' : undefined}>
                <td>{h.effective_at ?? '—'}</td>
                <td>{h.from ? stateName(kind, h.from, lang) : '—'}</td>
                <td>{stateName(kind, h.to, lang)}</td>
                <td>{h.note ?? ''}</td>
                <td>{h.actor}</td>
                <td>{h.recorded_at.slice(0, 16).replace('T', ' ')}</td>
              </tr>
            )}
          />
        </Panel>
      </>
    ),
  });
}
