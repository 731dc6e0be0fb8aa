import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyDestination } from './log-pretty.ts';

export type { Logger };

/** LOG_LEVEL's values, most verbose first; `silent` logs nothing. */
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/**
 * Keys whose values are secrets when a logged object has them at its top level: nothing logs
 * them on purpose; this is the net under a mistake.
 */
const secretKeys = ['password', 'new_password', 'current_password', 'token', 'secret', 'totp', 'totp_code', 'cookie', 'authorization'];

/**
 * A failed query's message carries its parameters (session hashes, passwords' hashes, personal
 * data): the log keeps the SQL and drops the values.
 */
export function withoutQueryParameters(text: string): string {
  return text.replace(/^(\s*params:).*$/gm, '$1 [redacted]');
}

/**
 * An error as the log keeps it: its type, code, message and stack, with a failed query's
 * parameters dropped. Not its other properties: drizzle's errors carry the query's `params`
 * (session hashes, personal data) as fields that pino's own serializer would copy.
 */
export function logError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? withoutQueryParameters(error.cause.message) : undefined;
  return {
    type: error.name,
    message: withoutQueryParameters(error.message),
    ...(typeof code === 'string' ? { code } : {}),
    ...(cause ? { cause } : {}),
    stack: error.stack ? withoutQueryParameters(error.stack) : undefined,
  };
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; default stdout, pretty-printed when stdout is a terminal, JSON lines otherwise. */
  destination?: DestinationStream;
  /** With no destination: pretty or JSON regardless of the terminal. */
  pretty?: boolean;
}

/** The one way yunwang makes a logger: JSON lines with an ISO time and a level name. */
export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.destination ?? ((options.pretty ?? process.stdout.isTTY === true) ? prettyDestination(process.stdout) : pino.destination(1));
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: logError },
      // Top-level keys only: wildcard paths cost a walk of every logged object (a third of /livez's throughput, bench/LOGS.md).
      redact: { paths: secretKeys, censor: '[redacted]' },
    },
    destination,
  );
}

let fallback: Logger | undefined;

/**
 * For code run without a logger handed to it (tests, benchmarks, one-off scripts): warnings
 * and errors on stderr, as `console.error` did before. The server passes its own.
 */
export function fallbackLogger(): Logger {
  fallback ??= createLogger({ level: 'warn', destination: pino.destination(2) });
  return fallback;
}

/** Logs nothing: for tests that make errors on purpose. */
export const silentLogger: Logger = pino({ level: 'silent' });
