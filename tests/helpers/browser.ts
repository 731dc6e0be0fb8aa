import type { BrowserContext, Page } from 'playwright-core';

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
