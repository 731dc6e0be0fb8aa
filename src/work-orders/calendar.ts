import { z } from '@hono/zod-openapi';
import { and, asc, gte, lte } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import { insertRows } from '../db/bulk.ts';
import type { Db } from '../db/client.ts';
import { type CalendarDayKind, calendarDayKinds } from '../db/schema/enums.ts';
import { calendarDays } from '../db/schema/index.ts';
import { type Access, assertCan } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import { readGridRows } from '../imports/grid.ts';
import { isCalendarDate } from '../kernel/dates.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';

/**
 * The holiday calendar (节假日安排) by year: the State Council's public holidays and make-up
 * working days, kept as data so that ops add next year's notice when it is published.
 */

export const calendarLimits = { bodyBytes: 64 * 1024, rows: 400, minYear: 2000, maxYear: 2100 } as const;

export interface CalendarDayView {
  day: string;
  kind: CalendarDayKind;
  name: string;
  source: string;
}

export interface CalendarDayInput {
  day: string;
  kind: CalendarDayKind;
  name: string;
  source: string;
}

const yearRange = (year: number) => [`${year}-01-01`, `${year}-12-31`] as const;

export async function getCalendarYear(db: Db, access: Access, year: number): Promise<{ year: number; days: CalendarDayView[] }> {
  assertCan(access, 'read', 'service-levels');
  const [first, last] = yearRange(year);
  const rows = await db
    .select()
    .from(calendarDays)
    .where(and(gte(calendarDays.day, first), lte(calendarDays.day, last)))
    .orderBy(asc(calendarDays.day));
  return { year, days: rows.map((r) => ({ day: r.day, kind: r.kind, name: r.name, source: r.source })) };
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const CalendarJson = z
  .object({
    days: z
      .array(z.object({ day: z.string().max(10), kind: z.enum(calendarDayKinds), name: text(100), source: text(200).optional() }).strict())
      .max(calendarLimits.rows, `at most ${calendarLimits.rows} days`),
    source: text(200).optional(),
  })
  .strict();

/** A zod path as a caller writes it: `days[3].kind`. */
const fieldOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)),
    '',
  ) || '(body)';

/** Whether `day` is a real date `YYYY-MM-DD` of `year`; the message when it is not. */
function dayProblem(day: string, year: number): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return 'must be a date YYYY-MM-DD';
  if (!isCalendarDate(day)) return 'is not a date in the calendar';
  if (Number(day.slice(0, 4)) !== year) return `must be in ${year}`;
  return null;
}

