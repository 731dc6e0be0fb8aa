import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { slaClocks, workOrderPriorities } from '../db/schema/enums.ts';
import { json, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { itemsOf, pathParam } from '../http/schemas.ts';
import { assertCan } from '../identity/access.ts';
import { AppError } from '../kernel/errors.ts';
import { calendarFromCsv, calendarFromJson, calendarLimits, getCalendarYear, replaceCalendarYear } from './calendar.ts';
import { getWorkingHours, listSlaPolicies, maxSlaMinutes, updateSlaPolicies, updateWorkingHours } from './service-levels.ts';

/** A zod path as a caller writes it, `items[2].clock`, rather than the default `items.2.clock`. */
const fieldOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)),
    '',
  ) || '(body)';

/** The validation hook of these routes: like the router's, with bracketed indexes. */
const bracketedHook = (result: { success: boolean; error?: z.ZodError; target: string }): undefined => {
  if (result.success || !result.error) return undefined;
  const errors = result.error.issues.map((issue) => ({ field: fieldOf(issue.path), message: issue.message }));
  throw new AppError('validation_failed', `invalid ${result.target}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
};

const route = routesTagged('work-orders');

const minutes = z
  .number()
  .int('must be a whole number of minutes')
  .min(1, 'must be at least 1 minute')
  .max(maxSlaMinutes, `must be at most ${maxSlaMinutes} minutes (60 days)`);

const SlaPolicy = z.object({
  priority: z.enum(workOrderPriorities),
  clock: z.enum(slaClocks).openapi({ description: 'calendar: around the clock; working: working hours of working days only' }),
  response_minutes: z.number().int(),
  resolution_minutes: z.number().int(),
  updated_at: z.string(),
  updated_by: z.string(),
});

const SlaPolicyInput = z
  .object({ priority: z.enum(workOrderPriorities), clock: z.enum(slaClocks), response_minutes: minutes, resolution_minutes: minutes })
  .strict();

const Period = z.object({
  start: z.string().max(5).openapi({ example: '09:00' }),
  end: z.string().max(5).openapi({ example: '12:00' }),
});

const WorkingHours = z.object({
  timezone: z.string(),
  periods: z.array(Period),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});

const CalendarDay = z.object({ day: z.string(), kind: z.enum(['holiday', 'workday']), name: z.string(), source: z.string() });
const CalendarYear = z.object({ year: z.number().int(), days: z.array(CalendarDay) });

const YearParam = pathParam(
  'year',
  z.coerce
    .number()
    .int('must be a year')
    .min(calendarLimits.minYear, `must be ${calendarLimits.minYear}–${calendarLimits.maxYear}`)
    .max(calendarLimits.maxYear, `must be ${calendarLimits.minYear}–${calendarLimits.maxYear}`),
  2027,
);

const listPoliciesRoute = route.get('/api/v1/sla-policies', 'listSlaPolicies', json('The policies', itemsOf(SlaPolicy)), {
  summary: 'Service levels by priority: response (accept) and resolution deadlines, and which clock they run on',
});

const updatePoliciesRoute = route.put('/api/v1/sla-policies', 'updateSlaPolicies', {
  summary: 'Replace the policies of the priorities given (ops); open orders keep the terms frozen when they were opened',
  body: z.object({ items: z.array(SlaPolicyInput).min(1).max(workOrderPriorities.length) }).strict(),
  responses: { 200: json('All policies after the change', itemsOf(SlaPolicy)) },
});

const getWorkingHoursRoute = route.get('/api/v1/working-hours', 'getWorkingHours', json('The working hours', WorkingHours), {
  summary: 'Working hours (作息时间) of a working day, in one time zone',
});

const updateWorkingHoursRoute = route.put('/api/v1/working-hours', 'updateWorkingHours', json('The working hours', WorkingHours), {
  summary: 'Set the working hours (ops): an IANA zone and 1–6 sorted, non-overlapping HH:MM periods',
  body: z.object({ timezone: z.string().min(1).max(64), periods: z.array(Period.strict()).max(6, 'at most 6 periods') }).strict(),
});

const getCalendarRoute = route.get('/api/v1/calendar/{year}', 'getCalendarYear', json('The year', CalendarYear), {
  summary: "A year's public holidays (放假) and make-up working days (调休上班); other days follow Monday–Friday",
  params: YearParam,
});

const replaceCalendarRoute = route.post('/api/v1/calendar/{year}', 'replaceCalendarYear', {
  summary:
    "Replace a year's days (ops), all or nothing: JSON {days:[{day,kind,name,source?}], source?} or text/csv with headers " +
    '日期/day, 类型/kind (放假|上班 or holiday|workday), 名称/name, 来源/source; at most 64 KB and 400 days',
  params: YearParam,
  // Read by the handler itself: the body may be JSON or CSV, and errors name days[i] or the row and column.
  body: {
    required: true,
    content: {
      'application/json': {
        schema: z
          .object({})
          .passthrough()
          .openapi({ example: { days: [{ day: '2027-01-01', kind: 'holiday', name: '元旦' }] } }),
      },
      'text/csv': { schema: z.string().openapi({ example: '日期,类型,名称,来源\n2027-01-01,放假,元旦,国办发明电〔2026〕…号\n' }) },
    },
  },
  responses: {
    200: json('The year as stored now, and how many rows it replaced', CalendarYear.extend({ removed: z.number().int() })),
    415: problem('Neither JSON nor CSV'),
  },
});

/** Service levels, working hours and the holiday calendar. */
export function registerServiceLevelRoutes(app: OpenAPIHono<AppEnv>) {
  app.use(
    '/api/v1/calendar/*',
    bodyLimit({
      maxSize: calendarLimits.bodyBytes,
      onError: () => {
        throw new AppError('payload_too_large', `a calendar upload may be at most ${calendarLimits.bodyBytes} bytes`);
      },
    }),
  );
  app.openapi(listPoliciesRoute, async (c) => c.json(await listSlaPolicies(c.get('db'), c.get('actor').access), 200));
  app.openapi(
    updatePoliciesRoute,
    async (c) => c.json(await updateSlaPolicies(c.get('db'), c.req.valid('json').items, c.get('actor')), 200),
    bracketedHook,
  );
  app.openapi(getWorkingHoursRoute, async (c) => c.json(await getWorkingHours(c.get('db'), c.get('actor').access), 200));
  app.openapi(
    updateWorkingHoursRoute,
    async (c) => c.json(await updateWorkingHours(c.get('db'), c.req.valid('json'), c.get('actor')), 200),
    bracketedHook,
  );
  app.openapi(getCalendarRoute, async (c) =>
    c.json(await getCalendarYear(c.get('db'), c.get('actor').access, c.req.valid('param').year), 200),
  );
  app.openapi(replaceCalendarRoute, async (c) => {
    const actor = c.get('actor');
    // Refused before the body is read: only ops get as far as parsing it.
    assertCan(actor.access, 'write', 'service-levels');
    const { year } = c.req.valid('param');
    const fallbackSource = `${actor.name} 录入 (entered by ${actor.name})`;
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    let days: Awaited<ReturnType<typeof calendarFromCsv>>;
    if (type === 'text/csv') {
      days = await calendarFromCsv(new Uint8Array(await c.req.arrayBuffer()), year, fallbackSource);
    } else if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await c.req.text());
      } catch {
        throw new AppError('bad_request', 'the body is not valid JSON');
      }
      days = calendarFromJson(parsed, year, fallbackSource);
    } else {
      throw new AppError('unsupported_media_type', 'send application/json or text/csv');
    }
    return c.json(await replaceCalendarYear(c.get('db'), year, days, actor), 200);
  });
}
