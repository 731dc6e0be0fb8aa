import { z } from 'zod';
import { type IndicatorKey, indicatorKeys } from './indicators/definitions.ts';
import { logLevels } from './kernel/log.ts';

const boolFlag = z.enum(['0', '1', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

/** `key=weight,key=weight`: the indicators the red/black list scores, and how much each counts. */
const weightList = z.string().transform((text, ctx): Partial<Record<IndicatorKey, number>> => {
  const weights: Partial<Record<IndicatorKey, number>> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value] = part.split('=').map((p) => p.trim());
    const weight = Number(value);
    if (!key || !(indicatorKeys as readonly string[]).includes(key) || value === undefined || !Number.isFinite(weight) || weight < 0) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not <indicator>=<weight ≥ 0>; indicators: ${indicatorKeys.join(', ')}` });
      return z.NEVER;
    }
    weights[key as IndicatorKey] = weight;
  }
  if (!Object.values(weights).some((w) => w > 0)) {
    ctx.addIssue({ code: 'custom', message: 'at least one indicator needs a weight above 0' });
    return z.NEVER;
  }
  return weights;
});

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://');

/** A size limit in bytes, 1 KiB at the least. */
const byteLimit = (fallback: number) => z.coerce.number().int().min(1024).default(fallback);

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Where the embedded PGlite database lives when DATABASE_URL is not set. */
  YUNWANG_DATA_DIR: z.string().default('./.yunwang'),
  /** postgres://… — when set, PostgreSQL 15+ is used instead of the embedded database. */
  DATABASE_URL: postgresUrl.optional(),
  /**
   * Where one-time credentials (the first administrators', the CLI's user create and password
   * reset) are written, as 0600 files; only their path is printed. Default <YUNWANG_DATA_DIR>/credentials.
   */
  YUNWANG_CREDENTIALS_DIR: z.string().min(1).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** The owner's postgres://… for migrating; DATABASE_URL is then a role that may only INSERT and SELECT the audit trail. */
  YUNWANG_MIGRATION_DATABASE_URL: postgresUrl.optional(),
  /** The audit chain's HMAC key (a Secret); unset, a 0600 key file in YUNWANG_DATA_DIR is made and used. */
  YUNWANG_AUDIT_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  /** Load the demo dataset on first start (default on; YUNWANG_DEMO=0 to leave it out). */
  YUNWANG_DEMO: boolFlag.default(true),
  /** Largest accepted JSON body, in bytes; imports have their own, larger limit. */
  YUNWANG_BODY_LIMIT_BYTES: byteLimit(1024 * 1024),
  /**
   * Largest import upload (and CLI import file), in bytes: 1 GiB. It is streamed to a temporary
   * file (the OS temp directory), never held in memory; a CSV of a million systems is ~160 MB.
   */
  YUNWANG_IMPORT_LIMIT_BYTES: byteLimit(1024 * 1024 * 1024),
  /** Largest evidence document (认定依据) accepted by POST /api/v1/documents, in bytes: 20 MiB. */
  YUNWANG_DOCUMENT_LIMIT_BYTES: byteLimit(20 * 1024 * 1024),
  /** An uploaded document attached to nothing after this many hours is deleted. */
  YUNWANG_DOCUMENT_UNATTACHED_HOURS: z.coerce.number().positive().max(8760).default(24),
  /**
   * S3-compatible object storage for evidence documents (e.g. https://minio.example:9000, path-style
   * addressing). Unset: documents are kept in the database.
   */
  YUNWANG_S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  YUNWANG_S3_BUCKET: z.string().min(3).max(63).optional(),
  YUNWANG_S3_REGION: z.string().min(1).default('us-east-1'),
  YUNWANG_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  /** A secret: never logged. */
  YUNWANG_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /**
   * Reverse proxies (ingress, load balancer) in front of the server, each appending to
   * X-Forwarded-For: the client address is the n-th from the right. 0: the socket's address.
   */
  YUNWANG_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** Deprecated: `1` is YUNWANG_TRUSTED_PROXIES=1 (when that is not set). */
  YUNWANG_TRUST_PROXY: boolFlag.default(false),
  /** The password of the demo users (demo mode only). */
  YUNWANG_DEMO_PASSWORD: z.string().min(8).default('Demo-Passw0rd!'),
  /** Login attempts allowed per client address per minute, before 429 (counted in the database, across replicas). */
  YUNWANG_LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** How often the server deletes expired and idle sessions and old sign-in records. */
  YUNWANG_SESSION_PRUNE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Largest accepted agent batch, in bytes, and most items in one batch (POST /api/v1/ingest/batches). */
  YUNWANG_INGEST_BODY_LIMIT_BYTES: byteLimit(8 * 1024 * 1024),
  YUNWANG_INGEST_MAX_ITEMS: z.coerce.number().int().min(1).max(100_000).default(5000),
  /** Batches applied at once; more get 429 with Retry-After, so a reconnecting fleet cannot pile up on the pool. */
  YUNWANG_INGEST_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(16),
  /** How long node probe samples are kept (the pruning job deletes older ones). */
  YUNWANG_SAMPLE_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(30),
  /** How far back a department user may date a transition; older ones need a reviewer or ops. */
  YUNWANG_BACKDATE_DAYS: z.coerce.number().int().min(0).max(3650).default(31),
  /** How often the server marks silent nodes unknown and prunes old samples. */
  YUNWANG_INGEST_JOB_INTERVAL_SECONDS: z.coerce.number().positive().max(86_400).default(60),
  /** Who runs the command line, for the audit trail (cli:<name>); the OS account when unset. */
  USER: z.string().min(1).optional(),
  /** The server's log: JSON lines on stdout (pretty in a terminal); `info` includes one access line per request. */
  LOG_LEVEL: z.enum(logLevels).default('info'),
  /** The source revision yunwang_build_info reports (the image build sets it); else `git rev-parse --short HEAD`, else "unknown". */
  YUNWANG_REVISION: z.string().min(1).max(64).optional(),
  /** Red/black list (红黑榜): indicator weights of the score (the "三个100%" by default). */
  YUNWANG_RANKING_WEIGHTS: weightList.default(
    weightList.parse('cloud_migration=0.4,private_network_interconnection=0.3,service_integration=0.3'),
  ),
  /** Points of score per percentage point of weighted month-over-month progress. */
  YUNWANG_RANKING_PROGRESS_WEIGHT: z.coerce.number().min(0).max(100).default(1),
  /** Entries on each of the red and black lists: cities, and province-level departments. */
  YUNWANG_RANKING_CITY_LIST_SIZE: z.coerce.number().int().min(0).max(50).default(3),
  YUNWANG_RANKING_DEPARTMENT_LIST_SIZE: z.coerce.number().int().min(0).max(500).default(5),
  /** 整改期限: days a black-listed department has to rectify, from the report's publication. */
  YUNWANG_RECTIFICATION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Monthly snapshots the forecast fits its least-squares pace over (at least 3 are needed). */
  YUNWANG_FORECAST_MONTHS: z.coerce.number().int().min(3).max(60).default(6),
  /** After start-up on PostgreSQL, recount the indicator rollups from the items once and report (log, yunwang_rollup_mismatches). */
  YUNWANG_ROLLUP_CHECK: boolFlag.default(true),
  /** The month-end snapshot job inside the server (on by default; 0 leaves it to `yunwang snapshot`). */
  YUNWANG_SNAPSHOT_SCHEDULER: boolFlag.default(true),
  /** How often the job looks for a month to freeze. */
  YUNWANG_SNAPSHOT_CHECK_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** Scopes computed at once while freezing (PostgreSQL runs them in parallel; PGlite one by one). */
  YUNWANG_SNAPSHOT_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** How long /metrics reuses its business gauges (indicators, targets, clouds, nodes, agents) before reading them again. */
  YUNWANG_METRICS_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** When set, GET /metrics answers only `Authorization: Bearer <this>` (Prometheus `authorization.credentials`). */
  YUNWANG_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (a random secret)').optional(),
  /** How often the alert engine evaluates its rules (one replica at a time). */
  YUNWANG_ALERT_EVALUATION_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  /** How often the SLA watch brings open work orders' service-level state up to date (at risk, breached). */
  YUNWANG_SLA_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Resolved alerts (and their timelines) older than this are deleted. */
  YUNWANG_ALERT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  /** A resolved alert that fires again within this many minutes reopens (occurrences + 1) instead of a new alert. */
  YUNWANG_ALERT_REOPEN_MINUTES: z.coerce.number().int().min(0).max(1440).default(10),
  /** How often each replica looks for notifications due for delivery. */
  YUNWANG_NOTIFY_POLL_SECONDS: z.coerce.number().min(0.1).max(600).default(2),
  /** Delivery attempts before a notification is dead-lettered. */
  YUNWANG_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** Demo mode: a simulated network agent and cloud agent feed the ingest path (YUNWANG_DEMO_LIVE=0 turns them off). */
  YUNWANG_DEMO_LIVE: boolFlag.default(true),
  YUNWANG_DEMO_LIVE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Where one-time credentials are written (YUNWANG_CREDENTIALS_DIR). */
export const credentialsDir = (config: Pick<Config, 'YUNWANG_CREDENTIALS_DIR' | 'YUNWANG_DATA_DIR'>) =>
  config.YUNWANG_CREDENTIALS_DIR ?? `${config.YUNWANG_DATA_DIR}/credentials`;

/** The defaults alone: for callers (tests, benchmarks) that pass only some settings. */
export const configDefaults: Config = ConfigSchema.parse({});

/** Parses the environment once; the only place that reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** What the leadership area (targets, snapshots, forecasts, the red/black list) is tuned by. */
export interface LeadershipSettings {
  rankingWeights: Partial<Record<IndicatorKey, number>>;
  progressWeight: number;
  cityListSize: number;
  departmentListSize: number;
  forecastMonths: number;
  snapshotConcurrency: number;
}

export function leadershipSettings(config: Config = loadConfig({})): LeadershipSettings {
  return {
    rankingWeights: config.YUNWANG_RANKING_WEIGHTS,
    progressWeight: config.YUNWANG_RANKING_PROGRESS_WEIGHT,
    cityListSize: config.YUNWANG_RANKING_CITY_LIST_SIZE,
    departmentListSize: config.YUNWANG_RANKING_DEPARTMENT_LIST_SIZE,
    forecastMonths: config.YUNWANG_FORECAST_MONTHS,
    snapshotConcurrency: config.YUNWANG_SNAPSHOT_CONCURRENCY,
  };
}
