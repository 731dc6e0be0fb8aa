/** Reading a Prometheus text exposition in tests, and checking it with promtool. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample line of the exposition (comments left out). */
export function parseExposition(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, '$1');
    series.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return series;
}

/** The series of one family whose labels include `match`. */
export const select = (all: Series[], name: string, match: Record<string, string> = {}) =>
  all.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));

export const sum = (all: Series[]) => all.reduce((n, s) => n + s.value, 0);

export const PROMTOOL = '/usr/bin/promtool';

/**
 * `promtool check metrics` of an exposition: its exit status and everything it printed (it
 * prints lint problems, and exits 1 on any). Null when promtool is not installed.
 */
export function promtoolCheck(text: string): { status: number | null; output: string } | null {
  if (!existsSync(PROMTOOL)) return null;
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** For tests that need an outside program: skip with the reason here, fail under CI=true. */
export function requireProgram(path: string, install: string): string | null {
  if (existsSync(path)) return null;
  const reason = `${path} not found (${install})`;
  if (process.env.CI === 'true') throw new Error(`${reason}, and under CI=true this test must not be skipped`);
  return reason;
}
