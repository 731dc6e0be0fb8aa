import { copyFile, mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEngine, startAlertEngine } from '../../src/alerts/engine.ts';
import { createApp } from '../../src/app.ts';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import type { Database } from '../../src/db/client.ts';
import { alerts, networkNodes } from '../../src/db/schema/index.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { silentLogger } from '../../src/kernel/log.ts';
import { closeBrowserAndServer, openChromium, requireChromium, serveOnLoopback, signInAs as signInWithForm } from '../helpers/browser.ts';
import { openTestDatabase } from '../helpers/db.ts';

const available = requireChromium('the console alerts browser tests');
const password = 'Demo-Passw0rd!';
const artefacts = join(process.cwd(), 'test-results', 'console');
const docs = join(process.cwd(), 'docs');
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';

describe.runIf(available)('console alerts in Chromium', () => {
  let database: Database;
  let server: Server;
  let engine: RunningEngine;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let agentToken: string;
  let node: { code: string; name: string };

  const signInAs = (name: string) => signInWithForm(page, context, base, name, password);

  const shoot = async (name: string) => {
    const file = join(artefacts, `${name}.png`);
    await page.screenshot({ path: file });
    if (updateDocs) await copyFile(file, join(docs, `${name}.png`));
  };

  /** The node's samples as its one agent sends them: reachable ten minutes ago, down for the last five. */
  const reportOutage = async () => {
    const now = Date.now();
    const items = Array.from({ length: 11 }, (_, i) => {
      const at = new Date(now - (10 - i) * 60_000).toISOString();
      const down = i >= 5;
      return { kind: 'node_sample', node: node.code, at, up: !down, latency_ms: down ? null : 3 + i * 0.4, loss: down ? 1 : 0 };
    });
    const answer = await fetch(`${base}/api/v1/ingest/batches`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${agentToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ agent: 'network-alerts-1', seq: 1, sent_at: new Date().toISOString(), next_report_seconds: 3600, items }),
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
  };

  beforeAll(async () => {
    await mkdir(artefacts, { recursive: true });
    if (updateDocs) await mkdir(docs, { recursive: true });
    database = await openTestDatabase('pglite');
    await prepareDatabase(database, { demo: true, demoPassword: password, credentialsDir: path.join(tmpdir(), 'yunwang-credentials') });
    const actor = rootActor('browser-test');
    const app = createApp({
      database,
      config: { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_LOGIN_RATE_PER_MINUTE: 100 },
      demo: true,
      logger: silentLogger,
    });
    ({ server, base } = await serveOnLoopback(app));
    // The server's own engine, as src/server.ts starts it, evaluating every second (YUNWANG_ALERT_EVALUATION_SECONDS=1).
    engine = startAlertEngine(database.db, { intervalSeconds: 1, reopenMinutes: 10, retentionDays: 400 });
    ({ token: agentToken } = await issueAgentToken(database.db, { name: 'network-alerts-1', kind: 'network' }, actor));
    const [first] = await database.db.select({ code: networkNodes.code, name: networkNodes.name }).from(networkNodes).limit(1);
    if (!first) throw new Error('the demo data has no network node');
    node = first;

    ({ profile, context, page } = await openChromium(base, 'alerts'));
  }, 240_000);

  afterAll(async () => {
    await engine?.stop();
    await closeBrowserAndServer(context, profile, server);
    await database?.close();
  });

  it('counts a new outage in the badge, acknowledges and silences it, and draws the node’s latency', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await signInAs('ops');
    await page.goto(`${base}/console/alerts`);
    const badge = page.locator('#alert-badge');
    const before = Number(await badge.getAttribute('data-count'));

    // The node goes down; the engine fires node_down and the badge, polled, counts it without a reload.
    await reportOutage();
    await expect.poll(async () => Number(await badge.getAttribute('data-count')), { timeout: 25_000, interval: 500 }).toBe(before + 1);
    expect(await badge.isVisible()).toBe(true);

    // Filter to node_down with the GET form, and open the alert.
    await page.getByLabel('规则').selectOption('node_down');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/rule=node_down/);
    const row = page.locator('#alerts tbody tr', { has: page.locator(`a[href="/console/nodes/${node.code}"]`) });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getAttribute('data-state')).toBe('firing');
    expect(await row.textContent()).toContain('节点中断');
    await row.locator('a.open-alert').click();
    await page.locator('#alert-detail').waitFor();
    expect(await page.locator('#timeline').textContent()).toContain('触发');

    // Acknowledge with a note: the row shows 已确认, the timeline the note.
    await page.getByLabel('处置说明（必填）').fill('已通知线路维护单位');
    await page.getByRole('button', { name: '确认告警' }).click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('acknowledged');
    expect(await row.locator('.state').textContent()).toBe('已确认');
    expect(await page.locator('#timeline').textContent()).toContain('已通知线路维护单位');

    // Silence this: the form comes filled in from the alert; the silence appears and the alert is marked.
    await page.locator('#silence-link').click();
    const form = page.locator('#silence-form');
    await form.waitFor();
    expect(await form.locator('[name="matchers.node"]').inputValue()).toBe(node.code);
    expect(await form.locator('[name="matchers.rule"]').inputValue()).toBe('node_down');
    await form.getByLabel('原因（必填）').fill('线路割接，预计两小时');
    await form.getByRole('button', { name: '创建静默' }).click();
    await expect.poll(() => page.locator('#silences tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#silences').textContent()).toContain(`node=${node.code}`);
    await expect.poll(() => row.locator('.mark-silenced').count()).toBe(1);
    expect(await page.locator('#silence-form').count()).toBe(0);
    await shoot('console-alerts');

    // The node page: its agent's word, and the latency chart drawn from the samples API.
    await row.locator(`a[href="/console/nodes/${node.code}"]`).click();
    await page.waitForURL(new RegExp(`/console/nodes/${node.code}`));
    expect(await page.locator('#vantages').textContent()).toContain('network-alerts-1');
    await page.locator('.node-charts[data-drawn="true"]').waitFor();
    expect(Number(await page.locator('#chart-latency').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await page.locator('#chart-latency svg path').count()).toBeGreaterThan(0);
    expect(await page.locator('#node-alerts').textContent()).toContain('节点中断');
    await page.screenshot({ path: join(artefacts, 'console-node.png') });

    // The 24 h and 7 d ranges fetch in slices and still draw.
    await page.getByRole('link', { name: '7 天' }).click();
    await page.locator('.node-charts[data-drawn="true"]').waitFor();
    expect(Number(await page.locator('#chart-latency').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 120_000);

  it('opens a work order from the alert page, and accepts, resolves and closes it', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAs('ops');
    await page.goto(`${base}/console/alerts?rule=node_down`);
    const row = page.locator('#alerts tbody tr', { has: page.locator(`a[href="/console/nodes/${node.code}"]`) });
    await expect.poll(() => row.count()).toBe(1);
    await row.locator('a.open-alert').click();
    await page.locator('#alert-detail').waitFor();

    // One step from the alert: the form turns into a link to the new order.
    await page.getByRole('button', { name: '创建工单 Create work order' }).click();
    const link = page.locator('#alert-work-order a');
    await link.waitFor({ timeout: 15_000 });
    const code = (await link.textContent())?.trim() ?? '';
    expect(code).toMatch(/^WO-\d{4}-\d{6}$/);
    await link.click();
    await page.waitForURL(new RegExp(`/console/work-orders/${code}`));
    const state = page.locator('#work-order-state');
    expect(await state.getAttribute('data-state')).toBe('new');

    for (const [button, to] of [
      ['受理 / 恢复', 'accepted'],
      ['解决', 'resolved'],
      ['关闭', 'closed'],
    ] as const) {
      await page.locator('#work-order-actions').getByRole('button', { name: button, exact: true }).click();
      await expect.poll(() => page.locator('#work-order-state').getAttribute('data-state'), { timeout: 15_000 }).toBe(to);
    }
    expect(await page.locator('#work-order-state').textContent()).toContain('已关闭');
    const timeline = (await page.locator('#work-order-timeline').textContent()) ?? '';
    for (const type of ['accepted', 'resolved', 'closed']) expect(timeline).toContain(type);
    // The order is closed; the alert is not resolved by it.
    const alert = await database.db.select().from(alerts).where(eq(alerts.subjectCode, node.code));
    expect(alert.some((a) => a.state !== 'resolved')).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});
