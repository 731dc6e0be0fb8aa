import { serve } from '@hono/node-server';
import { type RunningEngine, startAlertEngine } from './alerts/engine.ts';
import { appMetrics, createApp } from './app.ts';
import { openConfiguredDatabase } from './bootstrap/open.ts';
import { prepareDatabase } from './bootstrap/prepare.ts';
import { type Config, credentialsDir, loadConfig } from './config.ts';
import { type DemoLiveAgents, startDemoLiveAgents } from './demo/live.ts';
import { startDocumentJobs } from './documents/jobs.ts';
import { documentStoreFrom } from './documents/store.ts';
import { startIdentityJobs } from './identity/jobs.ts';
import { checkRollups } from './indicators/rollups/check.ts';
import { type RunningJobs, startIngestJobs } from './ingest/jobs.ts';
import { createLogger } from './kernel/log.ts';
import { createSnapshotScheduler } from './leadership/scheduler.ts';
import { type Deliverer, startNotificationDeliverer } from './notify/deliverer.ts';
import { outboxNotifier } from './notify/outbox.ts';
import { type RunningSlaWatch, startSlaWatch } from './work-orders/sla-watch.ts';

/** Listens at once (so /livez answers), prepares the database, then turns ready. */
export async function runServer(config: Config = loadConfig()): Promise<void> {
  // Structured logs (JSON lines, pretty in a terminal); `log` keeps the line-taking helpers' signature.
  const logger = createLogger({ level: config.LOG_LEVEL });
  const log = (line: string) => logger.info(line);
  const demo = config.YUNWANG_DEMO ? { password: config.YUNWANG_DEMO_PASSWORD, log } : undefined;
  const database = await openConfiguredDatabase(config, logger, { demo });
  let ready = false;
  const app = createApp({ database, config, isReady: () => ready, logger, demo: config.YUNWANG_DEMO });
  // Every background job runs through this: timed, counted (yunwang_job_*), failures logged.
  const { jobs: monitor } = appMetrics(app);
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) =>
    log(`yunwang listening on http://localhost:${info.port} (${database.kind})`),
  );
  // The month-end snapshot job; it also freezes months queued by the demo loader, after ready.
  const scheduler = config.YUNWANG_SNAPSHOT_SCHEDULER
    ? createSnapshotScheduler({
        db: database.db,
        intervalMs: config.YUNWANG_SNAPSHOT_CHECK_MINUTES * 60_000,
        concurrency: config.YUNWANG_SNAPSHOT_CONCURRENCY,
        jobs: monitor,
      })
    : null;
  let stopping = false;
  let jobs: RunningJobs | undefined;
  let identityJobs: ReturnType<typeof startIdentityJobs> | undefined;
  let documentJobs: ReturnType<typeof startDocumentJobs> | undefined;
  let engine: RunningEngine | undefined;
  let slaWatch: RunningSlaWatch | undefined;
  let deliverer: Deliverer | undefined;
  let demoLive: DemoLiveAgents | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining connections`);
    // The snapshot job stops after the month in hand; an unfinished freeze rolls back and is redone.
    const schedulerStopped = scheduler?.stop();
    // The demo agents finish the round in hand before the database closes.
    const demoLiveStopped = demoLive?.stop();
    server.close(async () => {
      await demoLiveStopped;
      await jobs?.stop();
      await identityJobs?.stop();
      await documentJobs?.stop();
      await slaWatch?.stop();
      await engine?.stop();
      await deliverer?.stop();
      await schedulerStopped;
      await database.close();
      process.exit(0);
    });
    // Connections that never close must not keep a rolling update waiting forever.
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await prepareDatabase(database, {
    demo: config.YUNWANG_DEMO,
    demoPassword: config.YUNWANG_DEMO_PASSWORD,
    credentialsDir: credentialsDir(config),
    log,
  });
  jobs = startIngestJobs(database.db, {
    retentionDays: config.YUNWANG_SAMPLE_RETENTION_DAYS,
    intervalSeconds: config.YUNWANG_INGEST_JOB_INTERVAL_SECONDS,
    jobs: monitor,
  });
  identityJobs = startIdentityJobs(database.db, { intervalSeconds: config.YUNWANG_SESSION_PRUNE_SECONDS, jobs: monitor });
  documentJobs = startDocumentJobs(database.db, documentStoreFrom(config), {
    olderThanHours: config.YUNWANG_DOCUMENT_UNATTACHED_HOURS,
    jobs: monitor,
  });
  // Every replica runs the engine (an advisory lock lets one evaluate at a time) and the
  // deliverer (each notification is claimed by one).
  const alerting = appMetrics(app).alerting;
  engine = startAlertEngine(database.db, {
    intervalSeconds: config.YUNWANG_ALERT_EVALUATION_SECONDS,
    reopenMinutes: config.YUNWANG_ALERT_REOPEN_MINUTES,
    retentionDays: config.YUNWANG_ALERT_RETENTION_DAYS,
    notifier: outboxNotifier,
    onEvaluated: (seconds) => alerting.evaluation(seconds),
    jobs: monitor,
  });
  // Marks work orders at risk and breached; the engine's work_order_sla rule turns a breach into an alert.
  slaWatch = startSlaWatch(database.db, { intervalSeconds: config.YUNWANG_SLA_INTERVAL_SECONDS, jobs: monitor });
  deliverer = startNotificationDeliverer(database.db, {
    pollSeconds: config.YUNWANG_NOTIFY_POLL_SECONDS,
    maxAttempts: config.YUNWANG_NOTIFY_MAX_ATTEMPTS,
    onOutcome: (kind, outcome) => alerting.notification(kind, outcome),
    jobs: monitor,
  });
  ready = true;
  log('ready');
  // Compute the business gauges once now, so that no scrape waits for the first computation.
  const metricsAuth: Record<string, string> = config.YUNWANG_METRICS_TOKEN
    ? { Authorization: `Bearer ${config.YUNWANG_METRICS_TOKEN}` }
    : {};
  void Promise.resolve(app.request('/metrics', { headers: metricsAuth })).catch((error: unknown) =>
    logger.warn({ err: error }, 'the first computation of the metrics failed; the next scrape tries again'),
  );
  scheduler?.start();
  // Once, in the background: do the rollups still agree with the items? (yunwang_rollup_mismatches)
  // Not on the embedded database, whose queries run on this thread: seconds of recount would hold every request.
  if (config.YUNWANG_ROLLUP_CHECK && database.kind === 'postgres')
    void checkRollups(database.db, log).catch((error: unknown) => logger.error({ err: error }, 'rollup check failed'));
  // Demo mode's live data: simulated agents feed the real ingest path, so nodes, alerts and dashboards move.
  if (config.YUNWANG_DEMO && config.YUNWANG_DEMO_LIVE) {
    // Its lines are failures (a batch refused, a round failed): warnings.
    demoLive = startDemoLiveAgents({
      app,
      db: database.db,
      intervalSeconds: config.YUNWANG_DEMO_LIVE_SECONDS,
      log: (line) => logger.warn({ job: 'demo_live' }, line),
    });
    log(
      `demo live agents started: demo-network-agent and demo-cloud-agent report every ${config.YUNWANG_DEMO_LIVE_SECONDS} s (YUNWANG_DEMO_LIVE=0 turns them off)`,
    );
  }
}
