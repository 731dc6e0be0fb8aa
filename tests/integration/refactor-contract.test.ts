/**
 * What a refactor must not change (issue 15): the OpenAPI operations, the authorization matrix
 * and the official indicator figures on the demo data. Each is computed here and compared with
 * the file recorded in tests/contract/ before the refactor began; a change to any of them shows
 * in the diff of that file. Rewrite them on purpose only, with UPDATE_CONTRACT=1.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { Database } from '../../src/db/client.ts';
import { loadDemoData } from '../../src/demo/load.ts';
import { permissions } from '../../src/identity/access.ts';
import { roles } from '../../src/identity/roles.ts';
import { computeIndicators } from '../../src/indicators/service.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { fileKinds, neededPermission, type OpenApiPaths } from '../helpers/auth.ts';
import { openTestDatabase } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
const contractFile = (name: string) => new URL(`../contract/${name}`, import.meta.url);

async function matchesRecorded(name: string, actual: string): Promise<void> {
  if (process.env.UPDATE_CONTRACT === '1') await writeFile(contractFile(name), actual);
  expect(actual).toBe(await readFile(contractFile(name), 'utf8'));
}

const documentApp = createApp({ database: {} as Database, config });
const paths = documentApp.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'yunwang', version: '1' } }).paths as OpenApiPaths;
const operations = Object.entries(paths).flatMap(([template, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), template, operationId: op.operationId ?? '' })),
);

describe('refactor contract', () => {
  it('keeps every OpenAPI operation id, method and path', async () => {
    const lines = operations.map((o) => `${o.operationId} ${o.method} ${o.template}`).sort();
    await matchesRecorded('openapi-operations.txt', `${lines.join('\n')}\n`);
  });

  it('keeps the authorization matrix: which role may call which operation', async () => {
    const lines = operations
      .flatMap((o) =>
        o.template.includes('{kind}') ? fileKinds.map((kind) => ({ ...o, template: o.template.replace('{kind}', kind) })) : [o],
      )
      .map((o) => {
        const needed = neededPermission(o.operationId, o.template);
        const allowed = needed ? roles.filter((r) => permissions[needed.area][needed.action].includes(r)) : ['(rule of its own)'];
        return `${o.operationId} ${o.template}: ${allowed.join(' ')}`;
      })
      .sort();
    await matchesRecorded('authorization.txt', `${lines.join('\n')}\n`);
  });

  it('keeps the indicator figures of the demo data', async () => {
    const database = await openTestDatabase('pglite');
    try {
      await loadDivisions(database.db);
      await loadDemoData(database.db, { scale: 0.2 });
      const figures: string[] = [];
      for (const scope of ['450000', '450100', '450200', '451000']) {
        for (const at of ['2019-12-31', '2021-06-30', '2023-12-31', '2025-12-31']) {
          const report = await computeIndicators(database.db, { scope, at });
          for (const f of report.indicators) {
            figures.push(
              `${scope} ${at} ${f.key} ${f.numerator}/${f.denominator} pending ${f.pending} ${JSON.stringify(f.breakdown ?? null)}`,
            );
          }
        }
      }
      await matchesRecorded('indicator-figures.txt', `${figures.join('\n')}\n`);
    } finally {
      await database.close();
    }
  }, 120_000);
});
