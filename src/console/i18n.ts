import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/** The console speaks zh-CN first; `?lang=en` (remembered in a cookie) switches to English. */
export type Lang = 'zh' | 'en';
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

export const indicatorNames: Record<string, { zh: string; en: string }> = {
  cloud_migration: { zh: '上云率', en: 'Cloud migration' },
  private_network_interconnection: { zh: '专网打通率', en: 'Private-network interconnection' },
  service_integration: { zh: '对接完成率', en: 'Service integration' },
  horizontal_coverage_city: { zh: '横向网络覆盖率（市级）', en: 'Horizontal coverage (city)' },
  horizontal_coverage_county: { zh: '横向网络覆盖率（县级）', en: 'Horizontal coverage (county)' },
  horizontal_coverage_township: { zh: '横向网络覆盖率（乡镇级）', en: 'Horizontal coverage (township)' },
  extranet_access: { zh: '电子政务外网横向接入率', en: 'Extranet access' },
};

export const indicatorName = (key: string, lang: Lang) => indicatorNames[key]?.[lang] ?? key;

/** The "三个100%": the three indicators the reform aims to bring to 100%. */
export const threeHundred = ['cloud_migration', 'private_network_interconnection', 'service_integration'] as const;

const values: Record<string, { zh: string; en: string }> = {
  pending: { zh: '待认定', en: 'pending' },
  non_classified: { zh: '非涉密', en: 'non-classified' },
  classified: { zh: '涉密', en: 'classified' },
  not_migrated: { zh: '未迁移', en: 'not migrated' },
  migrating: { zh: '迁移中', en: 'migrating' },
  migrated: { zh: '已上云', en: 'migrated' },
  retired: { zh: '已下线', en: 'retired' },
  not_started: { zh: '未启动', en: 'not started' },
  interconnected: { zh: '已打通', en: 'interconnected' },
  national: { zh: '国垂', en: 'national' },
  provincial: { zh: '区垂', en: 'provincial' },
  city: { zh: '市垂', en: 'city' },
  self_built: { zh: '自建', en: 'self-built' },
  up: { zh: '正常', en: 'up' },
  degraded: { zh: '劣化', en: 'degraded' },
  down: { zh: '中断', en: 'down' },
  unknown: { zh: '未知', en: 'unknown' },
  active: { zh: '有效', en: 'active' },
  reverted: { zh: '已撤销', en: 'reverted' },
  passed: { zh: '通过', en: 'passed' },
  failed: { zh: '未通过', en: 'failed' },
  true: { zh: '是', en: 'yes' },
  false: { zh: '否', en: 'no' },
};

/** A stored value (state, classification, …) in the reader's language; unknown values as they are. */
export const valueName = (value: unknown, lang: Lang): string => {
  const key = String(value);
  return values[key]?.[lang] ?? (value === null || value === undefined ? '—' : key);
};

export const formatPercent = (percent: number | null | undefined) =>
  percent === null || percent === undefined ? '—' : `${percent.toFixed(1)}%`;
