import { copyFile, mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import type { Database } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { silentLogger } from '../../src/kernel/log.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import { type MovedEntry, movementMark, type RankingWithMovement } from '../../src/leadership/ranking-movement.ts';
import { closeBrowserAndServer, openChromium, requireChromium, serveOnLoopback, signInAs as signInWithForm } from '../helpers/browser.ts';
import { openTestDatabase } from '../helpers/db.ts';

const available = requireChromium('the ranking browser tests');
const password = 'Demo-Passw0rd!';
const artefacts = join(process.cwd(), 'test-results', 'ranking');
const docs = join(process.cwd(), 'docs');
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';
/** The demo's last month and the one before it, frozen so the latest has movements. */
const months = ['2020-06', '2020-07'];

describe.runIf(available)('the ranking page in Chromium', () => {
  let database: Database;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  const signInAs = (name: string) => signInWithForm(page, context, base, name, password);

  /** The ranking as the API answers it to the leader. */
  const apiRanking = async (month: string): Promise<RankingWithMovement> => {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'leader', password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const answer = await fetch(`${base}/api/v1/ranking?month=${month}`, { headers: { Cookie: cookie } });
    expect(answer.status).toBe(200);
    return (await answer.json()) as RankingWithMovement;
  };

  const shoot = async (name: string, docName?: string) => {
    const file = join(artefacts, `${name}.png`);
    await page.screenshot({ path: file });
    if (updateDocs && docName) await copyFile(file, join(docs, docName));
  };

  /** [scope, rank, movement as shown] of each row of a group's full table, in page order. */
  const tableRows = (group: 'cities' | 'departments') =>
    page
      .locator(`#ranking-table-${group} tbody tr`)
      .evaluateAll((rows) =>
        rows.map((row) => [
          row.getAttribute('data-scope'),
          Number(row.getAttribute('data-rank')),
          row.querySelector('td.move')?.textContent ?? null,
        ]),
      );
  const expected = (entries: MovedEntry[], previousMonth: string | null) =>
    entries.map((e) => [e.scope, e.rank, movementMark(e, previousMonth)]);

  beforeAll(async () => {
    await mkdir(artefacts, { recursive: true });
    if (updateDocs) await mkdir(docs, { recursive: true });
    database = await openTestDatabase('pglite');
    await prepareDatabase(database, { demo: true, demoPassword: password, credentialsDir: path.join(tmpdir(), 'yunwang-credentials') });
    // The demo queues 2019–2020 for the server's snapshot job; the page needs these two now.
    await freezeMonths(database.db, months, { actor: rootActor('browser-test'), concurrency: 2 });
    const app = createApp({
      database,
      config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 },
      demo: true,
      logger: silentLogger,
    });
    ({ server, base } = await serveOnLoopback(app));
    ({ profile, context, page } = await openChromium(base, 'ranking'));
  }, 240_000);

  afterAll(async () => {
    await closeBrowserAndServer(context, profile, server);
    await database?.close();
  });

  it('a leader opens the ranking from the menu and sees the API’s order and movements', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAs('leader');
    await page.getByRole('navigation').getByRole('link', { name: '红黑榜' }).click();
    await page.waitForURL((url) => url.pathname === '/console/ranking');
    // The newest frozen month by default.
    expect(await page.locator('#ranking-filters select[name="month"]').inputValue()).toBe('2020-07');
    const api = await apiRanking('2020-07');
    expect(api.previous_month).toBe('2020-06');
    expect(api.cities.ranked.length).toBeGreaterThan(1);
    expect(await tableRows('cities')).toEqual(expected(api.cities.ranked, api.previous_month));
    expect(await tableRows('departments')).toEqual(expected(api.departments.ranked, api.previous_month));
    // The red list's first is the ranking's first.
    expect(await page.locator('#red-cities tbody tr').first().getAttribute('data-scope')).toBe(api.cities.red[0]?.scope);
    await shoot('ranking', 'console-ranking.png');

    // The month picker: June has no frozen May, so every movement is —.
    await page.locator('#ranking-filters select[name="month"]').selectOption('2020-06');
    await page.locator('#ranking-filters button[type="submit"]').click();
    await page.waitForURL((url) => url.searchParams.get('month') === '2020-06');
    const june = await apiRanking('2020-06');
    expect(await tableRows('cities')).toEqual(expected(june.cities.ranked, june.previous_month));
    expect(errors).toEqual([]);
  });

  it('downloads the ranking as XLSX, a sheet per category in the page’s order', async () => {
    await page.goto(`${base}/console/ranking?month=2020-07`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#ranking-xlsx').click()]);
    expect(download.suggestedFilename()).toBe('ranking-2020-07.xlsx');
    const file = join(artefacts, 'ranking-2020-07.xlsx');
    await download.saveAs(file);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(await readFile(file)).buffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['设区市', '区直部门']);
    const api = await apiRanking('2020-07');
    const sheet = workbook.getWorksheet('设区市') as ExcelJS.Worksheet;
    const codes = api.cities.ranked.map((_, i) => sheet.getRow(i + 2).getCell(4).value);
    expect(codes).toEqual(api.cities.ranked.map((e) => e.scope));
  });

  it('prints on A4 with the document header and no navigation', async () => {
    await page.goto(`${base}/console/ranking?month=2020-07`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.print-head').isVisible()).toBe(true);
    expect(await page.locator('.print-head .doc-title').textContent()).toBe('广西壮族自治区电子政务外网 · 红黑榜 2020-07');
    expect(await page.locator('header.top').isVisible()).toBe(false);
    await shoot('ranking-print');
    const file = join(artefacts, 'ranking-2020-07.pdf');
    const pdf = await page.pdf({ path: file, format: 'A4', preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(1);
    await page.emulateMedia({ media: null });
  });

  it('reads in English too', async () => {
    await page.goto(`${base}/console/ranking?month=2020-07&lang=en`);
    expect(await page.locator('h1').textContent()).toContain('Red/black list');
    await shoot('ranking-en');
    await page.goto(`${base}/console/ranking?lang=zh`);
  });
});
