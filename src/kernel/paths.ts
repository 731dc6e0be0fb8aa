import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root, the folder with package.json, found upwards from this module: the same
 * folder whether the app runs from its sources (src/kernel/) or from the bundle `npm run build`
 * writes (dist/). The files read at run time — migrations, divisions and maps, console assets —
 * are found from it.
 */
function rootFrom(moduleUrl: string): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
  return dir;
}

export const projectRoot = rootFrom(import.meta.url);

/** A path under the project's root: `fromRoot('data', 'guangxi-divisions.csv')`. */
export const fromRoot = (...parts: string[]): string => path.join(projectRoot, ...parts);
