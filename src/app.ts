import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { Registry } from 'prom-client';
import { registerAlertingRoutes } from './alerts/alerting-routes.ts';
import { registerAlertRoutes } from './alerts/routes.ts';
import { registerAuditRoutes } from './audit/routes.ts';
import { type Config, leadershipSettings, loadConfig } from './config.ts';
import { registerConsole } from './console/routes.tsx';
import type { Database } from './db/client.ts';
import { registerDocumentRoutes } from './documents/routes.ts';
import { documentStoreFrom } from './documents/store.ts';
import { registerGeoRoutes } from './geo/routes.ts';
import { accessLog } from './http/access-log.ts';
import { registerDocs } from './http/docs.ts';
import { clientAddress, onError, problemResponse, requestId } from './http/middleware.ts';
import { documentedRoutes, registerOpenApiDocument } from './http/openapi.ts';
import { type AppEnv, createRouter } from './http/router.ts';
import { authenticate, authorize, operationMatcher, sessionCookie } from './identity/middleware.ts';
import { principalCache } from './identity/principal-cache.ts';
import { registerSessionRoutes } from './identity/session-routes.ts';
import { registerTokenRoutes } from './identity/token-routes.ts';
import { registerUserRoutes } from './identity/user-routes.ts';
import { registerImportRoutes } from './imports/routes.ts';
import { IndicatorCache } from './indicators/cache.ts';
import { registerIndicatorRoutes } from './indicators/routes.ts';
import type { IndicatorReport } from './indicators/service.ts';
import { registerIngestRoutes } from './ingest/routes.ts';
import { registerInterconnectionRoutes } from './interconnection/routes.ts';
import { buildInfo } from './kernel/build-info.ts';
import { AppError } from './kernel/errors.ts';
import { fallbackLogger, type Logger } from './kernel/log.ts';
import { targetSampleSource } from './leadership/metrics.ts';
import { registerPublicationRoutes } from './leadership/publication-routes.ts';
import { registerLeadershipRoutes } from './leadership/routes.ts';
import { alertingSource } from './metrics/alerting.ts';
import { registerJobMetrics } from './metrics/jobs.ts';
import { type AppMetrics, createMetricsRegistry } from './metrics/registry.ts';
import { registerMetricsRoute, requestTimer } from './metrics/routes.ts';
import { businessSource } from './metrics/sources.ts';
import { workOrdersSource } from './metrics/work-orders.ts';
import { outboxNotifier } from './notify/outbox.ts';
import { registerNotifyRoutes } from './notify/routes.ts';
import { registerRegionRoutes } from './regions/routes.ts';
import { registerRegistryRoutes } from './registry/routes.ts';
import { registerReviewRoutes } from './review/routes.ts';
import { registerScreenRoutes } from './screen/routes.ts';
import { registerTodoRoutes } from './todo/routes.ts';
import { registerWorkOrderRoutes } from './work-orders/routes.ts';
import { registerServiceLevelRoutes } from './work-orders/service-levels-routes.ts';
import { registerWorkOrderStatsRoutes } from './work-orders/stats-routes.ts';

export interface AppOptions {
  database: Database;
  /** The body limits at least; anything else left out takes its documented default. */
  config: Pick<Config, 'YUNWANG_BODY_LIMIT_BYTES' | 'YUNWANG_IMPORT_LIMIT_BYTES'> & Partial<Config>;
  /** False while the first start migrates and seeds; the API answers 503 until then. */
  isReady?: () => boolean;
  /** The access log, request errors, metrics refreshes; without one, warnings and errors go to stderr. */
  logger?: Logger;
  /** Demo mode: every page says the data is demo data. */
  demo?: boolean;
}

