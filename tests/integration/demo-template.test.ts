/**
 * Issue 19, item 3: the first start of the demo unpacks the database the build prepared (the
 * demo's history, as of the day it was built) and brings it up to today, instead of loading the
 * demo through the write path. What it gives must be what the write path gives: the same
 * registry, the same official figures today, work orders and demo users, and an audit chain
 * that verifies with the data directory's key. Built here as of an earlier day, so that the
 * yearly re-assessments since are added at start, as they are when a build is started days later.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentAuditKey } from '../../src/audit/key.ts';
import { verifyAuditChain } from '../../src/audit/service.ts';
import { demoTemplateFor } from '../../src/bootstrap/demo-template.ts';
import { openConfiguredDatabase } from '../../src/bootstrap/open.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import { configDefaults } from '../../src/config.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/raw.ts';
import { type DemoTemplate, writeDemoTemplate } from '../../src/demo/template.ts';
import { computeIndicators } from '../../src/indicators/service.ts';
import { businessDate } from '../../src/kernel/dates.ts';

const build = 'test-build-1';
const password = 'Template-Passw0rd!';
let work: string;
let templateDir: string;
let template: DemoTemplate;
let fromTemplate: Database;
let throughWritePath: Database;
const lines: string[] = [];

const configFor = (dataDir: string) => ({
  ...configDefaults,
  YUNWANG_DATA_DIR: dataDir,
  DATABASE_URL: undefined,
  YUNWANG_AUDIT_KEY: undefined,
});

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'yunwang-demo-template-'));
  templateDir = path.join(work, 'demo-template');
  // Built as of a day more than a year ago: the start adds a year of re-assessments.
  template = await writeDemoTemplate(build, templateDir, { through: '2025-06-15' });

  const dataDir = path.join(work, 'data');
  const config = configFor(dataDir);
  const seed = { password, log: (line: string) => lines.push(line), template: { dir: templateDir, build } };
  fromTemplate = await openConfiguredDatabase(config, undefined, { demo: seed });
  await prepareDatabase(fromTemplate, {
    demo: true,
    demoPassword: password,
    credentialsDir: path.join(dataDir, 'credentials'),
    log: (l) => lines.push(l),
  });

  // The same demo loaded through the write path today, in memory.
  throughWritePath = await openDatabase({});
  await prepareDatabase(throughWritePath, { demo: true, demoPassword: password, credentialsDir: path.join(work, 'credentials-b') });
}, 240_000);

afterAll(async () => {
  await fromTemplate?.close();
  await throughWritePath?.close();
  await rm(work, { recursive: true, force: true });
});

const countsOf = async (database: Database) =>
  (
    await queryRows<Record<string, number>>(
      database.db,
      sql`select (select count(*)::int from departments) as departments, (select count(*)::int from systems) as systems,
                 (select count(*)::int from service_items) as service_items, (select count(*)::int from network_nodes) as network_nodes,
                 (select count(*)::int from work_orders) as work_orders, (select count(*)::int from users) as users,
                 (select count(*)::int from systems where last_seen_at > now() - interval '2 days') as seen_lately,
                 (select count(*)::int from snapshots) as snapshots`,
    )
  )[0];

describe('the demo template', () => {
  it('is used by its own build only, and hands its audit key to the data directory', async () => {
    expect(await demoTemplateFor(configFor(path.join(work, 'other')), { dir: templateDir, build: 'another-build' })).toBeNull();
    expect(
      await demoTemplateFor({ ...configFor(path.join(work, 'keyed')), YUNWANG_AUDIT_KEY: 'k'.repeat(64) }, { dir: templateDir, build }),
    ).toBeNull();
    expect(await demoTemplateFor(configFor(path.join(work, 'data')), { dir: templateDir, build })).toBeNull(); // already has a database
    // A damaged template (its description cut short) is no template: the write path loads the demo.
    const damaged = path.join(work, 'damaged-template');
    await cp(templateDir, damaged, { recursive: true });
    await writeFile(path.join(damaged, 'template.json'), '{"build": "');
    expect(await demoTemplateFor(configFor(path.join(work, 'damaged')), { dir: damaged, build })).toBeNull();
    const key = (await readFile(path.join(work, 'data', 'audit.key'), 'utf8')).trim();
    expect(key).toBe((await readFile(template.keyFile, 'utf8')).trim());
    expect(lines.some((l) => l.includes("from this build's template (history as of 2025-06-15)"))).toBe(true);
  });

  it('gives the registry, work orders, users and snapshot queue the write path gives', async () => {
    const a = await countsOf(fromTemplate);
    const b = await countsOf(throughWritePath);
    expect(a).toEqual(b);
    expect(a?.departments).toBe(template.summary.departments);
    expect(a?.work_orders).toBeGreaterThan(0);
    expect(a?.seen_lately).toBeGreaterThan(0);
  });

  it("gives today's official figures, re-assessments since it was built included", async () => {
    const at = businessDate();
    for (const scope of ['450000', '450100']) {
      const a = await computeIndicators(fromTemplate.db, { scope, at });
      const b = await computeIndicators(throughWritePath.db, { scope, at });
      expect(a.indicators.map((f) => [f.key, f.numerator, f.denominator])).toEqual(
        b.indicators.map((f) => [f.key, f.numerator, f.denominator]),
      );
    }
    // The re-assessments dated after the template's day were written at start.
    const [late] = await queryRows<{ n: number }>(
      fromTemplate.db,
      sql`select count(*)::int as n from systems where assessed_on > '2025-06-15'`,
    );
    expect(late?.n).toBeGreaterThan(0);
  });

  it("keeps an audit chain that verifies with the data directory's key", async () => {
    const report = await verifyAuditChain(fromTemplate.db, currentAuditKey());
    expect(report.firstBroken).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThan(1000);
  });
});
