/**
 * Pino's JSON lines as a person at a terminal reads them: time, level, message, then the
 * other fields as key=value, and an error's stack below. In-process and synchronous (no
 * worker thread, no pino-pretty): it only ever runs in a terminal, where a few lines a second is a lot.
 */

const colours: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};
const reset = '\x1b[0m';
/** Fields every line has, or that the line's head already shows. */
const shownElsewhere = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'err']);

const scalar = (value: unknown): string => {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
};

/** One JSON line → one or more human lines (a line that is not JSON passes through). */
export function prettyLine(line: string, colour = false): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = String(record.level ?? '');
  const label = level.toUpperCase().padEnd(5);
  const head = colour && colours[level] ? `${colours[level]}${label}${reset}` : label;
  const fields = Object.entries(record)
    .filter(([key]) => !shownElsewhere.has(key))
    .map(([key, value]) => `${key}=${scalar(value)}`);
  const err = record.err as { message?: string; stack?: string } | undefined;
  const errorText = err ? `\n    ${(err.stack ?? err.message ?? '').split('\n').join('\n    ')}` : '';
  return `${time} ${head} ${String(record.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}${errorText}\n`;
}

/** A pino destination that writes pretty lines to `out` (a terminal). */
export function prettyDestination(out: NodeJS.WriteStream): { write(line: string): void } {
  const colour = out.hasColors?.() ?? false;
  return { write: (line) => void out.write(prettyLine(line, colour)) };
}
