/**
 * The review page (/console/review) through app.request with signed-in sessions: its queue is
 * the review-queue API's (same filter, same total, same order, same pages), the detail pane
 * shows a record's history and its department's other records, and only reviewers get the
 * batch and campaign forms — a leader reads, a department user may not open the page.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadDemoData } from '../../src/demo/load.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { createDemoUsers } from '../../src/identity/bootstrap.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { SystemInput } from '../../src/registry/kinds/systems.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient, fileForm } from '../helpers/api.ts';
import { signIn } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_BACKDATE_DAYS: 3650 };
const password = 'Demo-Passw0rd!';

interface QueuePage {
  items: { kind: string; code: string; region_code: string }[];
  total: number;
}

/** The `kind/code` of each row of the page's queue table, in order. */
function queueKeys(html: string): string[] {
  const start = html.indexOf('<table id="review-queue"');
  if (start < 0) return [];
  const table = html.slice(start, html.indexOf('</table>', start));
  return [...table.matchAll(/<tr data-key="([^"]+)"/g)].map((match) => match[1] as string);
}

const queueTotal = (html: string) => Number(/<small id="queue-total">(\d+)<\/small>/.exec(html)?.[1]);

describeEachBackend('review page', (getDb) => {
  let app: App;
  let api: ApiClient;
  const cookies: Record<string, string> = {};
  const csrf: Record<string, string> = {};
  const as = (user: string) => api.as({ headers: { Cookie: cookies[user] as string } });
  const page = (path: string, user = 'reviewer') => as(user).get(path);
  const post = (user: string, path: string, body: unknown) =>
    as(user).post(path, body, { headers: { 'X-CSRF-Token': csrf[user] as string } });
  const queueApi = async (query: string) => (await page(`/api/v1/review-queue?${query}`)).body as unknown as QueuePage;

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    await loadDemoData(db, { scale: 0.2 });
    await createDemoUsers(db, password);
    app = createApp({ database: getDb(), config, demo: true });
    api = apiClient(app);
    for (const user of ['leader', 'dept-P001', 'reviewer']) {
      const session = await signIn(app, user, password);
      expect(session.status).toBe(200);
      cookies[user] = session.cookie;
      csrf[user] = session.csrf;
    }
    // Sixty more awaiting 认定 in a department of 南宁市, so that the queue runs to a second page.
    const [nanning] = await queryRows<{ code: string }>(
      getDb(),
      sql`select code from departments where region_code like '4501%' order by code limit 1`,
    );
    const bulk = Array.from({ length: 60 }, (_, i) =>
      SystemInput.parse({ code: `REVIEW-BULK-${String(i).padStart(2, '0')}`, name: `批量待认定 ${i}`, department_code: nanning?.code }),
    );
    await upsertRecords(db, 'systems', bulk, rootActor('console-review-test'));
    // Two systems of P001 awaiting 认定, one of them moved on since it was registered.
    for (const code of ['REVIEW-PAGE-A', 'REVIEW-PAGE-B']) {
      const created = await post('dept-P001', '/api/v1/systems', { code, name: `复核页面测试 ${code}`, department_code: 'P001' });
      expect(created.status, created.text).toBe(201);
    }
    const moved = await post('dept-P001', '/api/v1/systems/REVIEW-PAGE-A/transitions', { to: 'migrating', note: '开始迁移' });
    expect(moved.status, moved.text).toBe(200);
  }, 120_000);

  it('shows the queue of the API as one table across kinds, oldest first, with its total', async () => {
    const all = await queueApi('limit=50&offset=0');
    expect(all.total).toBeGreaterThan(50);
    const html = (await page('/console/review')).text;
    expect(queueTotal(html)).toBe(all.total);
    expect(queueKeys(html)).toEqual(all.items.map((x) => `${x.kind}/${x.code}`));
    expect(new Set(all.items.map((x) => x.kind)).size).toBeGreaterThan(1);
  });

  it('narrows the rows and the total by city, county, kind, text and age, as the API does', async () => {
    const wide = await queueApi('limit=1');
    const city = await queueApi('region=450100&limit=50');
    expect(city.total).toBeGreaterThan(0);
    expect(city.total).toBeLessThan(wide.total);
    const cityHtml = (await page('/console/review?scope=450100')).text;
    expect(queueTotal(cityHtml)).toBe(city.total);
    expect(queueKeys(cityHtml)).toEqual(city.items.map((x) => `${x.kind}/${x.code}`));
    expect(city.items.every((x) => x.region_code.startsWith('4501'))).toBe(true);
    // The city's counties are offered once a city is picked, and a county narrows further.
    expect(cityHtml).toContain('name="county"');
    const county = city.items.find((x) => x.region_code !== '450100')?.region_code;
    if (county) {
      const countyApi = await queueApi(`region=${county}&limit=1`);
      expect(queueTotal((await page(`/console/review?scope=450100&county=${county}`)).text)).toBe(countyApi.total);
    }

    const networks = (await page('/console/review?kind=private-networks')).text;
    expect(queueTotal(networks)).toBe((await queueApi('kind=private-networks&limit=1')).total);
    expect(queueKeys(networks).every((key) => key.startsWith('private-networks/'))).toBe(true);

    const text = (await page('/console/review?q=REVIEW-PAGE')).text;
    expect(queueKeys(text).sort()).toEqual(['systems/REVIEW-PAGE-A', 'systems/REVIEW-PAGE-B']);
    // Registered today: waiting for 0 days, so "at least a day" leaves them out.
    expect(queueTotal((await page('/console/review?q=REVIEW-PAGE&older_than_days=1')).text)).toBe(0);
    expect(queueTotal((await page('/console/review?q=REVIEW-PAGE&older_than_days=0')).text)).toBe(2);
  });

  it('pages through the queue as the API does, the filter kept in the links', async () => {
    const second = await queueApi('limit=50&offset=50');
    const html = (await page('/console/review?page=2')).text;
    expect(queueKeys(html)).toEqual(second.items.map((x) => `${x.kind}/${x.code}`));
    const filtered = (await page('/console/review?kind=systems')).text;
    if ((await queueApi('kind=systems&limit=1')).total > 50) expect(filtered).toContain('href="/console/review?kind=systems&amp;page=2"');
  });

  it('refuses a bad filter with a page naming the field', async () => {
    for (const [query, field] of [
      ['older_than_days=-1', 'older_than_days'],
      ['kind=clouds', 'kind'],
      ['page=0', 'page'],
      ['selected=nothing', 'selected'],
      [`q=${'x'.repeat(201)}`, 'q'],
    ] as const) {
      const res = await page(`/console/review?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.text).toContain(`<code>${field}</code>`);
    }
    expect((await page('/console/review?department=NO-SUCH-DEPT')).status).toBe(422);
  });

  it('opens a record beside the queue: its facts, its history and its department’s other records', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    const uploaded = await post('reviewer', '/api/v1/documents', fileForm(pdf, '认定决定.pdf'));
    expect(uploaded.status, uploaded.text).toBe(201);
    const certified = await post('reviewer', '/api/v1/systems/REVIEW-PAGE-B/certifications', {
      classification: 'non_classified',
      evidence: '桂数局认定〔2020〕9号',
      documents: [uploaded.body.id],
    });
    expect(certified.status, certified.text).toBe(201);
    const html = (await page('/console/review?q=REVIEW-PAGE&selected=systems/REVIEW-PAGE-A')).text;
    const pane = html.slice(html.indexOf('<section id="review-detail"'));
    expect(pane).toContain('复核页面测试 REVIEW-PAGE-A');
    expect(pane).toContain('<dd id="detail-classification">待认定</dd>');
    // Its history: the move to migrating, with its note.
    const history = pane.slice(pane.indexOf('<table id="detail-history"'), pane.indexOf('</table>'));
    expect(history).toContain('data-field="state"');
    expect(history).toContain('开始迁移');
    // The department's other records, with their classification, each opening in the pane.
    const siblings = pane.slice(pane.indexOf('<table id="detail-siblings"'));
    expect(siblings).toMatch(/data-key="systems\/REVIEW-PAGE-B">[\s\S]*?非涉密/);
    expect(siblings).toContain('href="/console/review?q=REVIEW-PAGE&amp;selected=systems%2FREVIEW-PAGE-B#review-detail"');
    expect(siblings).not.toContain('data-key="systems/REVIEW-PAGE-A"');
    // The row in the pane is marked in the table.
    expect(html).toContain('<tr data-key="systems/REVIEW-PAGE-A" data-region=');
    expect(html).toMatch(/data-key="systems\/REVIEW-PAGE-A" data-region="\d+" class="selected"/);
    // The certification is listed (on the last page, oldest first) with its document to download.
    const total = ((await page('/api/v1/certifications?status=active&limit=1')).body as { total: number }).total;
    const certifications = (await page(`/console/review?cpage=${Math.ceil(total / 20)}`)).text;
    expect(certifications).toMatch(
      new RegExp(`<td>REVIEW-PAGE-B</td>[\\s\\S]*?<a href="/api/v1/documents/${uploaded.body.id}" download="认定决定.pdf"`),
    );
    // A record that is not there is a 404 page.
    expect((await page('/console/review?selected=systems/NO-SUCH-SYSTEM')).status).toBe(404);
  });

  it('gives reviewers the batch and campaign forms; a leader reads only; a department user may not open the page', async () => {
    const reviewer = (await page('/console/review?q=REVIEW-PAGE')).text;
    for (const text of [
      'id="batch-form"',
      'id="campaign-form"',
      'name="pick"',
      '/console/assets/review.js',
      'accept=".pdf,.png,.jpg,.jpeg,.gif,.webp,.tif,.tiff,.docx,.xlsx"',
    ]) {
      expect(reviewer).toContain(text);
    }
    // "All matching" is offered for a small filter, refused (with the reason) above 1,000.
    expect(reviewer).toMatch(/<input type="radio" name="target" value="filter"\/>/);
    const wide = await queueApi('limit=1');
    const everything = (await page('/console/review')).text;
    if (wide.total > 1000) {
      expect(everything).toMatch(/<input type="radio" name="target" value="filter" disabled=""\/>/);
      expect(everything).toContain('超过 1000 条');
    }

    const leader = await page('/console/review', 'leader');
    expect(leader.status).toBe(200);
    expect(queueTotal(leader.text)).toBe(wide.total);
    for (const text of ['id="batch-form"', 'id="campaign-form"', 'name="pick"', 'review.js', '/api/v1/re-reviews/']) {
      expect(leader.text).not.toContain(text);
    }
    expect(leader.text).toContain('只读');

    const department = await page('/console/review', 'dept-P001');
    expect(department.status).toBe(403);
    expect(department.text).not.toContain('review-queue');
    expect((await page('/api/v1/review-queue', 'dept-P001')).status).toBe(403);
  });
});
