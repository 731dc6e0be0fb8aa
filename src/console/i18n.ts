import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { indicatorLabels, type Label, type Lang, labelOf } from '../vocabulary/index.ts';

/** The console speaks zh-CN first; `?lang=en` (remembered in a cookie) switches to English. */
export type { Lang };
export const langCookie = 'yunwang_lang';

export function langOf(c: Context): Lang {
  const asked = c.req.query('lang');
  if (asked === 'en' || asked === 'zh') {
    setCookie(c, langCookie, asked, { path: '/', sameSite: 'Strict', httpOnly: true, maxAge: 365 * 86400 });
    return asked;
  }
  return getCookie(c, langCookie) === 'en' ? 'en' : 'zh';
}

/** A page's small message catalogue: the English half must have every key the Chinese one has. */
export function catalogue<const T extends Record<string, string>>(zh: T, en: { [K in keyof T]: string }) {
  return (lang: Lang): { [K in keyof T]: string } => (lang === 'en' ? en : zh);
}

/** The indicators' names, short English: the console's cards and tables are narrow. */
export const indicatorNames: Record<string, Label> = indicatorLabels;

export const indicatorName = (key: string, lang: Lang) => indicatorNames[key]?.[lang] ?? key;

export { threeHundred } from '../indicators/definitions.ts';

/** A stored value (state, classification, …) in the reader's language; pass its set where values collide. */
export const valueName = labelOf;

export const formatPercent = (percent: number | null | undefined) =>
  percent === null || percent === undefined ? '—' : `${percent.toFixed(1)}%`;
