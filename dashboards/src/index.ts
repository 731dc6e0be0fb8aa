/** The dashboards, by the file name each is committed under in dashboards/json/. */
import { coverageMap } from './coverage-map.ts';
import { migrationProgress } from './migration-progress.ts';
import { multiCloud } from './multi-cloud.ts';
import { situationalAwareness } from './situational-awareness.ts';
import { yunwangSelf } from './yunwang-self.ts';

const builders = {
  'multi-cloud.json': multiCloud,
  'migration-progress.json': migrationProgress,
  'coverage-map.json': coverageMap,
  'situational-awareness.json': situationalAwareness,
  'yunwang-self.json': yunwangSelf,
};

/** Each dashboard's JSON exactly as committed (two-space indent, final newline). */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(Object.entries(builders).map(([file, build]) => [file, `${JSON.stringify(build().build(), null, 2)}\n`]));
}
