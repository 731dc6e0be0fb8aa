/**
 * npm run dashboards — regenerates dashboards/json/*.json from the TypeScript sources in
 * dashboards/src/. Commit the result; tests/unit/dashboards.test.ts fails when it is stale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from './src/index.ts';

const out = fileURLToPath(new URL('./json/', import.meta.url));
await mkdir(out, { recursive: true });
for (const [file, json] of Object.entries(renderDashboards())) {
  await writeFile(`${out}${file}`, json);
  console.log(`dashboards/json/${file}`);
}
