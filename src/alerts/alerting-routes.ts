import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, jsonBody, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { assertCan } from '../identity/access.ts';
import { AppError } from '../kernel/errors.ts';
import { refreshMuting } from './engine.ts';
import type { AlertNotifier } from './lifecycle.ts';
import { builtInRules, loadRuleBook, updateRule } from './rules.ts';
import { AlertId, RuleSettings, RuleUpdate, SilenceInput, SilenceView } from './schemas.ts';
import { createSilence, expireSilence, listSilences } from './silences.ts';

const route = routesTagged('alerts');

const listSilencesRoute = route({
  method: 'get',
  path: '/api/v1/silences',
  operationId: 'listSilences',
  summary: 'Silences and maintenance windows: live (default), expired or all',
  request: { query: z.object({ state: z.enum(['live', 'expired', 'all']).optional() }) },
  responses: { 200: json('Silences', z.object({ items: z.array(SilenceView) })) },
});

const createSilenceRoute = route({
  method: 'post',
  path: '/api/v1/silences',
  operationId: 'createSilence',
  summary: 'Silence matching alerts for a time, or every week in a window (recurrence); silenced alerts are kept, not notified',
  request: { body: jsonBody(SilenceInput) },
  responses: { 201: json('The silence', SilenceView) },
});

const expireSilenceRoute = route({
  method: 'delete',
  path: '/api/v1/silences/{id}',
  operationId: 'expireSilence',
  summary: 'Expire a silence now (it stays on record)',
  request: { params: AlertId },
  responses: { 200: json('The expired silence', SilenceView), 409: problem('Already ended') },
});

const listRulesRoute = route({
  method: 'get',
  path: '/api/v1/alert-rules',
  operationId: 'listAlertRules',
  summary: 'The built-in alert rules as they run now',
  responses: { 200: json('Rules', z.object({ items: z.array(RuleSettings) })) },
});

const updateRuleRoute = route({
  method: 'put',
  path: '/api/v1/alert-rules/{rule}',
  operationId: 'updateAlertRule',
  summary: 'Change a rule: enabled, severity, for_seconds, thresholds (fields left out keep their value)',
  request: {
    params: z.object({ rule: z.string().openapi({ param: { name: 'rule', in: 'path' }, example: 'node_down' }) }),
    body: jsonBody(RuleUpdate),
  },
  responses: { 200: json('The rule', RuleSettings) },
});

/** How alerting is set up: silences (maintenance windows) and the rules' settings. */
export function registerAlertingRoutes(app: OpenAPIHono<AppEnv>, options: { notifier?: AlertNotifier }) {
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
