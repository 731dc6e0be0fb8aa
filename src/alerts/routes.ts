import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { alertRuleKeys, alertSeverities, alertStates } from '../db/schema/enums.ts';
import { AppError } from '../http/errors.ts';
import { type AppEnv, errorResponses, PageQuery, ProblemSchema } from '../http/router.ts';
import { assertCan } from '../identity/access.ts';
import { authenticateAgent } from '../ingest/agents.ts';
import { AlertmanagerPayload, receiveAlertmanager } from './alertmanager.ts';
import { refreshMuting } from './engine.ts';
import type { AlertNotifier } from './lifecycle.ts';
import { builtInRules, loadRuleBook, updateRule } from './rules.ts';
import { AlertDetail, AlertItem } from './schemas.ts';
import { acknowledgeAlert, getAlert, listAlerts, openAlertCounts } from './service.ts';
import { createSilence, expireSilence, listSilences } from './silences.ts';

const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

const AlertId = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

const listAlertsRoute = createRoute({
  method: 'get',
  path: '/api/v1/alerts',
  operationId: 'listAlerts',
  tags: ['alerts'],
  summary: 'Alerts, firing first then by severity; a department user sees only those about its own systems and tenants',
  request: {
    query: PageQuery.extend({
      state: z.enum(alertStates).optional(),
      severity: z.enum(alertSeverities).optional(),
      rule: z.enum(alertRuleKeys).optional(),
      scope: z.string().max(64).optional().openapi({ description: 'Region code (with its descendants) or dept:<code>' }),
      node: z.string().max(100).optional().openapi({ description: 'Alerts about one network node (its history)' }),
    }),
  },
  responses: { 200: json('A page of alerts', z.object({ items: z.array(AlertItem), total: z.number().int() })), ...errorResponses },
});

const countAlertsRoute = createRoute({
  method: 'get',
  path: '/api/v1/alerts/counts',
  operationId: 'countAlerts',
  tags: ['alerts'],
  summary: 'Open alerts by state; firing_critical leaves out silenced and inhibited ones (the console badge)',
  responses: {
    200: json('Counts', z.object({ firing_critical: z.number().int(), firing: z.number().int(), acknowledged: z.number().int() })),
    ...errorResponses,
  },
});

const getAlertRoute = createRoute({
  method: 'get',
  path: '/api/v1/alerts/{id}',
  operationId: 'getAlert',
  tags: ['alerts'],
  summary: 'One alert with its timeline (events)',
  request: { params: AlertId },
  responses: { 200: json('The alert', AlertDetail), ...errorResponses },
});

const acknowledgeRoute = createRoute({
  method: 'post',
  path: '/api/v1/alerts/{id}/acknowledge',
  operationId: 'acknowledgeAlert',
  tags: ['alerts'],
  summary: 'Take a firing alert: firing → acknowledged (who, when, note)',
  request: { params: AlertId, ...body(z.object({ note: z.string().trim().min(1, 'say what you are doing about it').max(2000) })) },
  responses: {
    200: json('The acknowledged alert', AlertDetail),
    ...errorResponses,
    409: problem('Already acknowledged (by whom), or resolved'),
  },
});

const alertmanagerRoute = createRoute({
  method: 'post',
  path: '/api/v1/alerts/alertmanager',
  operationId: 'receiveAlertmanagerAlerts',
  tags: ['alerts'],
  summary: "Alertmanager's webhook (payload version 4): Prometheus alerts join yunwang's list",
  security: [{ agentToken: [] }],
  request: body(AlertmanagerPayload),
  responses: {
    200: json('Applied', z.object({ firing: z.number().int(), resolved: z.number().int(), ignored: z.number().int() })),
    ...errorResponses,
    401: problem('No token, or not a token of an alertmanager agent'),
  },
});

const Matchers = z
  .object({
    rule: z.enum(alertRuleKeys).optional(),
    severity: z.enum(alertSeverities).optional(),
    node: z.string().min(1).max(100).optional(),
    region: z
      .string()
      .regex(/^\d{6,12}$/, 'must be a division code')
      .optional(),
    cloud: z.string().min(1).max(100).optional(),
    agent: z.string().min(1).max(100).optional(),
  })
  .strict();

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (00:00–23:59)');
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });

const SilenceInput = z.object({
  matchers: Matchers,
  starts_at: instant.optional().openapi({ description: 'Default now' }),
  ends_at: instant.optional().openapi({ description: 'Required unless `recurrence` is given' }),
  recurrence: z
    .object({
      weekdays: z.array(z.number().int().min(0).max(6)).min(1).max(7).openapi({ description: '0 = Sunday … 6 = Saturday' }),
      start: hhmm,
      end: hhmm.openapi({ description: 'Not after start: the window runs past midnight' }),
      timezone: z.string().max(64).optional().openapi({ description: 'Default Asia/Shanghai' }),
    })
    .optional(),
  reason: z.string().trim().min(1, 'say why').max(2000),
});

