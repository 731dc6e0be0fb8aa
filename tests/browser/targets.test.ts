import { copyFile, mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import type { Database } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { silentLogger } from '../../src/kernel/log.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import type { TargetProgress } from '../../src/leadership/progress.ts';
import {
  apiAs,
  closeBrowserAndServer,
  openChromium,
  requireChromium,
  serveOnLoopback,
  signInAs as signInWithForm,
} from '../helpers/browser.ts';
import { openTestDatabase } from '../helpers/db.ts';

const available = requireChromium('the targets-and-forecasts browser tests');
const password = 'Demo-Passw0rd!';
const artefacts = join(process.cwd(), 'test-results', 'targets');
const docs = join(process.cwd(), 'docs');
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';
/**
 * A year apart (2019-07 → 2020-07, the 同比), the month before (环比), and enough months for a
 * forecast (three at least) — a few of the demo's 19, so the test freezes in seconds, not minutes.
 */
const months = ['2019-07', '2020-03', '2020-05', '2020-06', '2020-07'];

const points = (p: number | null) => (p === null ? '—' : `${p > 0 ? '+' : ''}${p.toFixed(1)}`);

describe.runIf(available)('the targets and forecasts page in Chromium', () => {
  let database: Database;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  const signInAs = (name: string) => signInWithForm(page, context, base, name, password);
  const apiProgress = async (scope: string): Promise<TargetProgress> => {
    const call = await apiAs(base, 'leader', password);
    const answer = await call(`/api/v1/targets/progress?scope=${scope}`);
    expect(answer.status).toBe(200);
    return (await answer.json()) as TargetProgress;
  };
  /** Each summary row as the page shows it: [indicator, actual, gap, 环比, 同比, forecast status, forecast date]. */
  const summaryRows = () =>
    page.locator('#targets-summary tbody tr').evaluateAll((rows) =>
      rows.map((row) => {
        const cell = (name: string) => row.querySelector(`[data-cell="${name}"]`);
        return [
          row.getAttribute('data-indicator'),
          cell('actual')?.textContent?.trim(),
          cell('gap')?.textContent?.trim(),
          cell('mom')?.textContent?.trim(),
          cell('yoy')?.textContent?.trim(),
          cell('forecast')?.getAttribute('data-status'),
          cell('forecast')?.getAttribute('data-date'),
        ];
      }),
    );
  const expectedRows = (progress: TargetProgress) =>
    progress.indicators.map((p) => [
      p.indicator,
      p.latest?.percent === null || p.latest === null ? '—' : `${p.latest.percent.toFixed(1)}%`,
      points(p.latest?.gap_points ?? null),
      points(p.latest?.mom_points ?? null),
      points(p.latest?.yoy_points ?? null),
      p.forecast.status,
      p.forecast.projected_date ?? '',
    ]);

  beforeAll(async () => {
    await mkdir(artefacts, { recursive: true });
    if (updateDocs) await mkdir(docs, { recursive: true });
    database = await openTestDatabase('pglite');
    await prepareDatabase(database, { demo: true, demoPassword: password, credentialsDir: path.join(tmpdir(), 'yunwang-credentials') });
    await freezeMonths(database.db, months, { actor: rootActor('browser-test'), concurrency: 2 });
    const app = createApp({
      database,
      config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 },
      demo: true,
      logger: silentLogger,
    });
    ({ server, base } = await serveOnLoopback(app));
    ({ profile, context, page } = await openChromium(base, 'targets', { viewport: { width: 1366, height: 1000 } }));
  }, 300_000);

  afterAll(async () => {
    await closeBrowserAndServer(context, profile, server);
    await database?.close();
  });

  it('a leader opens the province’s targets: the API’s figures, 环比 and 同比, the forecast with its method, the charts drawn', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAs('leader');
    await page.getByRole('navigation').getByRole('link', { name: '目标与预测' }).click();
    await page.waitForURL((url) => url.pathname === '/console/targets');
    expect(await page.locator('#targets-filters select[name="month"]').inputValue()).toBe('2020-07');
    expect(await page.locator('#targets-filters select[name="scope"]').inputValue()).toBe('450000');

    const api = await apiProgress('450000');
    expect(await summaryRows()).toEqual(expectedRows(api));
    const cloud = api.indicators.find((p) => p.indicator === 'cloud_migration');
    // The demo's history moves: a year on, the province's 上云率 is up, and a target applies.
    expect(cloud?.latest?.yoy_points).toBeGreaterThan(0);
    expect(cloud?.latest?.mom_points).not.toBeNull();
    expect(cloud?.latest?.target_percent).not.toBeNull();
    expect(cloud?.forecast.method).toMatchObject({ name: 'least_squares_linear', fitted_from: '2019-07', fitted_to: '2020-07' });
    expect(await page.locator('#targets-method').textContent()).toContain('2019-07 至 2020-07');

    // The 三个100% (and every indicator with a target) are charted: actual, target and forecast lines.
    for (const key of ['cloud_migration', 'private_network_interconnection', 'service_integration']) {
      const chart = page.locator(`.target-chart[data-indicator="${key}"]`);
      await expect.poll(() => chart.getAttribute('data-points')).not.toBeNull();
      const progress = api.indicators.find((p) => p.indicator === key);
      const [actual, target] = ((await chart.getAttribute('data-points')) ?? '').split('/').map(Number);
      expect(actual).toBe(progress?.months.length);
      expect(target).toBe(progress?.target_points.length);
      expect(await chart.locator('svg path').count()).toBeGreaterThan(3);
    }
    // The monthly table lists July 2020 first, with its 同比 against July 2019.
    const july = page.locator(`#months-cloud_migration tbody tr[data-month="2020-07"] td`);
    expect(await july.nth(4).textContent()).toBe(points(cloud?.latest?.yoy_points ?? null));
    await page.screenshot({ path: join(artefacts, 'targets.png'), fullPage: false });
    if (updateDocs) await copyFile(join(artefacts, 'targets.png'), join(docs, 'console-targets.png'));
    expect(errors).toEqual([]);
  });

  it('picks a city from the form, or from the ranking; the figures follow the API for that city', async () => {
    await page.goto(`${base}/console/targets`);
    await page.locator('#targets-filters select[name="scope"]').selectOption('450300');
    await page.locator('#targets-filters button[type="submit"]').click();
    await page.waitForURL((url) => url.searchParams.get('scope') === '450300');
    expect(await page.locator('h1').textContent()).toContain('桂林市');
    expect(await summaryRows()).toEqual(expectedRows(await apiProgress('450300')));
    // From the red/black list: an entry's name opens its targets for the same month.
    await page.goto(`${base}/console/ranking?month=2020-07`);
    const first = page.locator('#ranking-table-cities tbody tr').first();
    const scope = await first.getAttribute('data-scope');
    await first.locator('th a').click();
    await page.waitForURL((url) => url.pathname === '/console/targets' && url.searchParams.get('scope') === scope);
    expect(await page.locator('#targets-filters select[name="month"]').inputValue()).toBe('2020-07');
    // An unknown scope is a page that says so, not an error trace.
    const missing = await page.goto(`${base}/console/targets?scope=459999`);
    expect(missing?.status()).toBe(404);
  });

  it('prints with the document header; reads in English', async () => {
    await page.goto(`${base}/console/targets?scope=450000`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.print-head .doc-title').textContent()).toBe('广西壮族自治区 · 目标与预测 2020-07');
    expect(await page.locator('#targets-filters').isVisible()).toBe(false);
    await page.emulateMedia({ media: null });
    await page.goto(`${base}/console/targets?scope=450000&lang=en`);
    expect(await page.locator('h1').textContent()).toContain('Targets and forecasts');
    await page.goto(`${base}/console/targets?lang=zh`);
  });

  it('the wall screen’s account and a department user get 403, and no menu entry', async () => {
    for (const name of ['screen', 'dept-P001']) {
      await signInAs(name);
      expect(await page.getByRole('navigation').getByRole('link', { name: '目标与预测' }).count()).toBe(0);
      const answer = await page.goto(`${base}/console/targets`);
      expect(answer?.status(), name).toBe(403);
    }
  });
});
