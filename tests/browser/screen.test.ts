import { copyFile, mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluationCycle } from '../../src/alerts/engine.ts';
import { createApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import type { Database } from '../../src/db/client.ts';
import { networkNodes } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { silentLogger } from '../../src/kernel/log.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import {
  apiAs,
  closeBrowserAndServer,
  openChromium,
  requireChromium,
  serveOnLoopback,
  signInAs as signInWithForm,
} from '../helpers/browser.ts';
import { openTestDatabase } from '../helpers/db.ts';

const available = requireChromium('the wall-screen browser tests');
const password = 'Demo-Passw0rd!';
const artefacts = join(process.cwd(), 'test-results', 'screen');
const docs = join(process.cwd(), 'docs');
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';

describe.runIf(available)('the wall screen in Chromium', () => {
  let database: Database;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const outside: string[] = [];

  beforeAll(async () => {
    await mkdir(artefacts, { recursive: true });
    if (updateDocs) await mkdir(docs, { recursive: true });
    database = await openTestDatabase('pglite');
    await prepareDatabase(database, { demo: true, demoPassword: password, credentialsDir: path.join(tmpdir(), 'yunwang-credentials') });
    const actor = rootActor('browser-test');
    // Two frozen months: a trend, and a red/black list measured against the month before.
    await freezeMonths(database.db, ['2020-06', '2020-07'], { actor, concurrency: 2 });
    const app = createApp({
      database,
      config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 },
      demo: true,
      logger: silentLogger,
    });
    ({ server, base } = await serveOnLoopback(app));
    // One network agent probes every node; a few are down. Two evaluation cycles past node_down's
    // two minutes make those firing critical alerts.
    const { token } = await issueAgentToken(database.db, { name: 'network-nanning-1', kind: 'network' }, actor);
    const nodes = await database.db.select({ code: networkNodes.code }).from(networkNodes).limit(1000);
    const now = new Date();
    const items = nodes.map(({ code }, i) => {
      const down = i % 97 === 0;
      return { kind: 'node_sample', node: code, at: now.toISOString(), up: !down, latency_ms: down ? null : 3, loss: down ? 1 : 0 };
    });
    const ingest = await fetch(`${base}/api/v1/ingest/batches`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ agent: 'network-nanning-1', seq: 1, sent_at: now.toISOString(), next_report_seconds: 3600, items }),
    });
    expect(ingest.status, await ingest.clone().text()).toBe(200);
    const engine = { reopenMinutes: 60, retentionDays: 30 };
    await runEvaluationCycle(database.db, engine, now);
    await runEvaluationCycle(database.db, engine, new Date(now.getTime() + 5 * 60_000));

    ({ profile, context, page } = await openChromium(base, 'screen', {
      viewport: { width: 1920, height: 1080 },
      onOutside: (url) => outside.push(url),
    }));
  }, 240_000);

  afterAll(async () => {
    await closeBrowserAndServer(context, profile, server);
    await database?.close();
  });

  it('fills every panel at 1920×1080 for the screen account, and refuses it the other pages', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });

    // Signing in lands on the screen: the account has no other page.
    await signInWithForm(page, context, base, 'screen', password);
    expect(new URL(page.url()).pathname).toBe('/console/screen');
    await page.locator('#screen-map[data-drawn="14"]').waitFor();

    // The three 100% figures, as the screen's API gives them, each with a drawn trend.
    const screen = (await (await (await apiAs(base, 'screen', password))('/api/v1/screen')).json()) as {
      figures: { key: string; percent: number | null; trend: unknown[] }[];
      ranking: { month: string } | null;
      alerts: { total: number };
      nodes_down: { total: number };
    };
    const figures = page.locator('#screen-figures .figure');
    expect(await figures.count()).toBe(3);
    for (const figure of screen.figures) {
      const card = page.locator(`#screen-figures .figure[data-indicator="${figure.key}"]`);
      expect(await card.locator('.big').textContent()).toBe(figure.percent === null ? '—' : `${figure.percent.toFixed(1)}%`);
      expect(figure.trend.length).toBe(2);
      expect(await card.locator('svg polyline').count()).toBe(1);
    }

    // The map: one shape per city, painted in a legend colour; the ranked bars beside it.
    const painted = await page.evaluate(() => {
      const colours = new Set(['#1a9850', '#91cf60', '#fee08b', '#fc8d59', '#d9d9d9']);
      return [...document.querySelectorAll('#screen-map svg path')].filter((p) => colours.has((p.getAttribute('fill') ?? '').toLowerCase()))
        .length;
    });
    expect(painted).toBe(14);
    expect(await page.locator('#city-bars li').count()).toBe(14);

    // The red and black lists of the latest frozen month, cities and departments.
    expect(screen.ranking?.month).toBe('2020-07');
    for (const list of ['red-cities', 'black-cities', 'red-departments', 'black-departments']) {
      expect(await page.locator(`#${list} li`).count(), list).toBeGreaterThan(0);
    }

    // The firing critical alerts and the nodes down.
    expect(screen.nodes_down.total).toBeGreaterThan(0);
    expect(screen.alerts.total).toBeGreaterThan(0);
    expect(await page.locator('#alert-list li').count()).toBe(Math.min(10, screen.alerts.total));
    expect(await page.locator('#node-list li').count()).toBe(Math.min(10, screen.nodes_down.total));

    // On one screen: nothing scrolls.
    const overflow = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    expect(overflow).toBeLessThanOrEqual(0);

    const file = join(artefacts, 'console-screen.png');
    await page.screenshot({ path: file });
    if (updateDocs) await copyFile(file, join(docs, 'console-screen.png'));

    // The rotation: 15 s on, the map shows the next indicator.
    const first = await page.locator('#screen-map').getAttribute('data-indicator');
    await expect.poll(() => page.locator('#screen-map').getAttribute('data-indicator'), { timeout: 20_000, interval: 500 }).not.toBe(first);

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);

    for (const other of ['/console/overview', '/console/map', '/console/alerts', '/console/ops']) {
      const res = await page.goto(`${base}${other}`);
      expect(res?.status(), other).toBe(403);
    }
  }, 60_000);
});
