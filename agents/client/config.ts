import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AgentKind } from './protocol.ts';
import { ConfigError } from './token.ts';

// Kept apart from the schemas, so that code running after start-up does not hold zod.
export { agentToken, ConfigError } from './token.ts';

const code = z.string().trim().min(1, 'is required').max(64, 'is longer than 64 characters');
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** What every agent shares: where to send, who it is, how often, and its spool. */
const common = {
  api_url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  /** The token itself, or `token_file` naming a file that holds it (a mounted secret). */
  token: z.string().trim().min(1).optional(),
  token_file: z.string().min(1).optional(),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'may hold only letters, digits, ".", "_" and "-" (up to 100)'),
  interval_seconds: count(1, 86_400).default(30),
  spool_dir: z.string().min(1),
  spool_max_bytes: count(4096, 64 * 1024 ** 3).default(256 * 1024 ** 2),
  spool_max_age_hours: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(72),
  /** Rounds larger than this are sent as several batches (the server has an item limit). */
  max_batch_items: count(1, 100_000).default(1000),
  request_timeout_seconds: z.coerce.number().positive().max(600).default(15),
  backoff_initial_ms: count(1, 3_600_000).default(1000),
  backoff_max_ms: count(1, 3_600_000).default(60_000),
  metrics_enabled: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(true),
  /** 0.0.0.0 so Prometheus can scrape the pod; set 127.0.0.1 on a shared host. */
  metrics_host: z.string().min(1).default('0.0.0.0'),
  /** 0 picks a free port (it is logged). */
  metrics_port: count(0, 65_535).default(9464),
};

const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export const NodeTarget = z
  .object({
    code,
    /** tcp: `host:port` (`[::1]:443` for IPv6); http: an http(s) URL. */
    address: z.string().trim().min(1),
    method: z.enum(['tcp', 'http']),
  })
  .superRefine((node, ctx) => {
    if (node.method === 'tcp') {
      const m = hostPort.exec(node.address);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535)
        ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be host:port for tcp' });
    } else if (!/^https?:\/\//.test(node.address) || !URL.canParse(node.address)) {
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be an http(s) URL for http' });
    }
  });
export type NodeTarget = z.infer<typeof NodeTarget>;

const withToken = <T extends { token?: string; token_file?: string }>(config: T, ctx: z.RefinementCtx) => {
  if (!config.token && !config.token_file) ctx.addIssue({ code: 'custom', path: ['token'], message: 'is required (or token_file)' });
};

export const NetworkAgentConfig = z
  .object({
    ...common,
    nodes: z.array(NodeTarget).min(1, 'must list at least one node'),
    /** Attempts per node per round; loss is the failed share. */
    attempts: count(1, 20).default(3),
    timeout_ms: count(10, 60_000).default(2000),
    /** Probes in flight at once, across all nodes. */
    concurrency: count(1, 10_000).default(256),
  })
  .superRefine(withToken)
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.nodes.forEach((node, index) => {
      if (seen.has(node.code)) ctx.addIssue({ code: 'custom', path: ['nodes', index, 'code'], message: `${node.code} is listed twice` });
      seen.add(node.code);
    });
  });
export type NetworkAgentConfig = z.infer<typeof NetworkAgentConfig>;

export const CloudAgentConfig = z
  .object({
    ...common,
    cloud: code,
    /** A kubeconfig file; absent: the in-cluster service account. */
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    adapter: z.enum(['kubernetes']).default('kubernetes'),
  })
  .superRefine(withToken);
export type CloudAgentConfig = z.infer<typeof CloudAgentConfig>;

/** YYYY-MM-DD that names a real day (not 2024-02-30). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

const isoDate = z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD');

/** The exchange platform's PostgreSQL: a read-only query of the daily counts. */
export const ExchangeSqlSource = z
  .object({
    /** postgres://user@host:5432/db[?sslmode=…], without the password. */
    connection: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .superRefine((value, ctx) => {
        if (!/^postgres(ql)?:\/\//.test(value) || !URL.canParse(value)) {
          ctx.addIssue({ code: 'custom', message: 'must be a postgres:// URL' });
        } else if (new URL(value).password || new URL(value).searchParams.has('password')) {
          // A password in the URL would sit in a ConfigMap and in every error that echoes it.
          ctx.addIssue({ code: 'custom', message: 'must not hold the password: use password_env or password_file' });
        }
      }),
    /** The name of an environment variable holding the password. */
    password_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name')
      .optional(),
    /** A file holding the password (a mounted secret). */
    password_file: z.string().min(1).optional(),
    /** Returns rows (service, date, count); `$1` is the first date still to read. */
    query: z
      .string()
      .trim()
      .min(1)
      .max(20_000, 'is longer than 20000 characters')
      .refine((q) => /\$1(?!\d)/.test(q), 'must use $1, the first date to read (e.g. where day >= $1)'),
    statement_timeout_seconds: z.coerce.number().positive().max(3600).default(60),
    /** More rows than this fails the round (narrow the query or raise it) rather than sending part of a day. */
    max_rows: count(1, 1_000_000).default(100_000),
    /** Days before the newest one reported that are read again: their counts may still grow. */
    lookback_days: count(0, 366).default(3),
    /** The first date to read when nothing was reported yet (default: 30 days ago). */
    start_date: isoDate.optional(),
  })
  .superRefine((sql, ctx) => {
    if (sql.password_env && sql.password_file)
      ctx.addIssue({ code: 'custom', path: ['password_file'], message: 'give password_env or password_file, not both' });
  });
