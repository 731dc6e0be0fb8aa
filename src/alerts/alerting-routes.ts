import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { IdParam, itemsOf, pathParam } from '../http/schemas.ts';
import { assertCan } from '../identity/access.ts';
import { AppError } from '../kernel/errors.ts';
import { refreshMuting } from './engine.ts';
import type { AlertNotifier } from './lifecycle.ts';
import { builtInRules, loadRuleBook, updateRule } from './rules.ts';
import { RuleSettings, RuleUpdate, SilenceInput, SilenceView } from './schemas.ts';
import { createSilence, expireSilence, listSilences } from './silences.ts';

const route = routesTagged('alerts');

const listSilencesRoute = route.get('/api/v1/silences', 'listSilences', json('Silences', itemsOf(SilenceView)), {
  summary: 'Silences and maintenance windows: live (default), expired or all',
  query: z.object({ state: z.enum(['live', 'expired', 'all']).optional() }),
});

const createSilenceRoute = route.post('/api/v1/silences', 'createSilence', {
  summary: 'Silence matching alerts for a time, or every week in a window (recurrence); silenced alerts are kept, not notified',
  body: SilenceInput,
  responses: { 201: json('The silence', SilenceView) },
});

const expireSilenceRoute = route.delete('/api/v1/silences/{id}', 'expireSilence', json('The expired silence', SilenceView), {
  summary: 'Expire a silence now (it stays on record)',
  params: IdParam,
  responses: { 409: problem('Already ended') },
});

const listRulesRoute = route.get('/api/v1/alert-rules', 'listAlertRules', json('Rules', itemsOf(RuleSettings)), {
  summary: 'The built-in alert rules as they run now',
});

const updateRuleRoute = route.put('/api/v1/alert-rules/{rule}', 'updateAlertRule', json('The rule', RuleSettings), {
  summary: 'Change a rule: enabled, severity, for_seconds, thresholds (fields left out keep their value)',
  params: pathParam('rule', z.string(), 'node_down'),
  body: RuleUpdate,
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
