/**
 * The supervision report from draft to publication in a real browser (Debian's Chromium through
 * playwright-core) against the real app on a socket, with the demo data — issue 18's "done
 * when": a reviewer drafts and submits a report, a leader signs it off, the author cannot sign
 * off their own (a user holding both roles who regenerated it sees no sign-off form, and the API
 * refuses him); a published report's bytes never change (its hash compared after a later
 * registry edit and a refreeze). Screenshots go to test-results/reports/ (docs/ with
 * UPDATE_SCREENSHOTS=1).
 */
import { createHash } from 'node:crypto';
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
import { createUser } from '../../src/identity/users.ts';
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

const available = requireChromium('the report browser tests');
const password = 'Demo-Passw0rd!';
const artefacts = join(process.cwd(), 'test-results', 'reports');
const docs = join(process.cwd(), 'docs');
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';
const month = '2020-07';

interface Report {
  id: number;
  state: string;
  number: string | null;
  sha256: string;
  drafted_by: string[];
}

describe.runIf(available)('the supervision report in Chromium', () => {
  let database: Database;
  let server: Server;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  const signInAs = (name: string) => signInWithForm(page, context, base, name, password);
  const shoot = async (name: string) => {
    const file = join(artefacts, `${name}.png`);
    await page.screenshot({ path: file });
    if (updateDocs) await copyFile(file, join(docs, `${name}.png`));
  };
  const json = async <T>(response: Response | Promise<Response>): Promise<T> => {
    const r = await response;
    expect(r.ok, `${r.status} ${await r.clone().text()}`).toBe(true);
    return (await r.json()) as T;
  };
  const sha256 = async (response: Response) =>
    createHash('sha256')
      .update(new Uint8Array(await response.arrayBuffer()))
      .digest('hex');
  /** Clicks a form's button and waits for the page it reloads to. */
  const press = async (formId: string) => {
    await Promise.all([page.waitForNavigation(), page.locator(`#${formId} button[type="submit"]`).click()]);
  };

  beforeAll(async () => {
    await mkdir(artefacts, { recursive: true });
    if (updateDocs) await mkdir(docs, { recursive: true });
    database = await openTestDatabase('pglite');
    await prepareDatabase(database, { demo: true, demoPassword: password, credentialsDir: path.join(tmpdir(), 'yunwang-credentials') });
    const actor = rootActor('browser-test');
    await freezeMonths(database.db, ['2020-06', month], { actor, concurrency: 2 });
    // A reviewer who is a leader too: he may draft, and may sign off only what he did not draft.
    await createUser(database.db, { name: 'reviewer-leader', roles: ['reviewer', 'leader'], password, totp_exempt: true }, actor);
    const app = createApp({
      database,
      config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 },
      demo: true,
      logger: silentLogger,
    });
    ({ server, base } = await serveOnLoopback(app));
    ({ profile, context, page } = await openChromium(base, 'reports'));
  }, 240_000);

  afterAll(async () => {
    await closeBrowserAndServer(context, profile, server);
    await database?.close();
  });

  it('a reviewer drafts and submits, the author cannot sign off his own, a leader signs it off, and its bytes never change', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await signInAs('reviewer');
    await page.goto(`${base}/console/reports`);
    await page.locator('#draft-form select[name="month"]').selectOption(month);
    await press('draft-form');
    const row = page.locator('#reports-table tr[data-state="draft"]');
    await expect.poll(() => row.count()).toBe(1);
    const id = Number(await row.getAttribute('data-report'));

    // A reviewer-leader regenerates it: now he is one of its authors.
    await signInAs('reviewer-leader');
    await page.goto(`${base}/console/reports/${id}`);
    await press('regenerate-form');
    await signInAs('reviewer');
    await page.goto(`${base}/console/reports/${id}`);
    await press('submit-form');
    expect(await page.locator('h1 small').textContent()).toBe('待签发');

    await signInAs('reviewer-leader');
    await page.goto(`${base}/console/reports/${id}`);
    expect(await page.locator('#publish-form').count()).toBe(0);
    expect(await page.locator('p.hint').last().textContent()).toContain('参与了起草');
    const own = await (await apiAs(base, 'reviewer-leader', password))(`/api/v1/supervision-reports/${id}/publish`, { method: 'POST' });
    expect(own.status).toBe(403);

    await signInAs('leader');
    await page.goto(`${base}/console/reports/${id}`);
    // The preview is the stored HTML itself, framed.
    const frame = page.frameLocator('#report-preview');
    await expect.poll(() => frame.locator('h1').textContent()).toContain('督查通报');
    await shoot('console-report');
    await press('publish-form');
    expect(await page.locator('h1 small').textContent()).toBe('已签发');
    const leader = await apiAs(base, 'leader', password);
    const published = (await json<{ items: Report[] }>(leader(`/api/v1/supervision-reports?month=${month}&state=published`))).items[0];
    expect(published).toMatchObject({ id, state: 'published', drafted_by: ['reviewer', 'reviewer-leader'] });
    expect(published?.number).toMatch(/^督查通报〔\d{4}〕\d+号$/);
    expect(await page.locator('h1').textContent()).toContain(String(published?.number));

    // A registry edit and a refreeze change the live report, never the published one.
    const department = await apiAs(base, 'dept-P001', password);
    const created = await department('/api/v1/systems', {
      method: 'POST',
      body: { code: 'REPORT-LATE-1', name: '事后补登的系统', department_code: 'P001', state: 'migrated', state_at: '2020-07-15' },
    });
    expect(created.status).toBe(201);
    await freezeMonths(database.db, [month], { actor: rootActor('browser-test'), refreeze: true, reason: '补登系统后重新冻结' });
    expect(await sha256(await leader(`/api/v1/supervision-reports/${id}.xlsx`))).toBe(published?.sha256);
    // Departments read what was published.
    expect(await sha256(await department(`/api/v1/supervision-reports/${id}.xlsx`))).toBe(published?.sha256);
    expect(errors).toEqual([]);
  }, 180_000);
});
