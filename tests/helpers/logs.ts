/** A real pino logger (src/kernel/log.ts) whose JSON lines a test reads back. */
import { createLogger, type Logger, type LogLevel } from '../../src/kernel/log.ts';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written, as written (JSON, newline-terminated). */
  lines: string[];
  /** The lines parsed. */
  records(): Record<string, unknown>[];
  /** Everything written, for "this secret appears nowhere" checks. */
  text(): string;
}

export function captureLogs(level: LogLevel = 'trace'): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}
