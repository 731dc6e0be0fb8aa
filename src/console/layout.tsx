import type { Child } from 'hono/jsx';
import type { Access } from '../identity/access.ts';
import { catalogue, type Lang } from './i18n.ts';
import { consolePages, type PageKey, pagesFor } from './nav.ts';

const t = catalogue(
  {
    app: '云网 · 政务云与电子政务外网运行监测',
    demo: '演示数据 — 非真实数据；演示用户使用演示密码登录。',
    signOut: '退出',
    switchLang: 'English',
    skip: '跳到正文',
    nav: '主导航',
    wall: '大屏',
    critical: '条严重告警未处理',
  },
  {
    app: 'yunwang · e-government cloud & network console',
    demo: 'DEMO DATA 演示数据 — not real figures; demo users sign in with the demo password.',
    signOut: 'Sign out',
    switchLang: '中文',
    skip: 'Skip to content',
    nav: 'Main navigation',
    wall: 'Wall screen',
    critical: 'critical alerts firing',
  },
);

export interface Viewer {
  name: string;
  access: Access;
  csrfToken?: string;
  /** Firing critical alerts (unsilenced, uninhibited) for the nav badge; absent when the viewer may not read alerts. */
  alertsFiring?: number;
}

export interface LayoutProps {
  title: string;
  lang: Lang;
  /** The URL of this page in the other language. */
  switchHref: string;
  demo: boolean;
  viewer?: Viewer;
  active?: PageKey;
  /** Page scripts under /console/assets (ES modules). */
  scripts?: string[];
  /** ECharts is loaded only by the pages that draw. */
  charts?: boolean;
  /** Data for the page script, read from `data-config` (no inline script: the CSP forbids it). */
  config?: unknown;
  wall?: boolean;
  /** No menu shown (class `bare`): the wall screen (大屏) shows its own title and clock, and nobody clicks it. */
  bare?: boolean;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  const m = t(props.lang);
  const pages = props.viewer ? pagesFor(props.viewer.access) : [];
  return (
    <html lang={props.lang === 'en' ? 'en' : 'zh-CN'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.viewer?.csrfToken ? <meta name="csrf-token" content={props.viewer.csrfToken} /> : null}
        <title>{`${props.title} · 云网`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/assets/console.css" />
        {props.charts ? <script src="/assets/echarts.min.js" defer /> : null}
        {(props.scripts ?? []).map((s) => (
          <script type="module" src={`/console/assets/${s}`} />
        ))}
      </head>
      <body
        class={[props.wall ? 'wall' : '', props.bare ? 'bare' : ''].join(' ').trim() || undefined}
        data-lang={props.lang}
        data-config={JSON.stringify(props.config ?? {})}
      >
        <a class="skip" href="#main">
          {m.skip}
        </a>
        {props.demo ? (
          <p class="demo" role="status">
            {m.demo}
          </p>
        ) : null}
        <header class="top">
          <a class="brand" href="/console">
            {m.app}
          </a>
          {pages.length > 0 ? (
            <nav aria-label={m.nav}>
              <ul>
                {pages.map((key) => (
                  <li>
                    <a href={consolePages[key].path} aria-current={key === props.active ? 'page' : undefined}>
                      {consolePages[key][props.lang]}
                      {key === 'alerts' && props.viewer?.alertsFiring !== undefined ? (
                        <AlertBadge count={props.viewer.alertsFiring} label={m.critical} />
                      ) : null}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          <div class="who">
            <a href={props.switchHref} lang={props.lang === 'en' ? 'zh-CN' : 'en'}>
              {m.switchLang}
            </a>
            {props.viewer ? (
              <>
                <span>{props.viewer.name}</span>
                <button type="button" id="sign-out">
                  {m.signOut}
                </button>
              </>
            ) : null}
          </div>
        </header>
        <main id="main">{props.children}</main>
        {props.viewer ? <script type="module" src="/console/assets/common.js" /> : null}
        {props.viewer?.alertsFiring !== undefined ? <script type="module" src="/console/assets/badge.js" /> : null}
      </body>
    </html>
  );
}

/** The count of firing critical alerts next to 告警; badge.js keeps it current without a reload. */
function AlertBadge(props: { count: number; label: string }) {
  return (
    <span class="nav-badge" id="alert-badge" data-count={String(props.count)} title={props.label} hidden={props.count === 0}>
      {props.count}
    </span>
  );
}