const Silence = z
  .object({
    id: z.number().int(),
    matchers: z.record(z.string(), z.string()).openapi({ description: 'rule, severity, node, region, cloud, agent: as given' }),
    starts_at: z.string(),
    ends_at: z.string().nullable(),
    recurrence: z.object({ weekdays: z.array(z.number().int()), start: z.string(), end: z.string(), timezone: z.string() }).nullable(),
    reason: z.string(),
    created_by: z.string(),
    created_at: z.string(),
    expired_at: z.string().nullable(),
    expired_by: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi('Silence');

const listSilencesRoute = createRoute({
  method: 'get',
  path: '/api/v1/silences',
  operationId: 'listSilences',
  tags: ['alerts'],
  summary: 'Silences and maintenance windows: live (default), expired or all',
  request: { query: z.object({ state: z.enum(['live', 'expired', 'all']).optional() }) },
  responses: { 200: json('Silences', z.object({ items: z.array(Silence) })), ...errorResponses },
});

const createSilenceRoute = createRoute({
  method: 'post',
  path: '/api/v1/silences',
  operationId: 'createSilence',
  tags: ['alerts'],
  summary: 'Silence matching alerts for a time, or every week in a window (recurrence); silenced alerts are kept, not notified',
  request: body(SilenceInput),
  responses: { 201: json('The silence', Silence), ...errorResponses },
});

const expireSilenceRoute = createRoute({
  method: 'delete',
  path: '/api/v1/silences/{id}',
  operationId: 'expireSilence',
  tags: ['alerts'],
  summary: 'Expire a silence now (it stays on record)',
  request: { params: AlertId },
  responses: { 200: json('The expired silence', Silence), ...errorResponses, 409: problem('Already ended') },
});

const Rule = z
  .object({
    rule: z.enum(alertRuleKeys),
    enabled: z.boolean(),
    severity: z.enum(alertSeverities),
    for_seconds: z.number().int(),
    thresholds: z.record(z.string(), z.number()),
    description: z.string(),
    updated_by: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .openapi('AlertRule');

const listRulesRoute = createRoute({
  method: 'get',
  path: '/api/v1/alert-rules',
  operationId: 'listAlertRules',
  tags: ['alerts'],
  summary: 'The built-in alert rules as they run now',
  responses: { 200: json('Rules', z.object({ items: z.array(Rule) })), ...errorResponses },
});

const updateRuleRoute = createRoute({
  method: 'put',
  path: '/api/v1/alert-rules/{rule}',
  operationId: 'updateAlertRule',
  tags: ['alerts'],
  summary: 'Change a rule: enabled, severity, for_seconds, thresholds (fields left out keep their value)',
  request: {
    params: z.object({ rule: z.string().openapi({ param: { name: 'rule', in: 'path' }, example: 'node_down' }) }),
    ...body(
      z
        .object({
          enabled: z.boolean().optional(),
          severity: z.enum(alertSeverities).optional(),
          for_seconds: z
            .number()
            .int()
            .min(0)
            .max(7 * 86_400)
            .optional(),
          thresholds: z.record(z.string().max(64), z.number()).optional(),
        })
        .strict(),
    ),
  },
  responses: { 200: json('The rule', Rule), ...errorResponses },
});

const bearer = /^Bearer\s+(\S+)\s*$/i;

export interface AlertRouteOptions {
  reopenMinutes: number;
  notifier?: AlertNotifier;
}

/** The alerts API: alerts, acknowledgement, silences, rules and Alertmanager's webhook. */
export function registerAlertRoutes(app: OpenAPIHono<AppEnv>, options: AlertRouteOptions) {
  app.openapi(listAlertsRoute, async (c) => c.json(await listAlerts(c.get('db'), c.get('actor').access, c.req.valid('query')), 200));
  app.openapi(countAlertsRoute, async (c) => c.json(await openAlertCounts(c.get('db'), c.get('actor').access), 200));
  app.openapi(getAlertRoute, async (c) => c.json(await getAlert(c.get('db'), c.get('actor').access, c.req.valid('param').id), 200));
  app.openapi(acknowledgeRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerts');
    return c.json(await acknowledgeAlert(c.get('db'), c.req.valid('param').id, c.req.valid('json').note, c.get('actor')), 200);
  });
  // The token is checked before the body is read: nobody else gets as far as parsing it.
  const alertmanagerOf = new WeakMap<object, string>();
  app.use(alertmanagerRoute.path, async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const token = bearer.exec(c.req.header('authorization') ?? '')?.[1];
    const agent = token ? await authenticateAgent(c.get('db'), token) : null;
    if (agent?.kind !== 'alertmanager') {
      c.header('WWW-Authenticate', 'Bearer realm="yunwang-alertmanager"');
      throw new AppError('unauthorized', 'an alertmanager token is required: yunwang token create --agent <name> --kind alertmanager');
    }
    alertmanagerOf.set(c, agent.name);
    await next();
  });
  app.openapi(alertmanagerRoute, async (c) => {
    const agent = alertmanagerOf.get(c);
    if (!agent) throw new AppError('unauthorized', 'an alertmanager token is required');
    const result = await receiveAlertmanager(c.get('db'), c.req.valid('json'), { agent, ...options });
    return c.json(result, 200);
  });

  app.openapi(listSilencesRoute, async (c) => {
    assertCan(c.get('actor').access, 'read', 'alerting');
    return c.json({ items: await listSilences(c.get('db'), c.req.valid('query')) }, 200);
  });
  app.openapi(createSilenceRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerting');
    const silence = await createSilence(c.get('db'), c.req.valid('json'), c.get('actor'));
    await refreshMuting(c.get('db'), options.notifier);
    return c.json(silence, 201);
  });
  app.openapi(expireSilenceRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerting');
    const silence = await expireSilence(c.get('db'), c.req.valid('param').id, c.get('actor'));
    await refreshMuting(c.get('db'), options.notifier);
    return c.json(silence, 200);
  });
  app.openapi(listRulesRoute, async (c) => {
    assertCan(c.get('actor').access, 'read', 'alerting');
    return c.json({ items: Object.values(await loadRuleBook(c.get('db'))) }, 200);
  });
  app.openapi(updateRuleRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerting');
    const { rule } = c.req.valid('param');
    if (!(rule in builtInRules)) throw new AppError('not_found', `alert rule ${rule} does not exist`);
    return c.json(await updateRule(c.get('db'), rule, c.req.valid('json'), c.get('actor')), 200);
  });
}