/** Builds the whole HTTP app; `server.ts` only listens. Tests call `app.request()`. */
export function createApp(options: AppOptions) {
  const { database } = options;
  const config: Config = { ...loadConfig({}), ...options.config };
  const isReady = options.isReady ?? (() => true);
  const logger = options.logger ?? fallbackLogger();
  const app = createRouter();
  // One figure cache for every reader of the official indicators (API, maps, metrics).
  const indicatorCache = new IndicatorCache<IndicatorReport>();
  // Signed-in principals between requests: one per app, shared by the API and the map layers.
  const principals = principalCache();
  const metricsTtlMs = config.YUNWANG_METRICS_CACHE_SECONDS * 1000;
  // All refreshed behind the scrapes (src/metrics/ttl.ts), each refresh a pass of the metrics_refresh job.
  const registry = new Registry();
  const jobs = registerJobMetrics(registry, logger);
  const source = { ttlMs: metricsTtlMs, jobs };
  const metrics = createMetricsRegistry(
    registry,
    {
      targetSamples: targetSampleSource(database.db, { ...source, cache: indicatorCache }).targetSamples,
      business: businessSource(database.db, { ...source, cache: indicatorCache }).snapshot,
      alerting: alertingSource(database.db, source).snapshot,
      workOrders: workOrdersSource(database.db, source).snapshot,
    },
    { build: buildInfo(config.YUNWANG_REVISION), pool: database.connections, jobs },
  );

  app.use('*', requestTimer(metrics));
  app.use('*', accessLog(logger));
  app.use('*', requestId);
  app.use(
    '*',
    secureHeaders({
      // No external origin anywhere: the console's scripts and ECharts are files the app serves.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  const trustedProxies = config.YUNWANG_TRUSTED_PROXIES || (config.YUNWANG_TRUST_PROXY ? 1 : 0);
  app.use('*', async (c, next) => {
    c.set('db', database.db);
    c.set('sourceIp', clientAddress(c, trustedProxies));
    await next();
  });
  const untilReady: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (!isReady()) return problemResponse(c, new AppError('not_ready', 'yunwang is still preparing its database; try again in a moment'));
    await next();
  };
  app.use('/api/*', untilReady);
  app.use('/geo/*', untilReady);
  app.use('/console', untilReady);
  app.use('/console/*', untilReady);
  const tooLarge = (limit: number) => () => {
    throw new AppError('payload_too_large', `request body is larger than ${limit} bytes`);
  };
  // An upload is streamed to disk and counted as it comes (imports/upload.ts); a declared length
  // over the limit is refused here, before anything is read.
  app.use('/api/v1/import/*', async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > config.YUNWANG_IMPORT_LIMIT_BYTES) tooLarge(config.YUNWANG_IMPORT_LIMIT_BYTES)();
    await next();
  });
  // A document's limit is the file's; the multipart envelope around it gets 64 KiB more.
  const documentBodyLimit = config.YUNWANG_DOCUMENT_LIMIT_BYTES + 64 * 1024;
  app.use(
    '/api/v1/documents',
    bodyLimit({
      maxSize: documentBodyLimit,
      onError: () => {
        throw new AppError(
          'payload_too_large',
          `a document may be at most ${config.YUNWANG_DOCUMENT_LIMIT_BYTES} bytes; nothing was stored`,
          [{ field: 'file', message: `is larger than ${config.YUNWANG_DOCUMENT_LIMIT_BYTES} bytes` }],
        );
      },
    }),
  );
  const apiBodyLimit = bodyLimit({ maxSize: config.YUNWANG_BODY_LIMIT_BYTES, onError: tooLarge(config.YUNWANG_BODY_LIMIT_BYTES) });
  app.use('/api/*', async (c, next) => {
    // A GET or HEAD has no body (the Fetch API refuses one), and asking for it builds the whole
    // Request object: half the CPU time of a cached signed-in read.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    // Imports, agent batches and documents have their own, larger limits.
    if (c.req.path.startsWith('/api/v1/import/') || c.req.path.startsWith('/api/v1/ingest/') || c.req.path === '/api/v1/documents')
      return next();
    return apiBodyLimit(c, next);
  });

  app.use('/api/*', authenticate(database, principals));
  // The operation table is read from the routes the OpenAPI document is made of, once every route is registered.
  const operationOf = operationMatcher(() => documentedRoutes(app.openAPIRegistry.definitions));
  app.use('/api/*', authorize(database, operationOf));
  // The map layers compute a figure per division: signed-in readers only (issue 14, item 4).
  app.use('/geo/*', authenticate(database, principals));
  app.use('/geo/*', authorize(database, operationOf));

  app.get('/livez', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!isReady()) return problemResponse(c, new AppError('not_ready', 'database is being prepared'));
    // The embedded database lives in this process and cannot become unreachable; a ping would
    // only wait in its one queue behind the background jobs.
    if (database.kind === 'pglite') return c.json({ status: 'ready', database: database.kind });
    try {
      await database.ping();
    } catch {
      return problemResponse(c, new AppError('not_ready', 'database is unreachable'));
    }
    return c.json({ status: 'ready', database: database.kind });
  });

  registerRegionRoutes(app);
  registerRegistryRoutes(app, { backdateDays: config.YUNWANG_BACKDATE_DAYS });
  registerIndicatorRoutes(app, indicatorCache);
  registerInterconnectionRoutes(app);
  registerGeoRoutes(app);
  registerImportRoutes(app, config.YUNWANG_IMPORT_LIMIT_BYTES);
  registerIngestRoutes(app, config, metrics.ingest);
  registerLeadershipRoutes(app, leadershipSettings(config));
  registerPublicationRoutes(app, leadershipSettings(config), config.YUNWANG_RECTIFICATION_DAYS);
  registerMetricsRoute(app, metrics, isReady, config.YUNWANG_METRICS_TOKEN);
  registerAlertRoutes(app, { reopenMinutes: config.YUNWANG_ALERT_REOPEN_MINUTES, notifier: outboxNotifier });
  registerAlertingRoutes(app, { notifier: outboxNotifier });
  // Before the order routes: /work-orders/stats is not the order /work-orders/{code}.
  registerWorkOrderStatsRoutes(app);
  registerWorkOrderRoutes(app);

  registerSessionRoutes(app, { loginRatePerMinute: config.YUNWANG_LOGIN_RATE_PER_MINUTE ?? 10 });
  registerTokenRoutes(app);
  registerUserRoutes(app);
  registerAuditRoutes(app);
  registerReviewRoutes(app);
  registerDocumentRoutes(app, documentStoreFrom(config), config.YUNWANG_DOCUMENT_LIMIT_BYTES);
  registerNotifyRoutes(app);
  registerServiceLevelRoutes(app);
  registerTodoRoutes(app);
  registerScreenRoutes(app, { cache: indicatorCache, leadership: leadershipSettings(config) });
  registerConsole(app, { database, demo: options.demo ?? false, cache: indicatorCache, leadership: leadershipSettings(config) });

  app.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: sessionCookie });
  app.openAPIRegistry.registerComponent('securitySchemes', 'token', { type: 'http', scheme: 'bearer', description: 'API token yw_…' });
  registerOpenApiDocument(app, [{ session: [] }, { token: [] }]);
  registerDocs(app);
  app.get('/', (c) =>
    c.html(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>云网 yunwang</title></head>
<body>${options.demo ? '<p role="status" style="background:#fff3cd;padding:.5em">演示数据 DEMO DATA — not real figures; demo users sign in with the demo password.</p>' : ''}<h1>云网 yunwang</h1><p>政务云与电子政务外网运行监测 — e-government cloud &amp; network console.</p>
<ul><li><a href="/console">控制台 / Console</a></li><li><a href="/docs">API 文档 / API docs</a></li><li><a href="/openapi.json">OpenAPI</a></li>
<li><a href="/api/v1/indicators?scope=450000">全区指标 / Province indicators (JSON)</a></li>
<li><a href="/api/v1/snapshots">月度快照 / Monthly snapshots (JSON)</a></li></ul></body></html>`),
  );
  app.notFound((c) => problemResponse(c, new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError(onError(logger));
  metricsOf.set(app, metrics);
  return app;
}

export type App = ReturnType<typeof createApp>;

const metricsOf = new WeakMap<object, AppMetrics>();

/**
 * The metrics of an app createApp built, for the server's own jobs (the alert engine and the
 * notification deliverer record through `alerting`): the app's type stays what Hono makes it.
 */
export function appMetrics(app: App): AppMetrics {
  const metrics = metricsOf.get(app);
  if (!metrics) throw new Error('appMetrics: not an app built by createApp');
  return metrics;
}
