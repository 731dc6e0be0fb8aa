/**
 * The ranking page (/console/ranking) through app.request with signed-in sessions, on the
 * hand-built six-month history: its order and movements are the API's, one movement is
 * worked out by hand, a department user may open neither the page nor its XLSX, and the XLSX
 * holds the same rows as the API.
 */
import ExcelJS from 'exceljs';
import { beforeAll, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import type { MovedEntry, RankingWithMovement } from '../../src/leadership/ranking-movement.ts';
import { callerWith, signIn } from '../helpers/auth.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { actor, HISTORY_MONTHS, seedHistory } from '../helpers/leadership.ts';

const config = {
  YUNWANG_BODY_LIMIT_BYTES: 1048576,
  YUNWANG_IMPORT_LIMIT_BYTES: 67108864,
  YUNWANG_RANKING_WEIGHTS: { cloud_migration: 0.5, service_integration: 0.5 },
  YUNWANG_RANKING_CITY_LIST_SIZE: 1,
  YUNWANG_RANKING_DEPARTMENT_LIST_SIZE: 1,
};

/** Each row of the page's full table for a group: [scope, rank, movement] in page order. */
function pageRows(html: string, group: 'cities' | 'departments'): [string, number, number | null][] {
  const start = html.indexOf(`<table id="ranking-table-${group}"`);
  if (start < 0) return [];
  const table = html.slice(start, html.indexOf('</table>', start));
  return [...table.matchAll(/<tr data-scope="([^"]+)" data-rank="(\d+)" data-movement="(-?\d*)"/g)].map((m) => [
    m[1] as string,
    Number(m[2]),
    m[3] === '' ? null : Number(m[3]),
  ]);
}

/** The movement cell's text of a scope's row in the full table. */
function movementText(html: string, group: 'cities' | 'departments', scope: string): string | undefined {
  const start = html.indexOf(`<table id="ranking-table-${group}"`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const row = table.slice(table.indexOf(`<tr data-scope="${scope}"`));
  return /<td class="move[^"]*">([^<]*)<\/td>/.exec(row)?.[1];
}

const apiRows = (entries: MovedEntry[]) => entries.map((e): [string, number, number | null] => [e.scope, e.rank, e.movement]);

