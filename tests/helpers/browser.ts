import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { type BrowserContext, chromium, type LaunchOptions, type Page } from 'playwright-core';
import { it } from 'vitest';

/**
 * Signs in through the console's own form, as a person would, and waits to land: on the
 * to-do list at /console, or on the page the sign-in was asked for.
 */
export async function signInAs(page: Page, context: BrowserContext, base: string, name: string, password: string): Promise<void> {
  await context.clearCookies();
  await page.goto(`${base}/console/login`);
  await page.getByLabel('用户名').fill(name);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname.startsWith('/console') && url.pathname !== '/console/login');
}

/** Debian's Chromium, which the browser tests drive through playwright-core. */
export const chromiumPath = '/usr/bin/chromium';

/** Headless Chromium at 1366×768 in Chinese, nothing from the network but the app. */
export const launchOptions = {
  executablePath: chromiumPath,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1366, height: 768 },
  locale: 'zh-CN',
};

/**
 * A signed-in API caller from Node, for the checks against the API beside what the page shows:
 * `call(path, { method, body })` with the session's cookie and CSRF token.
 */
export async function apiAs(base: string, name: string, password: string) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (login.status !== 200) throw new Error(`${name} could not sign in: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = ((await login.json()) as { csrf_token: string }).csrf_token;
  return (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
}

/**
 * Whether Chromium is here. Without it, a file's browser tests are skipped with a message naming
 * the package, and under CI=true a test fails instead: CI never skips them silently.
 */
export function requireChromium(what: string): boolean {
  if (existsSync(chromiumPath)) return true;
  const message = `${chromiumPath} is not installed (apt-get install -y chromium): ${what} are skipped`;
  if (process.env.CI === 'true') {
    it('needs Chromium under CI', () => {
      throw new Error(message);
    });
  } else {
    it.skip(message, () => {});
  }
  return false;
}

/** The app on a loopback socket of its own: the server and its base URL. */
export function serveOnLoopback(app: {
  fetch: (request: Request) => Response | Promise<Response>;
}): Promise<{ server: Server; base: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({ server, base: `http://127.0.0.1:${info.port}` });
    }) as Server;
  });
}

/**
 * Chromium with a fresh profile and its first page. Anything the page fetches from outside the
 * app is refused — the intranet has no internet — and told to `onOutside` when given.
 */
export async function openChromium(
  base: string,
  name: string,
  options: Partial<LaunchOptions> & { viewport?: { width: number; height: number }; onOutside?: (url: string) => void } = {},
): Promise<{ profile: string; context: BrowserContext; page: Page }> {
  const { onOutside, ...overrides } = options;
  const profile = await mkdtemp(join(tmpdir(), `yunwang-chromium-${name}-`));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, ...overrides });
  const page = context.pages()[0] ?? (await context.newPage());
  await context.route(
    (url) => !url.href.startsWith(base) && !url.href.startsWith('data:') && !url.href.startsWith('about:'),
    (route) => {
      onOutside?.(route.request().url());
      return route.abort();
    },
  );
  return { profile, context, page };
}

/** Closes what a browser test opened: the browser and its profile, then the server. */
export async function closeBrowserAndServer(context: BrowserContext | undefined, profile: string | undefined, server: Server | undefined) {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
}
