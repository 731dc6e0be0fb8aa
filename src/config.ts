import { z } from 'zod';

const boolFlag = z.enum(['0', '1', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Where the embedded PGlite database lives when DATABASE_URL is not set. */
  YUNWANG_DATA_DIR: z.string().default('./.yunwang'),
  /** postgres://… — when set, PostgreSQL 15+ is used instead of the embedded database. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Load the demo dataset on first start (default on; YUNWANG_DEMO=0 to leave it out). */
  YUNWANG_DEMO: boolFlag.default(true),
  /** Largest accepted JSON body, in bytes; imports have their own, larger limit. */
  YUNWANG_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  YUNWANG_IMPORT_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024),
  /** Behind a reverse proxy or ingress: take the client address from X-Forwarded-For. */
  YUNWANG_TRUST_PROXY: boolFlag.default(false),
  /** The password of the demo users (demo mode only). */
  YUNWANG_DEMO_PASSWORD: z.string().min(8).default('Demo-Passw0rd!'),
  /** Login attempts allowed per client address per minute, before 429. */
  YUNWANG_LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Largest accepted agent batch, in bytes, and most items in one batch (POST /api/v1/ingest/batches). */
  YUNWANG_INGEST_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(8 * 1024 * 1024),
  YUNWANG_INGEST_MAX_ITEMS: z.coerce.number().int().min(1).max(100_000).default(5000),
  /** Batches applied at once; more get 429 with Retry-After, so a reconnecting fleet cannot pile up on the pool. */
  YUNWANG_INGEST_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(16),
  /** How long node probe samples are kept (the pruning job deletes older ones). */
  YUNWANG_SAMPLE_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(30),
  /** How often the server marks silent nodes unknown and prunes old samples. */
  YUNWANG_INGEST_JOB_INTERVAL_SECONDS: z.coerce.number().positive().max(86_400).default(60),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema>;

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