describeEachBackend('ranking page', (getDb) => {
  let app: App;
  const cookies: Record<string, string> = {};
  const get = (path: string, user = 'leader') => app.request(path, { headers: { Cookie: cookies[user] as string } });
  const ranking = async (month: string, user = 'leader') => {
    const answer = await get(`/api/v1/ranking?month=${month}`, user);
    expect(answer.status, await answer.clone().text()).toBe(200);
    return (await answer.json()) as RankingWithMovement;
  };

  beforeAll(async () => {
    const { db } = getDb();
    await seedHistory(db);
    await freezeMonths(db, HISTORY_MONTHS, { actor });
    app = createApp({ database: getDb(), config });
    const users = {
      leader: await callerWith(db, ['leader']),
      reviewer: await callerWith(db, ['reviewer']),
      clerk: await callerWith(db, ['department'], { department: 'T-NN' }),
    };
    for (const [key, user] of Object.entries(users)) {
      const session = await signIn(app, user.name);
      expect(session.status).toBe(200);
      cookies[key] = session.cookie;
    }
  });

  it('shows the API’s order and movements for the month asked, and the newest frozen month by default', async () => {
    for (const month of ['2020-06', '2020-03']) {
      const api = await ranking(month);
      const page = await get(`/console/ranking?month=${month}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(pageRows(html, 'cities')).toEqual(apiRows(api.cities.ranked));
      expect(pageRows(html, 'departments')).toEqual(apiRows(api.departments.ranked));
      for (const color of ['red', 'black'] as const) {
        const start = html.indexOf(`<table id="${color}-cities"`);
        const list = html.slice(start, html.indexOf('</table>', start));
        expect([...list.matchAll(/<tr data-scope="([^"]+)"/g)].map((m) => m[1])).toEqual(api.cities[color].map((e) => e.scope));
      }
    }
    const latest = await (await get('/console/ranking')).text();
    expect(latest).toContain('<option value="2020-06" selected="">');
    // Newest first.
    expect([...latest.matchAll(/<option value="(\d{4}-\d{2})"/g)].map((m) => m[1])).toEqual([...HISTORY_MONTHS].reverse());
    expect(pageRows(latest, 'cities')).toEqual(apiRows((await ranking('2020-06')).cities.ranked));
  });

  it('works the movement out against the previous month’s ranking', async () => {
    // May: 南宁 scores 70 + 5 = 75 and 柳州 60 + 15 = 75, a tie the higher level (南宁) wins; 桂林 60.
    // June: 柳州 90, 南宁 70, 桂林 60 — so 柳州 went up one, 南宁 down one, 桂林 held third.
    const may = await ranking('2020-05');
    expect(may.cities.ranked.map((e) => [e.scope, e.rank, e.score])).toEqual([
      ['450100', 1, 75],
      ['450200', 2, 75],
      ['450300', 3, 60],
    ]);
    const june = await ranking('2020-06');
    const liuzhou = june.cities.ranked.find((e) => e.scope === '450200');
    expect(liuzhou).toMatchObject({ rank: 1, previous_rank: 2, movement: 1 });
    expect(june.cities.ranked.find((e) => e.scope === '450100')).toMatchObject({ rank: 2, previous_rank: 1, movement: -1 });
    expect(june.cities.ranked.find((e) => e.scope === '450300')).toMatchObject({ rank: 3, previous_rank: 3, movement: 0 });
    // The lists carry the same movement as the table.
    expect(june.cities.red[0]).toMatchObject({ scope: '450200', movement: 1 });

    const html = await (await get('/console/ranking?month=2020-06')).text();
    expect(movementText(html, 'cities', '450200')).toBe('↑1');
    expect(movementText(html, 'cities', '450100')).toBe('↓1');
    expect(movementText(html, 'cities', '450300')).toBe('—');

    // January has no frozen month before it: no movement, said so.
    const january = await ranking('2020-01');
    expect(january.previous_month).toBeNull();
    expect(january.cities.ranked.every((e) => e.movement === null && e.previous_rank === null)).toBe(true);
    const first = await (await get('/console/ranking?month=2020-01')).text();
    expect(movementText(first, 'cities', '450100')).toBe('—');
    expect(first).toContain('上月未冻结');
  });

  it('links each figure to the items behind it, as of the month’s last day', async () => {
    const html = await (await get('/console/ranking?month=2020-06')).text();
    expect(html).toContain('href="/console/items?indicator=cloud_migration&amp;scope=450300&amp;at=2020-06-30"');
    // 桂林 is behind its 上云率 target: the gap links to the items still missing.
    expect(html).toContain('href="/console/items?indicator=cloud_migration&amp;scope=450300&amp;at=2020-06-30&amp;missing=true"');
    const items = await get('/console/items?indicator=cloud_migration&scope=450300&at=2020-06-30&missing=true');
    expect(items.status).toBe(200);
    expect(await items.text()).toContain('共 6 项');
  });

  it('is for the leadership area’s readers: a department user gets 403 for the page and the XLSX', async () => {
    expect((await get('/console/ranking', 'reviewer')).status).toBe(200);
    const page = await get('/console/ranking', 'clerk');
    expect(page.status).toBe(403);
    expect(await page.text()).not.toContain('ranking-table-cities');
    expect((await get('/console/ranking.xlsx?month=2020-06', 'clerk')).status).toBe(403);
    expect((await get('/api/v1/ranking?month=2020-06', 'clerk')).status).toBe(403);
    // Not in the department user's menu, in the leader's.
    expect(await (await get('/console', 'clerk')).text()).not.toContain('href="/console/ranking"');
    expect(await (await get('/console')).text()).toContain('href="/console/ranking"');
  });

  it('refuses a month that is not frozen or not a month, naming it', async () => {
    const missing = await get('/console/ranking?month=2020-09');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('2020-09');
    const bad = await get('/console/ranking.xlsx?month=June');
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('month');
  });

  it('downloads the same rows as XLSX: a sheet per category, Chinese headers', async () => {
    const api = await ranking('2020-06');
    const answer = await get('/console/ranking.xlsx?month=2020-06');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('spreadsheetml');
    expect(answer.headers.get('content-disposition')).toContain('ranking-2020-06.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await answer.arrayBuffer());
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['设区市', '区直部门']);
    for (const [name, group] of [
      ['设区市', 'cities'],
      ['区直部门', 'departments'],
    ] as const) {
      const sheet = workbook.getWorksheet(name) as ExcelJS.Worksheet;
      const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
      const header = values(1);
      expect(header.slice(0, 9)).toEqual(['名次', '变化', '上月名次', '代码', '名称', '得分', '水平', '进步(百分点)', '榜单']);
      expect(header).toContain('上云率差距(百分点)');
      const list = api[group];
      const rows = list.ranked.map((_, i) => values(i + 2));
      expect(rows.map((r) => [r[3], r[0], r[2] ?? null, r[5]])).toEqual(
        list.ranked.map((e) => [e.scope, e.rank, e.previous_rank, e.score]),
      );
      const gapColumn = header.indexOf('上云率差距(百分点)');
      expect(rows.map((r) => r[gapColumn] ?? null)).toEqual(
        list.ranked.map((e) => e.reasons.find((x) => x.indicator === 'cloud_migration')?.gap_points ?? null),
      );
      // The entries with nothing to measure follow, marked.
      const unranked = list.unranked.map((_, i) => values(list.ranked.length + 2 + i));
      expect(unranked.map((r) => [r[3], r[8]])).toEqual(list.unranked.map((u) => [u.scope, '未排名']));
    }
    const cities = workbook.getWorksheet('设区市') as ExcelJS.Worksheet;
    expect((cities.getRow(2).values as unknown[]).slice(1, 3)).toEqual([1, '↑1']);
  });
});
