import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { eq, like } from 'drizzle-orm';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import { threeHundred } from '../../src/console/i18n.ts';
import type { Database } from '../../src/db/client.ts';
import { departments, networkNodes, systems } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { indicatorKeys } from '../../src/indicators/definitions.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { silentLogger } from '../../src/kernel/log.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import {
  closeBrowserAndServer,
  launchOptions,
  openChromium,
  requireChromium,
  serveOnLoopback,
  signInAs as signInWithForm,
} from '../helpers/browser.ts';
import { openTestDatabase } from '../helpers/db.ts';

const available = requireChromium('the console browser tests');
const password = 'Demo-Passw0rd!';
const artefacts = join(process.cwd(), 'test-results', 'console');
const docs = join(process.cwd(), 'docs');
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';

interface Figure {
  key: string;
  numerator: number;
  denominator: number;
  percent: number | null;
}

describe.runIf(available)('web console in Chromium', () => {
  let database: Database;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  /** A signed-in API caller from Node (the reviewer's certification, the checks against the API). */
  const apiAs = async (name: string) => {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = ((await login.json()) as { csrf_token: string }).csrf_token;
    return (path: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
  };

  const signInAs = (name: string) => signInWithForm(page, context, base, name, password);

  const shoot = async (name: string) => {
    const file = join(artefacts, `${name}.png`);
    await page.screenshot({ path: file });
    if (updateDocs) await copyFile(file, join(docs, `${name}.png`));
  };

  const cloudMigration = (figures: Figure[]) => figures.find((f) => f.key === 'cloud_migration') as Figure;

  beforeAll(async () => {
    await mkdir(artefacts, { recursive: true });
    if (updateDocs) await mkdir(docs, { recursive: true });
    database = await openTestDatabase('pglite');
    await prepareDatabase(database, { demo: true, demoPassword: password, credentialsDir: path.join(tmpdir(), 'yunwang-credentials') });
    const actor = rootActor('browser-test');
    // A few frozen months, so the overview draws its trend lines.
    await freezeMonths(database.db, ['2020-04', '2020-05', '2020-06', '2020-07'], { actor, concurrency: 2 });
    const app = createApp({
      database,
      // The tests sign in more often than the default 10 a minute from one address allows.
      config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 },
      demo: true,
      logger: silentLogger,
    });
    ({ server, base } = await serveOnLoopback(app));
    // Live state for the ops panel: one network agent reports every node it probes; another never reports.
    const { token } = await issueAgentToken(database.db, { name: 'network-nanning-1', kind: 'network' }, actor);
    await issueAgentToken(database.db, { name: 'network-guilin-1', kind: 'network' }, actor);
    const nodes = await database.db.select({ code: networkNodes.code }).from(networkNodes).limit(1000);
    const now = new Date().toISOString();
    const items = nodes.map(({ code }, i) => {
      const down = i % 97 === 0;
      const degraded = !down && i % 13 === 0;
      return {
        kind: 'node_sample',
        node: code,
        at: now,
        up: !down,
        latency_ms: down ? null : 2 + (i % 17) * 0.7,
        loss: down ? 1 : degraded ? 0.34 : 0,
      };
    });
    const ingest = await fetch(`${base}/api/v1/ingest/batches`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ agent: 'network-nanning-1', seq: 1, sent_at: now, next_report_seconds: 3600, items }),
    });
    expect(ingest.status, await ingest.clone().text()).toBe(200);

    ({ profile, context, page } = await openChromium(base, 'console'));
  }, 240_000);

  afterAll(async () => {
    await closeBrowserAndServer(context, profile, server);
    await database?.close();
  });

  it('(a) draws the 14 cities, and the tooltip shows the figures of the indicators API', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await signInAs('leader');
    await page.goto(`${base}/console/map?indicator=cloud_migration&at=2020-07-31`);
    await page.locator('#map[data-drawn="14"]').waitFor();
    // One SVG shape per city, painted in a legend colour.
    const shapes = await page.evaluate(() => {
      const paths = [...document.querySelectorAll('#map svg path')];
      const colours = new Set(['#1a9850', '#91cf60', '#fee08b', '#fc8d59', '#d9d9d9'].map((c) => c.toLowerCase()));
      return paths.filter((p) => colours.has((p.getAttribute('fill') ?? '').toLowerCase())).length;
    });
    expect(shapes).toBe(14);

    const leader = await apiAs('leader');
    const report = (await (await leader('/api/v1/indicators?scope=450100&at=2020-07-31')).json()) as { indicators: Figure[] };
    const nanning = cloudMigration(report.indicators);
    // Hover 南宁市 at its city centre (108.37°E, 22.82°N), placed by the chart's own projection.
    const [x, y] = await page.evaluate(() => {
      const chart = (
        window as unknown as { echarts: { getInstanceByDom(el: Element): { convertToPixel(f: object, v: number[]): number[] } } }
      ).echarts.getInstanceByDom(document.getElementById('map') as Element);
      return chart.convertToPixel({ seriesIndex: 0 }, [108.37, 22.82]);
    });
    const box = await page.locator('#map').boundingBox();
    await page.mouse.move((box?.x ?? 0) + (x ?? 0), (box?.y ?? 0) + (y ?? 0));
    const tip = page.locator('.map-tip');
    await expect.poll(async () => (await tip.isVisible()) && (await tip.textContent())).toContain('南宁市');
    expect(await tip.locator('.tip-numerator').textContent()).toBe(String(nanning.numerator));
    expect(await tip.locator('.tip-denominator').textContent()).toBe(String(nanning.denominator));
    expect(await tip.locator('.tip-percent').textContent()).toBe(`${nanning.percent?.toFixed(1)}%`);
    await shoot('console-map');

    // A click on the city opens its counties; their numerators lead to the items behind them.
    await page.mouse.click((box?.x ?? 0) + (x ?? 0), (box?.y ?? 0) + (y ?? 0));
    await expect.poll(() => page.locator('#county-table tbody tr').count()).toBeGreaterThan(5);
    const firstCounty = page.locator('#county-table tbody tr').first();
    const county = await firstCounty.getAttribute('data-adcode');
    const countyReport = (await (await leader(`/api/v1/indicators?scope=${county}&at=2020-07-31`)).json()) as { indicators: Figure[] };
    const countyMissing = cloudMigration(countyReport.indicators);
    await firstCounty.locator('a').click();
    await page.waitForURL(/\/console\/items/);
    expect(await page.locator('#items-total').textContent()).toContain(String(countyMissing.denominator - countyMissing.numerator));
    expect(errors).toEqual([]);
  });

  it('(b) a department registers a system, moves it to migrated, and sees 上云率 change', async () => {
    await signInAs('dept-P001');
    const dept = await apiAs('dept-P001');
    const figures = async () => ((await (await dept('/api/v1/indicators?scope=dept:P001')).json()) as { indicators: Figure[] }).indicators;
    const before = cloudMigration(await figures());
    await page.goto(`${base}/console/workspace`);
    expect(await page.locator('#figure-cloud_migration .frac').textContent()).toContain(`${before.numerator} / ${before.denominator}`);

    // Errors say what to fix: an empty form names the fields.
    await page.locator('#register-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#register-form .result').textContent()).toContain('编码');
    const code = `S-E2E-${process.pid}`;
    const form = page.locator('#register-form');
    await form.getByLabel('编码', { exact: true }).fill(code);
    await form.getByLabel('名称', { exact: true }).fill('端到端测试系统');
    await page.locator('#register-form button[type="submit"]').click();
    await page.waitForURL(new RegExp(`/console/workspace/systems/${code}$`));

    // 认定: the bureau's reviewer certifies it non-classified, so it counts in 上云率.
    const reviewer = await apiAs('reviewer');
    const certified = await reviewer(`/api/v1/systems/${code}/certifications`, {
      method: 'POST',
      body: { classification: 'non_classified', evidence: '桂数局认定〔2020〕1号' },
    });
    expect(certified.status, await certified.clone().text()).toBe(201);

    await page.reload();
    await page.getByLabel('变更为').selectOption('migrated');
    await page.getByLabel('说明').fill('迁移至壮美广西·政务云');
    await page.getByRole('button', { name: '提交变更' }).click();
    await expect.poll(() => page.locator('#record-state').textContent()).toBe('已上云');
    await expect.poll(() => page.locator('#history tbody tr').count()).toBeGreaterThan(0);

    const after = cloudMigration(await figures());
    expect(after.numerator).toBe(before.numerator + 1);
    expect(after.denominator).toBe(before.denominator + 1);
    await page.goto(`${base}/console/workspace`);
    expect(await page.locator('#figure-cloud_migration .frac').textContent()).toContain(`${after.numerator} / ${after.denominator}`);
    expect(await page.locator('#figure-cloud_migration .big').textContent()).toBe(`${after.percent?.toFixed(1)}%`);
    expect(await page.locator('#table-systems').textContent()).toContain(code);
  });

  it('(c) refuses a spreadsheet with a bad row, shows the row, and writes nothing', async () => {
    await signInAs('dept-P001');
    await page.goto(`${base}/console/workspace`);
    const good = `S-E2E-IMP-${process.pid}`;
    const csv = [
      '编码,名称,部门编码,状态,状态日期',
      `${good},导入测试系统,P001,未迁移,2020-01-01`,
      `S-E2E-BAD-${process.pid},坏行系统,P001,完成,2020-01-01`,
    ].join('\n');
    await page.getByLabel('数据类型').selectOption('systems');
    await page.getByLabel('表格文件（CSV 或 XLSX）').setInputFiles({ name: 'systems.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: '预览（不写入）' }).click();
    const result = page.locator('#import-result');
    await expect.poll(() => result.locator('li[data-row="3"]').count()).toBe(1);
    expect(await result.locator('li[data-row="3"]').textContent()).toContain('状态');
    expect(await result.locator('tr.bad').count()).toBe(1);
    expect(await result.locator('tr.bad').getAttribute('data-row')).toBe('3');
    expect(await page.locator('#import-confirm').isHidden()).toBe(true);
    await result.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artefacts, 'console-import-refused.png') });
    const dept = await apiAs('dept-P001');
    expect((await dept(`/api/v1/systems/${good}`)).status).toBe(404);

    // The same file without the bad row previews clean, and only the confirmation writes it.
    await page.getByLabel('表格文件（CSV 或 XLSX）').setInputFiles({
      name: 'systems.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv.split('\n').slice(0, 2).join('\n')),
    });
    await page.getByRole('button', { name: '预览（不写入）' }).click();
    await page.locator('#import-confirm').waitFor({ state: 'visible' });
    expect((await dept(`/api/v1/systems/${good}`)).status).toBe(404);
    await page.locator('#import-confirm').click();
    await expect.poll(() => result.textContent()).toContain('已导入');
    expect((await dept(`/api/v1/systems/${good}`)).status).toBe(200);
    await page.goto(`${base}/console/workspace`);
    await shoot('console-workspace');
  });

  it('(d) a department user cannot open another department’s record', async () => {
    await signInAs('dept-P001');
    const [other] = await database.db
      .select({ code: systems.code })
      .from(systems)
      .innerJoin(departments, eq(departments.id, systems.departmentId))
      .where(like(departments.code, 'C%'))
      .limit(1);
    const response = await page.goto(`${base}/console/workspace/systems/${other?.code}`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('无权访问');
    expect(await page.content()).not.toContain('变更记录');
    const response2 = await page.goto(`${base}/console/map`);
    expect(response2?.status()).toBe(403);
  });

  it('shows ops the clouds, live node state and silent agents; and the overview with targets and trends', async () => {
    await signInAs('ops');
    await page.goto(`${base}/console/ops`);
    expect(await page.locator('#clouds .cloud').count()).toBe(20);
    expect(await page.locator('#nodes tbody tr').count()).toBe(14);
    expect(await page.locator('#nodes td.state-up').count()).toBeGreaterThan(0);
    expect(await page.locator('#stale-agents').textContent()).toContain('network-guilin-1');
    await shoot('console-ops');

    await signInAs('leader');
    await page.goto(`${base}/console/overview?scope=450000&at=2020-07-31`);
    // A trend of the four frozen months for each of the three cards and each other indicator's row.
    await expect.poll(() => page.locator('.cards .spark[data-points="4"]').count()).toBe(threeHundred.length);
    await expect.poll(() => page.locator('table .spark[data-points="4"]').count()).toBe(indicatorKeys.length - threeHundred.length);
    await page.screenshot({ path: join(artefacts, 'console-overview.png') });
    await page.goto(`${base}/console/map?wall=1`);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.locator('#map[data-drawn="14"]').waitFor();
    await page.screenshot({ path: join(artefacts, 'console-map-wall.png') });
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('互联互通: the five figures and the monthly trend drawn from the trend API', async () => {
    await signInAs('leader');
    await page.goto(`${base}/console/interconnection?scope=450000&from=2020-04-01&to=2020-07-31`);
    // April to July: one point a month.
    await page.locator('#interconnection-trend[data-points="4"] svg').waitFor();
    expect(await page.locator('.cards .card').count()).toBe(5);
    await page.screenshot({ path: join(artefacts, 'console-interconnection.png') });
  });

  it('(e) works without scripts too: signs in, registers a system and moves it on', async () => {
    const plainProfile = await mkdtemp(join(tmpdir(), 'yunwang-chromium-noscript-'));
    const plain = await chromium.launchPersistentContext(plainProfile, { ...launchOptions, javaScriptEnabled: false });
    try {
      const p = plain.pages()[0] ?? (await plain.newPage());
      await p.goto(`${base}/console/login?next=/console/workspace`);
      await p.getByLabel('用户名').fill('dept-P001');
      await p.getByLabel('密码', { exact: true }).fill(password);
      await p.keyboard.press('Enter');
      await p.waitForURL((url) => url.pathname === '/console/workspace');

      const register = p.locator('#register-form');
      await register.getByLabel('编码').fill('NOSCRIPT-1');
      await register.getByLabel('名称').fill('无脚本浏览器登记');
      await register.locator('button[type="submit"]').click();
      await p.waitForURL((url) => url.pathname === '/console/workspace/systems/NOSCRIPT-1');

      const transition = p.locator('#transition-form');
      await transition.getByLabel('变更为').selectOption('migrating');
      // The form comes back to the same record page, now in its new state.
      await transition.locator('button[type="submit"]').click();
      await expect.poll(() => p.locator('#record-state').textContent()).toBe('迁移中');
      expect(new URL(p.url()).pathname).toBe('/console/workspace/systems/NOSCRIPT-1');
      await p.screenshot({ path: join(artefacts, 'console-noscript-record.png') });
    } finally {
      await plain.close();
      await rm(plainProfile, { recursive: true, force: true });
    }
  }, 90_000);
});