const rejected = (errors: FieldError[]) =>
  new AppError('validation_failed', `the calendar was not changed: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);

/** The days of a JSON body `{days, source?}`, checked; `source` of a day falls back to the body's, then to who sent it. */
export function calendarFromJson(body: unknown, year: number, fallbackSource: string): CalendarDayInput[] {
  const parsed = CalendarJson.safeParse(body);
  if (!parsed.success) {
    throw rejected(parsed.error.issues.map((issue) => ({ field: fieldOf(issue.path), message: issue.message })));
  }
  const errors: FieldError[] = [];
  const days = parsed.data.days.map((d, i) => {
    const problem = dayProblem(d.day, year);
    if (problem) errors.push({ field: `days[${i}].day`, index: i, message: problem });
    return { day: d.day, kind: d.kind, name: d.name, source: d.source ?? parsed.data.source ?? fallbackSource };
  });
  errors.push(...duplicateErrors(days, (i) => ({ field: `days[${i}].day`, index: i })));
  if (errors.length > 0) throw rejected(errors);
  return days;
}

function duplicateErrors(days: readonly CalendarDayInput[], where: (i: number) => Omit<FieldError, 'message'>): FieldError[] {
  const first = new Map<string, number>();
  const errors: FieldError[] = [];
  days.forEach((d, i) => {
    const earlier = first.get(d.day);
    if (earlier === undefined) first.set(d.day, i);
    else errors.push({ ...where(i), message: `${d.day} is given twice` });
  });
  return errors;
}

/** CSV headers, Chinese or English, and the field each names. */
const csvHeaders: Record<string, keyof CalendarDayInput> = {
  日期: 'day',
  day: 'day',
  类型: 'kind',
  kind: 'kind',
  名称: 'name',
  name: 'name',
  来源: 'source',
  source: 'source',
};

/** 放假 / 上班 as the notice writes them, or the English kinds. */
const csvKinds: Record<string, CalendarDayKind> = { 放假: 'holiday', holiday: 'holiday', 上班: 'workday', workday: 'workday' };

/** The days of a CSV file with a header row; errors name the row (header = 1) and the column as written. */
export async function calendarFromCsv(data: Uint8Array, year: number, fallbackSource: string): Promise<CalendarDayInput[]> {
  const errors: FieldError[] = [];
  const days: CalendarDayInput[] = [];
  const rowOf: number[] = [];
  let columns: { field: keyof CalendarDayInput; header: string; index: number }[] | null = null;
  const headerOf = (field: keyof CalendarDayInput) => columns?.find((c) => c.field === field)?.header ?? field;
  for await (const row of readGridRows(data, 'csv')) {
    if (!columns) {
      columns = [];
      row.cells.forEach((cell, index) => {
        const field = cell === null ? undefined : csvHeaders[cell.toLowerCase()];
        if (field && !columns?.some((c) => c.field === field)) columns?.push({ field, header: cell ?? field, index });
      });
      const missing = (['day', 'kind', 'name'] as const).filter((f) => !columns?.some((c) => c.field === f));
      if (missing.length > 0) {
        throw rejected(
          missing.map((f) => ({
            field: f,
            row: row.rowNumber,
            column: f,
            message: `the header row needs a column ${f === 'day' ? '日期 (day)' : f === 'kind' ? '类型 (kind)' : '名称 (name)'}`,
          })),
        );
      }
      continue;
    }
    if (days.length >= calendarLimits.rows) {
      throw rejected([{ field: 'file', row: row.rowNumber, message: `a file may hold at most ${calendarLimits.rows} days` }]);
    }
    const cell = (field: keyof CalendarDayInput) => {
      const column = columns?.find((c) => c.field === field);
      return column ? (row.cells[column.index] ?? null) : null;
    };
    const at = (field: keyof CalendarDayInput, message: string) =>
      errors.push({ field, row: row.rowNumber, column: headerOf(field), message });
    const day = cell('day') ?? '';
    const dayWrong = day ? dayProblem(day, year) : 'must not be empty';
    if (dayWrong) at('day', dayWrong);
    const kindText = cell('kind');
    const kind = kindText ? csvKinds[kindText.toLowerCase()] : undefined;
    if (!kind) at('kind', '必须是 放假 或 上班 (holiday or workday)');
    const name = cell('name');
    if (!name) at('name', 'must not be empty');
    else if (name.length > 100) at('name', 'must be at most 100 characters');
    const source = cell('source');
    if (source && source.length > 200) at('source', 'must be at most 200 characters');
    days.push({ day, kind: kind ?? 'holiday', name: name ?? '', source: source ?? fallbackSource });
    rowOf.push(row.rowNumber);
  }
  if (!columns) throw rejected([{ field: 'file', message: 'the file is empty: it needs a header row 日期,类型,名称[,来源]' }]);
  errors.push(...duplicateErrors(days, (i) => ({ field: 'day', row: rowOf[i], column: headerOf('day') })));
  if (errors.length > 0) throw rejected(errors);
  return days;
}

/**
 * Replaces every row of the year with `days`, in one transaction: the year is the new list or
 * unchanged. Audited with the counts.
 */
export async function replaceCalendarYear(
  db: Db,
  year: number,
  days: readonly CalendarDayInput[],
  actor: Actor,
): Promise<{ year: number; days: CalendarDayView[]; removed: number }> {
  assertCan(actor.access, 'write', 'service-levels');
  const [first, last] = yearRange(year);
  const removed = await db.transaction(async (tx) => {
    const gone = await tx
      .delete(calendarDays)
      .where(and(gte(calendarDays.day, first), lte(calendarDays.day, last)))
      .returning({ day: calendarDays.day });
    if (days.length > 0) {
      await insertRows(
        tx,
        calendarDays,
        days.map((d) => ({ day: d.day, kind: d.kind, name: d.name, source: d.source, createdBy: actor.name })),
      );
    }
    await recordAudit(tx, actor, [
      {
        action: 'calendar.replace_year',
        entityKind: 'calendar_year',
        entityCode: String(year),
        before: { days: gone.length },
        after: {
          days: days.length,
          holidays: days.filter((d) => d.kind === 'holiday').length,
          workdays: days.filter((d) => d.kind === 'workday').length,
        },
      },
    ]);
    return gone.length;
  });
  return { ...(await getCalendarYear(db, actor.access, year)), removed };
}
