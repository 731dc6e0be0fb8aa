import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Database } from '../db/client.ts';
import type { AppEnv } from '../http/router.ts';
import { authenticate } from '../identity/middleware.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type { IndicatorReport } from '../indicators/service.ts';
import { registerAssets } from './assets.ts';
import { registerFormFallback } from './forms.tsx';
import { langOf } from './i18n.ts';
import { consolePages, pagesFor } from './nav.ts';
import { type ConsoleSettings, consolePage, renderWith } from './page.tsx';
import { loginPage, restrictedPage } from './pages/account.tsx';
import { alertsPage } from './pages/alerts.tsx';
import { idlePage } from './pages/idle.tsx';
import { interconnectionPage } from './pages/interconnection.tsx';
import { itemsPage } from './pages/items.tsx';
import { mapPage } from './pages/map.tsx';
import { nodePage } from './pages/node.tsx';
import { opsPage } from './pages/ops.tsx';
import { overviewPage } from './pages/overview.tsx';
import { recordPage } from './pages/record.tsx';
import { reviewPage } from './pages/review.tsx';
import { workOrderPage } from './pages/work-order.tsx';
import { newWorkOrderPage, workOrdersPage } from './pages/work-orders.tsx';
import { workspacePage } from './pages/workspace.tsx';

export interface ConsoleOptions {
  database: Database;
  demo: boolean;
  /** The app's one indicator cache, shared with the API and the maps. */
  cache: IndicatorCache<IndicatorReport>;
}

/**
 * The web console (控制台): server-rendered pages under /console, reading through the same
 * services as the API with the signed-in caller; page scripts call the JSON API with the
 * session cookie. Everything it serves comes from the app itself (no CDN).
 */
export function registerConsole(app: OpenAPIHono<AppEnv>, options: ConsoleOptions) {
  const settings: ConsoleSettings = { demo: options.demo, cache: options.cache };
  registerAssets(app);
  const signedIn = authenticate(options.database);
  const pagesOnly: MiddlewareHandler<AppEnv> = (c, next) => (c.req.path.startsWith('/console/assets/') ? next() : signedIn(c, next));
  app.use('/console', pagesOnly);
  app.use('/console/*', pagesOnly);

  app.get('/console', (c) => {
    const principal = c.get('principal');
    if (!principal) return c.redirect('/console/login', 302);
    const first = pagesFor(principal.access)[0];
    if (first) return c.redirect(consolePages[first].path, 302);
    // Administrators and auditors work through the API and the CLI; say so.
    const lang = langOf(c);
    return renderWith(c, lang, settings, { name: principal.user.name, access: principal.access, csrfToken: principal.csrfToken })({
      title: lang === 'en' ? 'Console' : '控制台',
      children: (
        <section>
          <h1>{lang === 'en' ? 'No console pages for your roles' : '您的角色没有控制台页面'}</h1>
          <p>
            {lang === 'en'
              ? 'Administrators and auditors use the API and the yunwang command: '
              : '管理员与审计员请使用 API 与 yunwang 命令：'}
            <a href="/docs">API</a>
          </p>
        </section>
      ),
    });
  });
  registerFormFallback(app, settings);
  app.get('/console/login', loginPage(settings));
  app.get('/console/password', restrictedPage(settings, 'password'));
  app.get('/console/totp', restrictedPage(settings, 'totp'));
  app.get('/console/overview', consolePage(settings, 'overview', overviewPage));
  app.get('/console/items', consolePage(settings, null, itemsPage));
  app.get('/console/interconnection', consolePage(settings, 'interconnection', interconnectionPage));
  app.get('/console/map', consolePage(settings, 'map', mapPage));
  app.get('/console/workspace', consolePage(settings, 'workspace', workspacePage));
  app.get('/console/workspace/:kind/:code', consolePage(settings, 'workspace', recordPage));
  app.get('/console/ops', consolePage(settings, 'ops', opsPage));
  app.get('/console/review', consolePage(settings, 'review', reviewPage));
  app.get('/console/idle', consolePage(settings, 'idle', idlePage));
  app.get('/console/alerts', consolePage(settings, 'alerts', alertsPage));
  app.get('/console/work-orders', consolePage(settings, 'workOrders', workOrdersPage));
  app.get('/console/work-orders/new', consolePage(settings, 'workOrders', newWorkOrderPage));
  app.get('/console/work-orders/:code', consolePage(settings, 'workOrders', workOrderPage));
  // Not in the menu: reached from alerts and the ops panel; the page checks network-node access.
  app.get('/console/nodes/:code', consolePage(settings, null, nodePage));
}
