import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { recordAudit } from '../audit/service.ts';
import type { LeadershipSettings } from '../config.ts';
import { json, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { itemsOf, pathParam } from '../http/schemas.ts';
import { indicatorKeys } from '../indicators/definitions.ts';
import { isoDate } from '../registry/schemas.ts';
import { forecast } from './forecast.ts';
import { freezeMonth } from './freeze.ts';
import { frozenReport, frozenSeries } from './frozen-figures.ts';
import { targetProgress } from './progress.ts';
import { rankingWithMovement } from './ranking-movement.ts';
import { buildSupervisionReport } from './report.ts';
import { supervisionHtml } from './report-html.ts';
import { supervisionXlsx } from './report-xlsx.ts';
import {
  ForecastSchema,
  FreezeInput,
  FreezeResultSchema,
  FrozenReportSchema,
  monthString,
  RankingSchema,
  SeriesSchema,
  SnapshotMetaSchema,
  TargetInput,
  TargetProgressSchema,
  TargetStatusSchema,
  TrajectorySchema,
  targetScope,
} from './schemas.ts';
import { listSnapshots, snapshotRevisions } from './snapshots.ts';
import { listTrajectories, removeTargets, setTarget, targetStatus } from './targets.ts';

const route = routesTagged('leadership');

const MonthQuery = z.object({ month: monthString });
const MonthParam = pathParam('month', monthString);

const routes = {
  listTargets: route.get('/api/v1/targets', 'listTargets', json('The trajectories', itemsOf(TrajectorySchema)), {
    summary: 'Target trajectories, by indicator and scope',
    query: z.object({ indicator: z.enum(indicatorKeys).optional(), scope: targetScope.optional() }),
  }),
  setTarget: route.put('/api/v1/targets', 'setTarget', json('The trajectory as it now stands', TrajectorySchema), {
    summary: 'Set one point (deadline, ratio) of a trajectory; the same deadline again replaces it',
    body: TargetInput,
  }),
  removeTargets: route.delete('/api/v1/targets', 'removeTargets', {
    summary: 'Remove one point of a trajectory (with deadline) or the whole trajectory',
    query: z.object({ indicator: z.enum(indicatorKeys), scope: targetScope, deadline: isoDate.optional() }),
    responses: { 200: json('How many points were removed', z.object({ removed: z.number().int() })) },
  }),
  targetStatus: route.get('/api/v1/targets/status', 'getTargetStatus', json('Figures against targets', TargetStatusSchema), {
    summary: 'For a scope and date: each figure, the target in force, the gap and whether it is behind',
    query: z.object({
      scope: z.string().min(1).openapi({ example: '450100' }),
      at: isoDate.optional().openapi({ description: 'Default: today', example: '2020-07-31' }),
    }),
  }),
  targetProgress: route.get('/api/v1/targets/progress', 'getTargetProgress', json('The scope against its targets', TargetProgressSchema), {
    summary: "A scope's indicators month by month against their targets: gap, 环比, 同比 and the forecast date of 100%",
    query: z.object({
      scope: z
        .string()
        .min(1)
        .max(64)
        .openapi({ description: 'The province, a city or county (division code) or dept:<code>', example: '450000' }),
      month: monthString.optional().openapi({ description: 'Up to this frozen month (default: the latest)' }),
    }),
  }),
  listSnapshots: route.get('/api/v1/snapshots', 'listSnapshots', json('The months', itemsOf(SnapshotMetaSchema)), {
    summary: 'Every month with a snapshot (frozen, or queued for the snapshot job)',
  }),
  freeze: route.post('/api/v1/snapshots', 'freezeSnapshot', json('What happened', FreezeResultSchema), {
    summary: 'Freeze a month (again only with refreeze and a reason)',
    body: FreezeInput,
    responses: { 409: problem('The registry kept changing while freezing') },
  }),
  series: route.get('/api/v1/snapshots/series', 'getSnapshotSeries', json('The series', SeriesSchema), {
    summary: "A scope's frozen figures of one indicator, month by month (the trend line)",
    query: z.object({
      scope: z.string().min(1).openapi({ example: '450100' }),
      indicator: z.enum(indicatorKeys),
      from: monthString.optional(),
      to: monthString.optional(),
    }),
  }),
  revisions: route.get('/api/v1/snapshots/{month}', 'getSnapshot', {
    summary: 'A month and every revision of it, newest first',
    params: MonthParam,
    responses: { 200: json('The revisions', z.object({ month: z.string(), revisions: z.array(SnapshotMetaSchema) })) },
  }),
  figures: route.get('/api/v1/snapshots/{month}/figures', 'getFrozenFigures', json('The frozen report', FrozenReportSchema), {
    summary: "One scope's indicators as frozen for the month",
    params: MonthParam,
    query: z.object({ scope: z.string().min(1).openapi({ example: '450000' }) }),
  }),
  forecast: route.get('/api/v1/forecasts', 'getForecast', json('The forecasts', ForecastSchema), {
    summary: 'When each indicator reaches 100% at its recent pace (least squares over the last N snapshots)',
    query: z.object({
      scope: z.string().min(1).openapi({ description: 'A scope, or `cities` / `departments` for the whole group', example: 'cities' }),
      month: monthString.optional().openapi({ description: 'Forecast from this month back (default: the latest frozen)' }),
    }),
  }),
  ranking: route.get('/api/v1/ranking', 'getRanking', json('The ranking', RankingSchema), {
    summary:
      'The red/black list (红黑榜) of a frozen month: cities and province-level departments, with rank movement since the previous month',
    query: MonthQuery,
  }),
  report: route.get('/api/v1/reports/supervision', 'getSupervisionReport', {
    summary: 'The monthly supervision report (督查通报) as XLSX or a printable HTML page',
    query: MonthQuery.extend({ format: z.enum(['xlsx', 'html']).default('html') }),
    responses: {
      200: {
        description: 'The report',
        content: {
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
          'text/html': { schema: z.string() },
        },
      },
    },
  }),
};

export function registerLeadershipRoutes(app: OpenAPIHono<AppEnv>, settings: LeadershipSettings) {
  app.openapi(routes.listTargets, async (c) => c.json({ items: await listTrajectories(c.get('db'), c.req.valid('query')) }, 200));
  app.openapi(routes.setTarget, async (c) => c.json(await setTarget(c.get('db'), c.req.valid('json'), c.get('actor')), 200));
  app.openapi(routes.removeTargets, async (c) => c.json(await removeTargets(c.get('db'), c.req.valid('query'), c.get('actor')), 200));
  app.openapi(routes.targetStatus, async (c) => c.json(await targetStatus(c.get('db'), c.req.valid('query')), 200));

  app.openapi(routes.targetProgress, async (c) =>
    c.json(await targetProgress(c.get('db'), c.req.valid('query'), settings.forecastMonths), 200),
  );

  app.openapi(routes.listSnapshots, async (c) => c.json({ items: await listSnapshots(c.get('db')) }, 200));
  app.openapi(routes.freeze, async (c) => {
    const body = c.req.valid('json');
    const result = await freezeMonth(c.get('db'), body.month, {
      actor: c.get('actor'),
      refreeze: body.refreeze,
      reason: body.reason,
      concurrency: settings.snapshotConcurrency,
    });
    return c.json(result, 200);
  });
  app.openapi(routes.series, async (c) => {
    const q = c.req.valid('query');
    return c.json({ scope: q.scope, indicator: q.indicator, points: await frozenSeries(c.get('db'), q) }, 200);
  });
  app.openapi(routes.revisions, async (c) => {
    const { month } = c.req.valid('param');
    return c.json({ month, revisions: await snapshotRevisions(c.get('db'), month) }, 200);
  });
  app.openapi(routes.figures, async (c) =>
    c.json(await frozenReport(c.get('db'), c.req.valid('param').month, c.req.valid('query').scope), 200),
  );

  app.openapi(routes.forecast, async (c) => c.json(await forecast(c.get('db'), c.req.valid('query'), settings.forecastMonths), 200));
  app.openapi(routes.ranking, async (c) => c.json(await rankingWithMovement(c.get('db'), c.req.valid('query').month, settings), 200));
  app.openapi(routes.report, async (c) => {
    const { month, format } = c.req.valid('query');
    const report = await buildSupervisionReport(c.get('db'), month, settings);
    // The report names every department's standing: who took it out, and which month, is audited.
    await recordAudit(c.get('db'), c.get('actor'), [
      { action: 'report.download', entityKind: 'supervision_report', entityCode: month, after: { month, format } },
    ]);
    if (format === 'html') return c.html(supervisionHtml(report), 200);
    const body = await supervisionXlsx(report);
    return c.body(body.slice().buffer, 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="supervision-${month}.xlsx"`,
    });
  });
}
