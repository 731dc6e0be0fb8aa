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
