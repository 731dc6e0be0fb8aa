/**
 * The web console through app.request: sign-in redirects, navigation by role, 403 pages, the
 * English switch, a strict CSP and ECharts served by the app. Figures on the pages are the
 * API's own (same service, same caller). The browser tests (tests/browser/) drive the rest.
 */
import { eq, like, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { auditLog, departments, systems } from '../../src/db/schema/index.ts';
import { loadDemoData } from '../../src/demo/load.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { createDemoUsers } from '../../src/identity/bootstrap.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { type ApiClient, apiClient, type Json } from '../helpers/api.ts';
import { signIn } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

// Transitions here are dated in 2020 (the demo data's year); the back-dating window
// (YUNWANG_BACKDATE_DAYS) is tested in exposure-hardening.test.ts.
const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_BACKDATE_DAYS: 3650 };
const password = 'Demo-Passw0rd!';

interface IndicatorReport {
  indicators: { key: string; numerator: number; denominator: number; percent: number }[];
}

describeEachBackend('web console', (getDb) => {
  let app: App;
  /** Requests as nobody; `as` sends them as a user. */
  let api: ApiClient;
  const cookies: Record<string, string> = {};
  const csrf: Record<string, string> = {};
  /** A user as a browser: the session cookie alone (a form carries its CSRF token as a field). */
  const as = (user?: string) => api.as(user ? { headers: { Cookie: cookies[user] as string } } : null);
  const withCookie = (cookie: string) => api.as({ headers: { Cookie: cookie } });
  const page = <T = Json>(path: string, user?: string, headers: Record<string, string> = {}) => as(user).get<T>(path, { headers });

  beforeAll(async () => {
    const { db } = getDb();
    await loadDivisions(db);
    await loadDemoData(db, { scale: 0.2 });
    await createDemoUsers(db, password);
    app = createApp({ database: getDb(), config, demo: true });
    api = apiClient(app);
    for (const user of ['leader', 'dept-P001', 'ops', 'reviewer', 'auditor']) {
      const session = await signIn(app, user, password);
      expect(session.status).toBe(200);
      cookies[user] = session.cookie;
      csrf[user] = session.csrf;
    }
  }, 120_000);

  it('sends a visitor without a session to the login page, and back afterwards', async () => {
    const res = await page('/console/overview?scope=450100');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/console/login?next=${encodeURIComponent('/console/overview?scope=450100')}`);
    const login = await page('/console/login?next=%2Fconsole%2Fmap');
    expect(login.status).toBe(200);
    const html = login.text;
    expect(html).toContain('<label>用户名');
    expect(html).toContain('&quot;next&quot;:&quot;/console/map&quot;');
    // Only a console path may be the way back: no open redirect.
    expect((await page('/console/login?next=https%3A%2F%2Fevil.example')).text).toContain('&quot;next&quot;:&quot;/console&quot;');
    // A forged or expired cookie is no session.
    expect((await withCookie('yunwang_session=forged').get('/console/map')).status).toBe(302);
  });

  it('shows each role its own navigation and lands /console on the to-do list', async () => {
    const nav = async (user: string) => {
      const html = (await page('/console/overview', user)).text;
      return [...html.matchAll(/<nav[\s\S]*?<\/nav>/g)].join('').match(/href="\/console\/[a-z]+"/g);
    };
    expect(await nav('leader')).toEqual([
      'href="/console/overview"',
      'href="/console/interconnection"',
      'href="/console/map"',
      'href="/console/ranking"',
      'href="/console/targets"',
      'href="/console/screen"',
      'href="/console/alerts"',
      'href="/console/review"',
      'href="/console/reports"',
      'href="/console/idle"',
    ]);
    expect(await nav('dept-P001')).toEqual([
      'href="/console/overview"',
      'href="/console/interconnection"',
      'href="/console/workspace"',
      'href="/console/alerts"',
      'href="/console/reports"',
      'href="/console/idle"',
    ]);
    expect(await nav('ops')).toEqual([
      'href="/console/overview"',
      'href="/console/interconnection"',
      'href="/console/map"',
      'href="/console/ranking"',
      'href="/console/targets"',
      'href="/console/screen"',
      'href="/console/ops"',
      'href="/console/alerts"',
      'href="/console/review"',
      'href="/console/idle"',
    ]);
    const landing = await page('/console', 'dept-P001');
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('<h1>待办事项</h1>');
    // The auditor has no other console page: his to-do list, and the API and the command for the rest.
    const auditor = await page('/console', 'auditor');
    expect(auditor.status).toBe(200);
    expect(auditor.text).toContain('管理员与审计员的其余工作请使用 API 与 yunwang 命令');
    expect((await page('/console/overview', 'auditor')).status).toBe(403);
  });

  it('answers a page the role may not see, or another department’s record, with a 403 page', async () => {
    const { db } = getDb();
    for (const [user, path] of [
      ['dept-P001', '/console/map'],
      ['dept-P001', '/console/ops'],
      ['leader', '/console/workspace'],
      ['leader', '/console/ops'],
      ['dept-P001', '/console/items?indicator=cloud_migration&scope=450100'],
    ] as const) {
      const res = await page(path, user);
      expect(res.status, `${user} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.text).toContain('无权访问');
    }
    const [p001] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'P001'));
    const [own] = await db
      .select({ code: systems.code })
      .from(systems)
      .where(eq(systems.departmentId, p001?.id ?? 0))
      .limit(1);
    // A city department's system: outside P001's subtree (its 二层机构 are inside).
    const [other] = await db
      .select({ code: systems.code })
      .from(systems)
      .innerJoin(departments, eq(departments.id, systems.departmentId))
      .where(like(departments.code, 'C%'))
      .limit(1);
    expect(other?.code).toBeDefined();
    expect((await page(`/console/workspace/systems/${own?.code}`, 'dept-P001')).status).toBe(200);
    const refused = await page(`/console/workspace/systems/${other?.code}`, 'dept-P001');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('无权访问');
    // A code that does not exist reads the same: nothing about other departments leaks.
    expect((await page('/console/workspace/systems/NO-SUCH-SYSTEM', 'dept-P001')).status).toBe(403);
  });

  it('shows the same figures as the indicators API for the caller’s scope', async () => {
    const report = (await page<IndicatorReport>('/api/v1/indicators?scope=450100&at=2020-07-31', 'leader')).body;
    const html = (await page('/console/overview?scope=450100&at=2020-07-31', 'leader')).text;
    for (const f of report.indicators.filter((i) =>
      ['cloud_migration', 'private_network_interconnection', 'service_integration'].includes(i.key),
    )) {
      const card = html.slice(html.indexOf(`data-indicator="${f.key}"`));
      expect(card).toMatch(new RegExp(`^[^]*?${f.percent.toFixed(1)}%[^]*?${f.numerator} / ${f.denominator}`));
    }
    const dept = (await page<IndicatorReport>('/api/v1/indicators?scope=dept:P001', 'dept-P001')).body;
    const workspace = (await page('/console/workspace', 'dept-P001')).text;
    const migration = dept.indicators.find((i) => i.key === 'cloud_migration');
    expect(workspace).toContain(`${migration?.numerator} / ${migration?.denominator}`);
    expect(workspace).toContain('演示数据');
  });

  it('互联互通 shows the five figures of the interconnection API for the scope and period, and the services in scope', async () => {
    const query = 'scope=450100&from=2020-05-01&to=2020-07-31';
    const figures = (await page(`/api/v1/interconnection?${query}`, 'leader')).body;
    expect(figures.services).toBeGreaterThan(0);
    const html = (await page(`/console/interconnection?${query}`, 'leader')).text;
    for (const key of ['connected_units', 'services', 'systems_served', 'volume_total', 'volume_daily_average']) {
      expect(html, key).toContain(`<p class="big">${Number(figures[key]).toLocaleString('en-US')}</p>`);
    }
    for (const text of [
      '接入单位',
      '接口服务',
      '服务系统',
      '信息交换量',
      '日均交换量',
      'interconnection.js',
      'id="interconnection-trend"',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain(`${figures.days} 天`);
    // The services in scope are listed; a department user sees his own department's only.
    const services = (await page<{ items: { code: string }[] }>('/api/v1/interface-services?region=450100&state=active', 'leader')).body;
    expect(html).toContain(`<td>${services.items[0]?.code}</td>`);
    expect((await page('/api/v1/interconnection?scope=450000', 'dept-P001')).status).toBe(403);
    const own = await page('/console/interconnection', 'dept-P001');
    expect(own.status).toBe(200);
    const ownFigures = (await page('/api/v1/interconnection?scope=dept:P001', 'dept-P001')).body;
    expect(own.text).toContain(`<p class="big">${Number(ownFigures.services).toLocaleString('en-US')}</p>`);
    expect((await page('/console/interconnection', 'auditor')).status).toBe(403);
  });

  it('a department keeps its interface services in the workspace, their consumers shown as the spreadsheet writes them', async () => {
    const { db } = getDb();
    const [provider, consumer] = await queryRows<{ code: string }>(
      getDb(),
      sql`select s.code from systems s join departments d on d.id = s.department_id where d.code = 'P001' order by s.code limit 2`,
    );
    await upsertRecords(
      db,
      'interface-services',
      [
        {
          code: 'CONSOLE-IF-1',
          name: '控制台测试接口',
          provider_system_code: provider?.code as string,
          consumer_system_codes: [consumer?.code as string],
          state: 'active',
        },
      ],
      rootActor('console-test'),
    );
    const list = await page('/console/workspace?q=CONSOLE-IF', 'dept-P001');
    expect(list.text).toContain('接口服务');
    expect(list.text).toContain('CONSOLE-IF-1');
    const record = await page('/console/workspace/interface-services/CONSOLE-IF-1', 'dept-P001');
    expect(record.status).toBe(200);
    for (const text of ['控制台测试接口', '已发布', '已下线']) expect(record.text).toContain(text);
    expect(record.text).toContain(`<dt>消费方系统编码</dt><dd>${consumer?.code}</dd>`);
  });

  it('僵尸系统 shows the idle counts of the API, a department its own candidates with the request form, a reviewer the decision form', async () => {
    const counts = (
      await page<{ total: number; departments: { department_code: string }[] }>('/api/v1/idle-systems?scope=450000', 'leader')
    ).body;
    expect(counts.total).toBeGreaterThan(0);
    const html = (await page('/console/idle', 'leader')).text;
    for (const d of counts.departments) expect(html).toContain(`data-department="${d.department_code}"`);
    expect(html).toContain('name="scope"');
    expect(html).not.toContain('/decommission-requests"'); // a leader neither asks nor decides

    // A system of P001 migrating since 2020 and never seen running: a candidate at once.
    const csrfOf = (user: string) => ({ headers: { 'X-CSRF-Token': csrf[user] as string } });
    const created = await as('dept-P001').post(
      '/api/v1/systems',
      { code: 'IDLE-P001', name: '停用的系统', department_code: 'P001', state: 'migrating', state_at: '2020-03-01' },
      csrfOf('dept-P001'),
    );
    expect(created.status, created.text).toBe(201);
    const own = (await page('/console/idle', 'dept-P001')).text;
    expect(own).not.toContain('name="scope"');
    expect(own).toContain('/api/v1/systems/IDLE-P001/decommission-requests');
    const asked = await as('dept-P001').post(
      '/api/v1/systems/IDLE-P001/decommission-requests',
      { reason: '已停用' },
      {
        headers: { 'X-CSRF-Token': csrf['dept-P001'] as string },
      },
    );
    expect(asked.status, asked.text).toBe(201);
    const review = (await page('/console/idle', 'reviewer')).text;
    expect(review).toContain(`/api/v1/decommission-requests/${asked.body.id}/decision`);
    expect((await page('/console/idle', 'auditor')).status).toBe(403);
  });

  it('the ops panel shows the build-out of the 1+N+14 clouds today and the extranet’s 等保 level', async () => {
    const html = (await page('/console/ops', 'ops')).text;
    const buildOut = (
      await page<{ items: { kind: string; role: string; in_service: number; total: number }[] }>('/api/v1/cloud-build-out', 'ops')
    ).body;
    const city = buildOut.items.find((r) => r.kind === 'city' && r.role === 'primary');
    expect(city).toBeDefined();
    expect(html).toMatch(
      new RegExp(`data-kind="city"><strong>市级云</strong> 建成启用 <span class="figure">${city?.in_service} / ${city?.total}</span>`),
    );
    const extranet = (await page<{ security_level: number; filing_number: string }>('/api/v1/extranet', 'ops')).body;
    expect(extranet.security_level).toBe(3);
    expect(html).toContain(`等保 ${extranet.security_level}级 · 备案编号 ${extranet.filing_number}`);
  });

  it('switches to English with ?lang=en and remembers it in a cookie', async () => {
    const res = await page('/console/overview?lang=en', 'leader');
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Cloud migration');
    expect(html).toContain('href="/console/overview?lang=zh"');
    const remembered = (res.headers.get('set-cookie') ?? '').match(/yunwang_lang=en/)?.[0];
    expect(remembered).toBe('yunwang_lang=en');
    const next = (await page('/console/map', 'leader', { Cookie: `${cookies.leader}; yunwang_lang=en` })).text;
    expect(next).toContain('Coverage map');
    expect((await page('/console/map', 'leader')).text).toContain('<html lang="zh-CN">');
  });

  it('sends a strict CSP with no external origin, and serves ECharts itself', async () => {
    const res = await page('/console/map', 'leader');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https?:|\*|unsafe-eval/);
    expect(csp.match(/script-src[^;]*/)?.[0]).not.toContain('unsafe-inline');
    const html = res.text;
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const echarts = await api.get('/assets/echarts.min.js');
    expect(echarts.status).toBe(200);
    expect(echarts.headers.get('content-type')).toContain('javascript');
    const body = echarts.text;
    expect(body.length).toBeGreaterThan(500_000);
    expect(body).toContain('echarts');
    const script = await api.get('/console/assets/map.js');
    expect(script.status).toBe(200);
    expect((await api.get('/console/assets/..%2Fpage.tsx')).status).toBe(404);
  });

  it('a department keeps its data centres in the workspace: the list, and the record with its state and transition form', async () => {
    const { db } = getDb();
    await upsertRecords(
      db,
      'data-centres',
      [
        {
          code: 'CONSOLE-DC-1',
          name: '控制台测试机房',
          department_code: 'P001',
          region_code: '450103',
          classification: 'pending' as const,
          state: 'in_use' as const,
          racks: 24,
          floor_area_m2: 160.5,
        },
      ],
      rootActor('console-test'),
    );
    const list = await page('/console/workspace?q=CONSOLE-DC', 'dept-P001');
    expect(list.status).toBe(200);
    expect(list.text).toContain('非涉密数据中心');
    expect(list.text).toContain('CONSOLE-DC-1');
    const record = await page('/console/workspace/data-centres/CONSOLE-DC-1', 'dept-P001');
    expect(record.status).toBe(200);
    for (const text of ['控制台测试机房', '在用', '整合中', '已关停']) expect(record.text).toContain(text);
    // The kind's own fields, named as in its spreadsheet.
    for (const [term, value] of [
      ['机柜数', '24'],
      ['机房面积', '160.5'],
      ['行政区划代码', '450103'],
    ]) {
      expect(record.text).toContain(`<dt>${term}</dt><dd>${value}</dd>`);
    }
    const english = await page('/console/workspace/data-centres/CONSOLE-DC-1?lang=en', 'dept-P001');
    for (const text of ['Racks', 'Floor area m2']) expect(english.text).toContain(text);
  });

  it("pages a department's long lists, each on its own, keeping the search", async () => {
    const { db } = getDb();
    const systemCodes = Array.from({ length: 57 }, (_, i) => `PAGE-S-${String(i).padStart(3, '0')}`);
    await upsertRecords(
      db,
      'systems',
      systemCodes.map((code) => ({
        code,
        name: `分页测试系统 ${code}`,
        department_code: 'P001',
        classification: 'pending' as const,
        state: 'not_migrated' as const,
      })),
      rootActor('console-test'),
    );
    const first = (await page('/console/workspace?q=PAGE-S', 'dept-P001')).text;
    const shown = (html: string) => [...html.matchAll(/>(PAGE-S-\d{3})</g)].map((m) => m[1]);
    expect(shown(first)).toHaveLength(50);
    expect(first).toContain('显示 50 共 57');
    const next = first.match(/href="(\/console\/workspace\?[^"]*systems-page=2[^"]*)"/)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toContain('q=PAGE-S');
    const second = (await page(next as string, 'dept-P001')).text;
    const rest = shown(second);
    expect(rest).toHaveLength(7);
    expect(new Set([...shown(first), ...rest])).toEqual(new Set(systemCodes));
    expect(second).toContain('2 / 2');
  });

  describe('forms without scripts (progressive enhancement: /console/submit makes the same API call)', () => {
    const submit = (user: string | undefined, fields: Record<string, string>) => as(user).form('/console/submit', fields);
    const stored = async (code: string) => (await getDb().db.select().from(systems).where(eq(systems.code, code))).length;

    it('renders each form to post there, carrying its API call and the session token', async () => {
      const html = (await page('/console/workspace', 'dept-P001')).text;
      const register = html.match(/<form[^>]*id="register-form"[^>]*>[\s\S]*?<\/form>/)?.[0] ?? '';
      expect(register).toContain('method="post"');
      expect(register).toContain('action="/console/submit"');
      expect(register).toContain('name="_api" value="/api/v1/systems"');
      expect(register).toContain(`name="_csrf" value="${csrf['dept-P001']}"`);
      expect((await page('/console/login')).text).toMatch(/<form[^>]*id="login-form"[^>]*action="\/console\/submit"/);
      // A record's transition form comes back to the record.
      const [own] = await getDb()
        .db.select({ code: systems.code })
        .from(systems)
        .innerJoin(departments, eq(departments.id, systems.departmentId))
        .where(eq(departments.code, 'P001'))
        .limit(1);
      const record = (await page(`/console/workspace/systems/${own?.code}`, 'dept-P001')).text;
      expect(record).toContain(`name="_next" value="/console/workspace/systems/${own?.code}"`);
    });

    it('registers a system and moves it on, each write audited as the department user', async () => {
      const res = await submit('dept-P001', {
        _api: '/api/v1/systems',
        _next: '/console/workspace/systems/{code}',
        _csrf: csrf['dept-P001'] as string,
        code: 'NOJS-1',
        name: '无脚本登记系统',
        department_code: 'P001',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/console/workspace/systems/NOJS-1');
      expect(await stored('NOJS-1')).toBe(1);
      const moved = await submit('dept-P001', {
        _api: '/api/v1/systems/NOJS-1/transitions',
        _next: '/console/workspace/systems/NOJS-1',
        _csrf: csrf['dept-P001'] as string,
        to: 'migrating',
        effective_at: '2020-03-01',
        note: '无脚本提交',
      });
      expect(moved.status).toBe(303);
      expect(moved.headers.get('location')).toBe('/console/workspace/systems/NOJS-1');
      const [row] = await getDb().db.select({ state: systems.state }).from(systems).where(eq(systems.code, 'NOJS-1'));
      expect(row?.state).toBe('migrating');
      const audit = await getDb()
        .db.select({ actor: auditLog.actor, action: auditLog.action })
        .from(auditLog)
        .where(eq(auditLog.entityCode, 'NOJS-1'));
      expect(audit.length).toBeGreaterThanOrEqual(2);
      expect(audit.every((a) => a.actor === 'dept-P001')).toBe(true);
    });

    it('refuses without the session token, outside the API, or with bad fields — with a page naming what to fix, writing nothing', async () => {
      const noToken = await submit('dept-P001', { _api: '/api/v1/systems', code: 'NOJS-2', name: 'x', department_code: 'P001' });
      expect(noToken.status).toBe(403);
      expect(noToken.headers.get('content-type')).toContain('text/html');
      expect(await stored('NOJS-2')).toBe(0);

      const elsewhere = await submit('dept-P001', { _api: 'https://evil.example/api/v1/systems', _csrf: csrf['dept-P001'] as string });
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.text).toContain('_api');

      const bad = await submit('dept-P001', {
        _api: '/api/v1/systems',
        _csrf: csrf['dept-P001'] as string,
        code: 'NOJS-3',
        department_code: 'P001',
      });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('<code>name</code>');
      expect(await stored('NOJS-3')).toBe(0);

      // Another department's record: the API's refusal, as a page.
      const [other] = await getDb()
        .db.select({ code: systems.code })
        .from(systems)
        .innerJoin(departments, eq(departments.id, systems.departmentId))
        .where(like(departments.code, 'C%'))
        .limit(1);
      expect(other?.code).toBeTruthy();
      const foreign = await submit('dept-P001', {
        _api: `/api/v1/systems/${other?.code}/transitions`,
        _csrf: csrf['dept-P001'] as string,
        to: 'migrated',
        effective_at: '2020-03-01',
      });
      expect([403, 404]).toContain(foreign.status);
    });

    it('signs in, handing on the session cookie, and returns only to a console page', async () => {
      // The login page's form token, in its cookie and in the form (login CSRF).
      const loginPage = await api.get('/console/login');
      const tokenCookie = (loginPage.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const token = /name="_csrf" value="([^"]+)"/.exec(loginPage.text)?.[1] as string;
      const signIn = (fields: Record<string, string>) => withCookie(tokenCookie).form('/console/submit', { ...fields, _csrf: token });
      const res = await signIn({ _api: '/api/v1/auth/login', _next: 'https://evil.example/', name: 'leader', password });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/console');
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect(cookie).toMatch(/^yunwang_session=/);
      expect((await withCookie(cookie).get('/console/map')).status).toBe(200);
      // A wrong password is said so, on a page; a session that ran out goes back to the sign-in page.
      const wrong = await signIn({ _api: '/api/v1/auth/login', name: 'leader', password: 'wrong' });
      expect(wrong.status).toBe(422);
      expect(wrong.text).toContain('role="alert"');
      const expired = await withCookie('yunwang_session=expired').form('/console/submit', {
        _api: '/api/v1/systems',
        code: 'NOJS-4',
        name: 'x',
      });
      expect(expired.status).toBe(303);
      expect(expired.headers.get('location')).toBe('/console/login');
    });
  });
});
