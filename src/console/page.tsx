import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { openAlertCounts } from '../alerts/service.ts';
import type { LeadershipSettings } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { AppEnv } from '../http/router.ts';
import { type Access, can } from '../identity/access.ts';
import type { Actor } from '../identity/actor.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type { IndicatorReport } from '../indicators/service.ts';
import { AppError } from '../kernel/errors.ts';
import { catalogue, type Lang, langOf } from './i18n.ts';
import { Layout, type LayoutProps, type Viewer } from './layout.tsx';
import { mayOpen, type PageKey } from './nav.ts';

export interface ConsoleSettings {
  demo: boolean;
  cache: IndicatorCache<IndicatorReport>;
  /** The red/black list's rules, for the wall screen's panel (the API's own). */
  leadership: LeadershipSettings;
}

/** What every page handler gets: the caller, their language, and a way to answer with the layout. */
export interface PageContext {
  c: Context<AppEnv>;
  db: Db;
  lang: Lang;
  actor: Actor;
  viewer: Viewer;
  settings: ConsoleSettings;
  render(props: Omit<LayoutProps, 'lang' | 'switchHref' | 'demo' | 'viewer'>, status?: 200 | 403 | 404 | 422): Response | Promise<Response>;
}

const t = catalogue(
  {
    forbidden: '无权访问',
    forbiddenText: '您的角色不能打开此页面，或该记录不在您的部门范围内。',
    notFound: '未找到',
    invalid: '请求有误',
    fix: '请修改以下内容：',
    back: '返回首页',
  },
  {
    forbidden: 'Not allowed',
    forbiddenText: 'Your roles may not open this page, or the record is outside your department.',
    notFound: 'Not found',
    invalid: 'Something to fix',
    fix: 'Please fix:',
    back: 'Back to the console',
  },
);

/** The same URL with `lang` flipped: the language switch. */
export function switchHref(c: Context, lang: Lang): string {
  const url = new URL(c.req.url);
  url.searchParams.set('lang', lang === 'en' ? 'zh' : 'en');
  return `${url.pathname}${url.search}`;
}

/**
 * The page's own URL with some query parameters changed (`null` drops one) and the `lang`
 * override dropped, so a filter or tab link keeps the rest of what the page shows.
 */
export function hrefWith(c: Context, changes: Record<string, string | null>): string {
  const url = new URL(c.req.url);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  url.searchParams.delete('lang');
  return `${url.pathname}${url.search}`;
}

export function renderWith(c: Context<AppEnv>, lang: Lang, settings: ConsoleSettings, viewer: Viewer | undefined) {
  return (props: Omit<LayoutProps, 'lang' | 'switchHref' | 'demo' | 'viewer'>, status: 200 | 401 | 403 | 404 | 422 = 200) =>
    c.html(<Layout {...props} lang={lang} switchHref={switchHref(c, lang)} demo={settings.demo} viewer={viewer} />, status);
}

/** A page the caller may not see, or a service's refusal, as an HTML page that says what to do. */
export function errorPage(ctx: Pick<PageContext, 'lang' | 'render'>, error: AppError): Response | Promise<Response> {
  const m = t(ctx.lang);
  const status = error.status === 403 ? 403 : error.status === 404 ? 404 : 422;
  const title = status === 403 ? m.forbidden : status === 404 ? m.notFound : m.invalid;
  return ctx.render(
    {
      title,
      children: (
        <section class="error" role="alert">
          <h1>{title}</h1>
          <p>{status === 403 ? m.forbiddenText : error.message}</p>
          {status === 403 ? <p class="detail">{error.message}</p> : null}
          {error.errors.length > 0 ? (
            <>
              <p>{m.fix}</p>
              <ul>
                {error.errors.map((e) => (
                  <li>
                    <code>{e.field}</code>: {e.message}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <p>
            <a href="/console">{m.back}</a>
          </p>
        </section>
      ) as Child,
    },
    status,
  );
}

/** The nav badge's count, rendered with every page; a department user bound to no department gets none. */
async function alertBadge(db: Db, access: Access): Promise<number | undefined> {
  if (!can(access, 'read', 'alerts')) return undefined;
  try {
    return (await openAlertCounts(db, access)).firing_critical;
  } catch (error) {
    if (error instanceof AppError) return undefined;
    throw error;
  }
}

export type PageHandler = (ctx: PageContext) => Promise<Response>;

/**
 * Wraps a page: sign-in first (else to the login page, coming back after), a restricted session
 * to the password or second-factor page, a page the roles may not open is a 403 page, and a
 * service's AppError becomes an HTML page naming what to fix.
 */
export function consolePage(settings: ConsoleSettings, page: PageKey | null, handler: PageHandler) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const lang = langOf(c);
    const principal = c.get('principal');
    if (!principal) {
      const url = new URL(c.req.url);
      return c.redirect(`/console/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    if (principal.restriction === 'password_change') return c.redirect('/console/password', 302);
    if (principal.restriction === 'totp_enrollment') return c.redirect('/console/totp', 302);
    const viewer: Viewer = {
      name: principal.user.name,
      access: principal.access,
      csrfToken: principal.csrfToken,
      alertsFiring: await alertBadge(c.get('db'), principal.access),
    };
    const ctx: PageContext = {
      c,
      db: c.get('db'),
      lang,
      actor: c.get('actor'),
      viewer,
      settings,
      render: renderWith(c, lang, settings, viewer),
    };
    if (page && !mayOpen(principal.access, page)) {
      return errorPage(
        ctx,
        new AppError(
          'forbidden',
          `page ${page} is not for your roles (${[...(principal.access.root ? [] : principal.access.roles)].join(', ')})`,
        ),
      );
    }
    try {
      return await handler(ctx);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return errorPage(ctx, error);
      throw error;
    }
  };
}
