import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import type { Database } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/raw.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { silentLogger } from '../../src/kernel/log.ts';
import { SystemInput } from '../../src/registry/kinds/systems.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { closeBrowserAndServer, openChromium, requireChromium, serveOnLoopback, signInAs as signInWithForm } from '../helpers/browser.ts';
import { openTestDatabase } from '../helpers/db.ts';

const available = requireChromium('the review browser tests');
const password = 'Demo-Passw0rd!';
const artefacts = join(process.cwd(), 'test-results', 'review');
/** 桂林市: the city the reviewer works through. */
const city = '450300';

/** A small, well-formed one-page PDF. */
const pdf = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

interface Figure {
  key: string;
  pending: number;
}

interface CertificationItem {
  id: number;
  code: string;
  documents?: { id: string; name: string }[];
}

describe.runIf(available)('the review queue in Chromium', () => {
  let database: Database;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  /** The document the reviewer certified 桂林's twenty systems with. */
  let cityDocument = '';

  /** A signed-in API caller from Node: the checks against the API, and set-up the page does not cover. */
  const apiAs = async (name: string) => {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = ((await login.json()) as { csrf_token: string }).csrf_token;
    return (path: string, init: { method?: string; body?: unknown } = {}) => {
      const form = init.body instanceof FormData;
      return fetch(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(form ? {} : { 'Content-Type': 'application/json' }) },
        body: init.body === undefined ? undefined : form ? (init.body as FormData) : JSON.stringify(init.body),
      });
    };
  };
  type Caller = Awaited<ReturnType<typeof apiAs>>;
  const json = async <T>(response: Response | Promise<Response>): Promise<T> => {
    const r = await response;
    expect(r.ok, `${r.status} ${await r.clone().text()}`).toBe(true);
    return (await r.json()) as T;
  };

  const signInAs = (name: string) => signInWithForm(page, context, base, name, password);

  const shoot = (name: string) => page.screenshot({ path: join(artefacts, `${name}.png`) });
  const queueTotal = async () => Number(await page.locator('#queue-total').textContent());
  const cityPending = async (reviewer: Caller) =>
    (await json<{ indicators: Figure[] }>(reviewer(`/api/v1/indicators?scope=${city}`))).indicators.find((f) => f.key === 'cloud_migration')
      ?.pending;
  const storedDocuments = async () =>
    (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from documents`))[0]?.n ?? 0;
  const certificationsOf = async (reviewer: Caller, codes: string[]) =>
    (await json<{ items: CertificationItem[] }>(reviewer('/api/v1/certifications?status=active&limit=1000'))).items.filter((c) =>
      codes.includes(c.code),
    );

  beforeAll(async () => {
    await mkdir(artefacts, { recursive: true });
    database = await openTestDatabase('pglite');
    await prepareDatabase(database, { demo: true, demoPassword: password, credentialsDir: path.join(tmpdir(), 'yunwang-credentials') });
    // However the demo falls, the city has more than twenty systems awaiting 认定.
    const [owner] = await queryRows<{ code: string }>(
      database.db,
      sql`select code from departments where region_code like ${`${city.slice(0, 4)}%`} order by code limit 1`,
    );
    const rows = Array.from({ length: 24 }, (_, i) =>
      SystemInput.parse({ code: `GL-REVIEW-${String(i).padStart(2, '0')}`, name: `桂林待认定系统 ${i}`, department_code: owner?.code }),
    );
    await upsertRecords(database.db, 'systems', rows, rootActor('browser-test'));
    const app = createApp({
      database,
      config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 },
      demo: true,
      logger: silentLogger,
    });
    ({ server, base } = await serveOnLoopback(app));
    ({ profile, context, page } = await openChromium(base, 'review'));
  }, 240_000);

  afterAll(async () => {
    await closeBrowserAndServer(context, profile, server);
    await database?.close();
  });

  it('(a) a reviewer filters to one city, certifies twenty systems with a PDF, and the city’s 待认定 falls by twenty', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const reviewer = await apiAs('reviewer');
    await signInAs('reviewer');
    await page.goto(`${base}/console/review`);
    const filters = page.locator('#queue-filters');
    await filters.getByLabel('范围').selectOption(city);
    await filters.getByLabel('类型').selectOption('systems');
    await filters.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL((url) => url.searchParams.get('scope') === city && url.searchParams.get('kind') === 'systems');
    const before = await queueTotal();
    const pendingBefore = await cityPending(reviewer);
    const api = await json<{ total: number }>(reviewer(`/api/v1/review-queue?region=${city}&kind=systems&limit=1`));
    expect(before).toBe(api.total);
    expect(before).toBeGreaterThanOrEqual(20);
    const storedBefore = await storedDocuments();

    // The name opens the record beside the queue.
    const first = page.locator('#review-queue tbody tr').first();
    await first.locator('td a').click();
    await page.locator('#review-detail').waitFor();
    await shoot('review-queue-detail');

    const rows = page.locator('#review-queue tbody tr');
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const row = rows.nth(i);
      await row.locator('input[name="pick"]').check();
      codes.push(((await row.getAttribute('data-key')) ?? '').replace('systems/', ''));
    }
    const form = page.locator('#batch-form');
    expect(await form.locator('#picked-label').textContent()).toContain('20');
    await form.locator('select[name="classification"]').selectOption('non_classified');
    await form.locator('input[name="evidence"]').fill('桂数局认定〔2020〕12号');
    await form.locator('input[name="documents"]').setInputFiles({ name: '认定决定.pdf', mimeType: 'application/pdf', buffer: pdf });
    await shoot('review-batch-form');
    await form.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.searchParams.get('certified') === '20');
    expect(await page.locator('#certified-notice').textContent()).toContain('20');
    expect(await queueTotal()).toBe(before - 20);
    expect(await cityPending(reviewer)).toBe((pendingBefore ?? 0) - 20);
    await shoot('review-certified');

    // Each has its own certification citing the one document, stored once.
    const certified = await certificationsOf(reviewer, codes);
    expect(certified).toHaveLength(20);
    const documents = new Set(certified.flatMap((c) => (c.documents ?? []).map((d) => d.id)));
    expect(documents.size).toBe(1);
    cityDocument = [...documents][0] as string;
    expect(await storedDocuments()).toBe(storedBefore + 1);
    expect(errors).toEqual([]);
  }, 120_000);

  it('(b) a department user downloads the evidence of its own system and gets 404 for another department’s', async () => {
    expect(cityDocument).not.toBe('');
    const reviewer = await apiAs('reviewer');
    // A system P001 registers, certified with its own document.
    const code = `P001-REVIEW-${process.pid}`;
    const dept = await apiAs('dept-P001');
    await json(dept('/api/v1/systems', { method: 'POST', body: { code, name: '部门自有待认定系统', department_code: 'P001' } }));
    const upload = new FormData();
    upload.append('file', new Blob([pdf], { type: 'application/pdf' }), 'P001认定.pdf');
    const document = await json<{ id: string }>(reviewer('/api/v1/documents', { method: 'POST', body: upload }));
    await json(
      reviewer('/api/v1/certifications/batch', {
        method: 'POST',
        body: { items: [{ kind: 'systems', code }], classification: 'non_classified', evidence: 'P001 认定', documents: [document.id] },
      }),
    );

    await signInAs('dept-P001');
    const mine = await page.request.get(`${base}/api/v1/documents/${encodeURIComponent(document.id)}`);
    expect(mine.status()).toBe(200);
    expect(mine.headers()['content-disposition']).toContain('attachment');
    expect(Buffer.from(await mine.body()).equals(pdf)).toBe(true);
    const theirs = await page.request.get(`${base}/api/v1/documents/${encodeURIComponent(cityDocument)}`);
    expect(theirs.status()).toBe(404);
  });

  it('(c) refuses a 25 MB file and an executable renamed .pdf with a clear error, certifying and storing nothing', async () => {
    await signInAs('reviewer');
    await page.goto(`${base}/console/review?scope=${city}&kind=systems`);
    const before = await queueTotal();
    const storedBefore = await storedDocuments();
    const row = page.locator('#review-queue tbody tr').first();
    const code = ((await row.getAttribute('data-key')) ?? '').replace('systems/', '');
    const form = page.locator('#batch-form');
    const result = form.locator('.result');
    const big = Buffer.alloc(25 * 1024 * 1024);
    pdf.copy(big);
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), Buffer.alloc(4096)]);
    for (const [file, buffer, expected] of [
      ['大文件.pdf', big, /at most 20971520 bytes/],
      ['report.pdf', elf, /elf/i],
    ] as const) {
      await row.locator('input[name="pick"]').check();
      await form.locator('input[name="evidence"]').fill('不应保存');
      await form.locator('input[name="documents"]').setInputFiles({ name: file, mimeType: 'application/pdf', buffer });
      await form.locator('button[type="submit"]').click();
      await expect.poll(() => result.getAttribute('class'), { timeout: 30_000 }).toContain('problem');
      const said = (await result.textContent()) ?? '';
      expect(said).toContain(file);
      expect(said).toContain('未提交任何内容');
      expect(said).toMatch(expected);
      await shoot(`review-refused-${file === 'report.pdf' ? 'executable' : 'too-large'}`);
      await page.reload();
      expect(await queueTotal()).toBe(before);
      expect(await storedDocuments()).toBe(storedBefore);
    }
    const reviewer = await apiAs('reviewer');
    expect((await json<{ classification: string }>(reviewer(`/api/v1/systems/${code}`))).classification).toBe('pending');
  }, 120_000);

  it('(d) a 10 % sample with a given seed picks the same records twice', async () => {
    const reviewer = await apiAs('reviewer');
    const openIds = async () =>
      new Map(
        (await json<{ items: { id: number; certification_id: number }[] }>(reviewer('/api/v1/re-reviews?open=true&limit=1000'))).items.map(
          (r) => [r.certification_id, r.id],
        ),
      );
    const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await signInAs('reviewer');
    const draw = async () => {
      const already = await openIds();
      await page.goto(`${base}/console/review`);
      const form = page.locator('#campaign-form');
      await form.locator('select[name="region"]').selectOption(city);
      await form.locator('input[name="sample_percent"]').fill('10');
      await form.locator('input[name="seed"]').fill('20201231');
      await form.locator('input[name="due_at"]').fill(due);
      await form.locator('button[type="submit"]').click();
      const result = form.locator('.result');
      await expect.poll(() => result.getAttribute('data-seed')).toBe('20201231');
      const scheduled = Number(await result.getAttribute('data-scheduled'));
      expect(await result.textContent()).toContain('20201231');
      const drawn = [...(await openIds()).entries()].filter(([certification]) => !already.has(certification));
      expect(drawn).toHaveLength(scheduled);
      return drawn;
    };
    const first = await draw();
    expect(first.length).toBeGreaterThan(0);
    await shoot('review-campaign');
    // Close the first draw's re-reviews (passed), so the same certifications are candidates again.
    for (const [, reReview] of first) {
      await json(reviewer(`/api/v1/re-reviews/${reReview}/result`, { method: 'POST', body: { result: 'passed' } }));
    }
    const second = await draw();
    expect(second.map(([certification]) => certification).sort()).toEqual(first.map(([certification]) => certification).sort());
  }, 120_000);

  it('(e) ops attach a document to a work order in a comment, and it is listed on the order', async () => {
    const ops = await apiAs('ops');
    const order = await json<{ code: string }>(
      ops('/api/v1/work-orders', { method: 'POST', body: { title: '浏览器附件测试', category: 'fault', priority: 'P3' } }),
    );
    await signInAs('ops');
    await page.goto(`${base}/console/work-orders/${order.code}`);
    const form = page.locator('#comment-form');
    await form.locator('textarea[name="body"]').fill('现场照片见附件');
    await form.locator('input[type="file"]').setInputFiles({ name: '现场记录.pdf', mimeType: 'application/pdf', buffer: pdf });
    await form.locator('button[type="submit"]').click();
    await expect
      .poll(async () => (await json<{ documents: { name: string }[] }>(ops(`/api/v1/work-orders/${order.code}`))).documents.length)
      .toBe(1);
    await page.waitForSelector('a.document');
    expect(await page.locator('a.document').textContent()).toBe('现场记录.pdf');
    await shoot('work-order-attachment');
  }, 120_000);
});
