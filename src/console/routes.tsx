import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { LeadershipSettings } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { AppEnv } from '../http/router.ts';
import { authenticate } from '../identity/middleware.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type { IndicatorReport } from '../indicators/service.ts';
import { registerAssets } from './assets.ts';
import { registerFormFallback } from './forms.tsx';
import { mayOpen, type PageKey } from './nav.ts';
import { type ConsoleSettings, consolePage, type PageHandler } from './page.tsx';
import { loginPage, restrictedPage } from './pages/account.tsx';
import { alertsPage } from './pages/alerts.tsx';
import { idlePage } from './pages/idle.tsx';
import { interconnectionPage } from './pages/interconnection.tsx';
import { itemsPage } from './pages/items.tsx';
import { mapPage } from './pages/map.tsx';
import { nodePage } from './pages/node.tsx';
import { opsPage } from './pages/ops.tsx';
import { overviewPage } from './pages/overview.tsx';
import { rankingPage, rankingXlsxDownload } from './pages/ranking.tsx';
import { recordPage } from './pages/record.tsx';
import { reportPage, reportsPage } from './pages/reports.tsx';
import { reviewPage } from './pages/review.tsx';
import { screenPage } from './pages/screen.tsx';
import { targetsPage } from './pages/targets.tsx';
import { todoPage } from './pages/todo.tsx';
import { workOrderPage } from './pages/work-order.tsx';
import { newWorkOrderPage, workOrdersPage } from './pages/work-orders.tsx';
import { workspacePage } from './pages/workspace.tsx';

export interface ConsoleOptions {
  database: Database;
  demo: boolean;
  /** The app's one indicator cache, shared with the API and the maps. */
  cache: IndicatorCache<IndicatorReport>;
  /** The ranking's weights and list sizes, as the API ranks with them (the ranking page, the wall screen). */
  leadership: LeadershipSettings;
}

/** The console's pages by path: the menu entry each belongs to (null: reached from other pages), and what renders it. */
const pageRoutes: [string, PageKey | null, PageHandler][] = [
  ['/console/overview', 'overview', overviewPage],
  ['/console/items', null, itemsPage],
  ['/console/interconnection', 'interconnection', interconnectionPage],
  ['/console/map', 'map', mapPage],
  ['/console/screen', 'screen', screenPage],
  ['/console/workspace', 'workspace', workspacePage],
  ['/console/workspace/:kind/:code', 'workspace', recordPage],
  ['/console/ops', 'ops', opsPage],
  ['/console/review', 'review', reviewPage],
  ['/console/idle', 'idle', idlePage],
  ['/console/reports', 'reports', reportsPage],
  ['/console/reports/:id', 'reports', reportPage],
  ['/console/alerts', 'alerts', alertsPage],
  ['/console/work-orders', 'workOrders', workOrdersPage],
  ['/console/work-orders/new', 'workOrders', newWorkOrderPage],
  ['/console/work-orders/:code', 'workOrders', workOrderPage],
  // Not in the menu: reached from alerts and the ops panel; the page checks network-node access.
  ['/console/nodes/:code', null, nodePage],
];

/**
 * The web console (控制台): server-rendered pages under /console, reading through the same
 * services as the API with the signed-in caller; page scripts call the JSON API with the
 * session cookie. Everything it serves comes from the app itself (no CDN).
 */
export function registerConsole(app: OpenAPIHono<AppEnv>, options: ConsoleOptions) {
  const settings: ConsoleSettings = { demo: options.demo, cache: options.cache, leadership: options.leadership };
  registerAssets(app);
  const signedIn = authenticate(options.database);
  const pagesOnly: MiddlewareHandler<AppEnv> = (c, next) => (c.req.path.startsWith('/console/assets/') ? next() : signedIn(c, next));
  app.use('/console', pagesOnly);
  app.use('/console/*', pagesOnly);

  // The landing page: the caller's to-do list; the page that used to open first stays in the menu.
  const todo = consolePage(settings, 'todo', todoPage);
  app.get('/console', (c) => {
    // The wall screen's account has no to-do list: its landing page is the screen.
    const access = c.get('principal')?.access;
    if (access && !mayOpen(access, 'todo') && mayOpen(access, 'screen')) return c.redirect('/console/screen', 302);
    return todo(c);
  });
  registerFormFallback(app, settings);
  app.get('/console/login', loginPage(settings));
  app.get('/console/password', restrictedPage(settings, 'password'));
  app.get('/console/totp', restrictedPage(settings, 'totp'));
  for (const [path, page, render] of pageRoutes) app.get(path, consolePage(settings, page, render));
  // The ranking ranks with the API's own settings (weights, list sizes).
  app.get('/console/ranking', consolePage(settings, 'ranking', rankingPage(options.leadership)));
  app.get('/console/ranking.xlsx', consolePage(settings, 'ranking', rankingXlsxDownload(options.leadership)));
  app.get('/console/targets', consolePage(settings, 'targets', targetsPage(options.leadership)));
}