export type ExchangeSqlSource = z.infer<typeof ExchangeSqlSource>;

/** A folder where the exchange platform drops CSV files `service_code,date,count`. */
export const ExchangeCsvSource = z.object({
  dir: z.string().min(1),
  /** A larger file is rejected; a round reads files up to this many bytes in all (at least one). */
  max_file_bytes: count(1, 256 * 1024 ** 2).default(16 * 1024 ** 2),
  max_files_per_round: count(1, 10_000).default(100),
  /** A file is read once unchanged this long (a platform writing in place is not done yet). */
  settle_seconds: count(0, 3600).default(10),
});
export type ExchangeCsvSource = z.infer<typeof ExchangeCsvSource>;

export const ExchangeAgentConfig = z
  .object({
    ...common,
    interval_seconds: count(1, 86_400).default(300),
    sql: ExchangeSqlSource.optional(),
    csv: ExchangeCsvSource.optional(),
  })
  .superRefine(withToken)
  .superRefine((config, ctx) => {
    if (!config.sql === !config.csv)
      ctx.addIssue({ code: 'custom', path: [config.sql ? 'csv' : 'sql'], message: 'give exactly one source: sql or csv' });
  });
export type ExchangeAgentConfig = z.infer<typeof ExchangeAgentConfig>;

export interface AgentConfigs {
  network: NetworkAgentConfig;
  cloud: CloudAgentConfig;
  exchange: ExchangeAgentConfig;
}
const schemas = { network: NetworkAgentConfig, cloud: CloudAgentConfig, exchange: ExchangeAgentConfig };

export type AgentConfig = AgentConfigs[AgentKind];

/** Scalar settings that the environment may override: YUNWANG_AGENT_<NAME>. */
const overridable = [
  'api_url',
  'token',
  'token_file',
  'name',
  'interval_seconds',
  'spool_dir',
  'spool_max_bytes',
  'spool_max_age_hours',
  'max_batch_items',
  'request_timeout_seconds',
  'backoff_initial_ms',
  'backoff_max_ms',
  'metrics_enabled',
  'metrics_host',
  'metrics_port',
  'attempts',
  'timeout_ms',
  'concurrency',
  'cloud',
  'kubeconfig',
  'context',
] as const;

function readFileConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file} must hold an object`);
  return parsed as Record<string, unknown>;
}

/**
 * Loads an agent's configuration: the file (JSON, or YAML for .yaml/.yml), then
 * YUNWANG_AGENT_* environment overrides, validated. Relative paths are taken from the
 * file's directory. Messages name fields, never values, so a token cannot leak into a log.
 */
export function loadAgentConfig<K extends AgentKind>(kind: K, file: string, env: NodeJS.ProcessEnv = process.env): AgentConfigs[K] {
  const raw = readFileConfig(file);
  for (const key of overridable) {
    const value = env[`YUNWANG_AGENT_${key.toUpperCase()}`];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = schemas[kind].safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.map(String).join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`invalid ${kind}-agent configuration in ${file}:\n${lines.join('\n')}`);
  }
  const base = path.dirname(path.resolve(file));
  const config = result.data;
  config.spool_dir = path.resolve(base, config.spool_dir);
  if (config.token_file) config.token_file = path.resolve(base, config.token_file);
  if ('kubeconfig' in config && config.kubeconfig) config.kubeconfig = path.resolve(base, config.kubeconfig);
  if ('csv' in config && config.csv) config.csv.dir = path.resolve(base, config.csv.dir);
  if ('sql' in config && config.sql?.password_file) config.sql.password_file = path.resolve(base, config.sql.password_file);
  // The schema chosen by `kind` is the type `kind` selects; TS cannot follow the lookup.
  return config as AgentConfigs[K];
}
