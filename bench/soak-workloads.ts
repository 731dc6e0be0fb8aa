/**
 * What the soak's users do: reads of indicators and drill-downs over the demo data, a
 * department's CSV import, and the exports (drill-down CSV, registry CSV, audit CSV, the
 * report's XLSX). Each is one loop at a bounded rate.
 */
import type { Recorder, Session, Workload } from './soak-traffic.ts';
import { sessionHeaders } from './soak-traffic.ts';

const indicatorKeys = ['cloud_migration', 'private_network_interconnection', 'service_integration', 'extranet_access'];
const cities = Array.from({ length: 14 }, (_, i) => `45${String(i + 1).padStart(2, '0')}00`);

const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)] as T;

/** A business day within the demo's history (2019-01-01 … 2020-07-31). */
function demoDate(): string {
  const from = Date.UTC(2019, 0, 1);
  const to = Date.UTC(2020, 6, 31);
  return new Date(from + Math.floor(Math.random() * ((to - from) / 86_400_000 + 1)) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The same 20 systems of department P001 each time, named after the round: every import
 * writes. No classification: that is the reviewer's (认定), a department may not set it.
 */
function systemsCsv(round: number): string {
  const rows = Array.from(
    { length: 20 },
    (_, i) => `SOAK-SYS-${String(i + 1).padStart(2, '0')},浸泡测试系统 ${i + 1}（第 ${round % 2} 版）,P001`,
  );
  return `code,name,department_code\n${rows.join('\n')}\n`;
}

export function soakWorkloads(apiUrl: string, sessions: Record<string, Session>): Workload[] {
  const as = (name: string) => {
    const session = sessions[name];
    if (!session) throw new Error(`no session for ${name}`);
    return session;
  };
  const get = (recorder: Recorder, route: string, session: Session | null, url: string, accept = 'application/json') =>
    recorder.time(route, () =>
      fetch(`${apiUrl}${url}`, {
        headers: session ? sessionHeaders(session, { Accept: accept }) : { Accept: accept },
        signal: AbortSignal.timeout(120_000),
      }),
    );
  let importRound = 0;
  const today = () => new Date().toISOString().slice(0, 10);
  return [
    {
      route: 'GET /livez',
      who: '(none)',
      everyMs: 1000,
      run: (r) => get(r, 'GET /livez', null, '/livez'),
    },
    {
      route: 'GET /api/v1/indicators',
      who: 'leader',
      everyMs: 700,
      run: (r) =>
        get(r, 'GET /api/v1/indicators', as('leader'), `/api/v1/indicators?scope=${pick(['450000', ...cities])}&at=${demoDate()}`),
    },
    {
      route: 'GET /api/v1/indicators (department)',
      who: 'dept-P001',
      everyMs: 1500,
      run: (r) => get(r, 'GET /api/v1/indicators (department)', as('dept-P001'), `/api/v1/indicators?scope=dept:P001&at=${demoDate()}`),
    },
    {
      route: 'GET /api/v1/indicators/{key}/items',
      who: 'leader',
      everyMs: 1000,
      run: (r) =>
        get(
          r,
          'GET /api/v1/indicators/{key}/items',
          as('leader'),
          `/api/v1/indicators/${pick(indicatorKeys)}/items?scope=${pick(cities)}&at=${demoDate()}&limit=50&missing=${pick(['true', 'false'])}`,
        ),
    },
    {
      route: 'GET /api/v1/indicators/{key}/items (CSV)',
      who: 'leader',
      everyMs: 10_000,
      run: (r) =>
        get(
          r,
          'GET /api/v1/indicators/{key}/items (CSV)',
          as('leader'),
          `/api/v1/indicators/${pick(indicatorKeys)}/items?scope=${pick(['450000', ...cities])}&at=${demoDate()}`,
          'text/csv',
        ),
    },
    {
      route: 'GET /api/v1/network-nodes',
      who: 'ops',
      everyMs: 2000,
      run: (r) => get(r, 'GET /api/v1/network-nodes', as('ops'), '/api/v1/network-nodes?limit=100'),
    },
    {
      route: 'POST /api/v1/import/systems',
      who: 'dept-P001',
      everyMs: 15_000,
      run: (r) => {
        const session = as('dept-P001');
        const form = new FormData();
        form.append('file', new Blob([systemsCsv(importRound++)], { type: 'text/csv' }), 'soak-systems.csv');
        return r.time('POST /api/v1/import/systems', () =>
          fetch(`${apiUrl}/api/v1/import/systems`, {
            method: 'POST',
            headers: sessionHeaders(session, { 'X-CSRF-Token': session.csrf }),
            body: form,
            signal: AbortSignal.timeout(120_000),
          }),
        );
      },
    },
    {
      route: 'GET /api/v1/export/systems (CSV)',
      who: 'dept-P001',
      everyMs: 20_000,
      run: (r) => get(r, 'GET /api/v1/export/systems (CSV)', as('dept-P001'), '/api/v1/export/systems?format=csv', 'text/csv'),
    },
    {
      route: 'GET /api/v1/audit (CSV)',
      who: 'auditor',
      everyMs: 20_000,
      run: (r) => get(r, 'GET /api/v1/audit (CSV)', as('auditor'), `/api/v1/audit?from=${today()}`, 'text/csv'),
    },
    {
      route: 'GET /api/v1/reports/supervision (XLSX)',
      who: 'leader',
      everyMs: 30_000,
      run: (r) => get(r, 'GET /api/v1/reports/supervision (XLSX)', as('leader'), '/api/v1/reports/supervision?month=2020-07&format=xlsx'),
    },
  ];
}
