/**
 * The server's structured log, read back from a real pino logger: one JSON access line per
 * request with its fields (a password sign-in, a TOTP sign-in, a session, an API token, an
 * agent), no secret anywhere in the output, LOG_LEVEL honoured, and a failing metrics refresh
 * logged and counted rather than swallowed.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { currentTotp } from '../../src/identity/totp.ts';
import { createUser } from '../../src/identity/users.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { apiClient } from '../helpers/api.ts';
import { callerWith, signIn, testPassword } from '../helpers/auth.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { parseExposition, select } from '../helpers/exposition.ts';
import { newAgent, sample, sendBatch } from '../helpers/ingest.ts';
import { type CapturedLogs, captureLogs } from '../helpers/logs.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };
const accessLines = (logs: CapturedLogs) => logs.records().filter((r) => r.msg === 'request');

describe('structured logs', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    await loadDivisions(database.db);
  }, 60_000);
  afterAll(() => database?.close());

  it('writes one access line per request with method, route pattern, status, duration, request id and caller — and no secret', async () => {
    const logs = captureLogs(loadConfig({ LOG_LEVEL: 'info' }).LOG_LEVEL);
    const app: App = createApp({ database, config, logger: logs.logger });
    const api = apiClient(app);
    const secrets: string[] = [testPassword];

    // A password sign-in, then a read and a write (CSRF) with its session cookie.
    const reader = await callerWith(database.db, ['leader']);
    secrets.push((reader.headers.Authorization ?? '').replace('Bearer ', ''));
    const session = await signIn(app, reader.name);
    expect(session.status).toBe(200);
    secrets.push(session.cookie.split('=')[1] ?? '', session.csrf);
    expect((await api.as(session).get('/api/v1/auth/me')).status).toBe(200);
    // A wrong password, sent in the body: refused, and not logged.
    const wrong = 'Wrong-Passw0rd-never-logged';
    secrets.push(wrong);
    expect((await signIn(app, reader.name, wrong)).status).toBe(401);

    // An administrator signs in with a TOTP code.
    const admin = `log-admin-${process.pid}`;
    const created = await createUser(
      database.db,
      { name: admin, roles: ['secadmin'], password: testPassword, totp_exempt: false },
      rootActor('test'),
    );
    const totpSecret = new URL(String(created.totp_uri)).searchParams.get('secret') ?? '';
    const code = currentTotp(totpSecret, admin);
    secrets.push(totpSecret);
    const adminSession = await signIn(app, admin, testPassword, code);
    expect(adminSession.status).toBe(200);
    secrets.push(adminSession.cookie.split('=')[1] ?? '', adminSession.csrf);

    // A bearer token, with a would-be secret in the path and the query string.
    const lookup = await api.as(reader).get('/api/v1/systems/SYS-PATH-SECRET-42?token=QUERY-SECRET-42');
    expect(lookup.status).toBe(404);
    secrets.push('SYS-PATH-SECRET-42', 'QUERY-SECRET-42');
    // An agent's batch.
    const agent = await newAgent(database, 'network');
    secrets.push(agent.token);
    expect((await sendBatch(app, agent, [sample('NO-SUCH-NODE', new Date().toISOString())])).status).toBe(422);
    // Nobody: a probe.
    const probe = await api.get('/livez', { headers: { 'X-Request-Id': 'probe-1' } });
    expect(probe.status).toBe(200);

    const lines = accessLines(logs);
    expect(lines).toHaveLength(7); // one per request above
    for (const line of lines) {
      expect(line).toMatchObject({ level: 'info', msg: 'request' });
      expect(typeof line.time).toBe('string');
      expect(typeof line.duration_ms).toBe('number');
      expect(line.request_id).toMatch(/^[A-Za-z0-9._-]+$/);
    }
    expect(lines.map((l) => [l.method, l.route, l.status, l.user ?? l.agent ?? null, l.via ?? null])).toEqual([
      ['POST', '/api/v1/auth/login', 200, null, null],
      ['GET', '/api/v1/auth/me', 200, reader.name, 'session'],
      ['POST', '/api/v1/auth/login', 401, null, null],
      ['POST', '/api/v1/auth/login', 200, null, null],
      ['GET', '/api/v1/systems/:code', 404, reader.name, 'token'],
      ['POST', '/api/v1/ingest/batches', 422, agent.name, null],
      ['GET', '/livez', 200, null, null],
    ]);
    expect(lines.at(-1)?.request_id).toBe('probe-1');
    // The response's X-Request-Id is the logged one.
    expect(lines.at(-1)?.request_id).toBe(probe.headers.get('x-request-id'));

    const text = logs.text();
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(5);
      expect(text, 'a secret reached the log').not.toContain(secret);
    }
    expect(text).not.toContain(code);
  });

  it('honours LOG_LEVEL: at warn no access line is written (the next test sees a failure logged at warn)', async () => {
    const logs = captureLogs(loadConfig({ LOG_LEVEL: 'warn' }).LOG_LEVEL);
    const app = createApp({ database, config: { ...config, YUNWANG_METRICS_CACHE_SECONDS: 1 }, logger: logs.logger });
    expect((await apiClient(app).get('/livez')).status).toBe(200);
    expect((await apiClient(app).get('/metrics')).status).toBe(200);
    expect(logs.lines).toEqual([]);
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL/);
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
      expect(loadConfig({ LOG_LEVEL: level }).LOG_LEVEL).toBe(level);
    // silent: nothing at all, even an error.
    const silent = captureLogs('silent');
    silent.logger.fatal('not written');
    expect(silent.lines).toEqual([]);
  });

  it('logs and counts a failing metrics refresh instead of swallowing it', async () => {
    const logs = captureLogs('warn');
    const app = createApp({ database, config: { ...config, YUNWANG_METRICS_CACHE_SECONDS: 1 }, logger: logs.logger });
    const scrape = async () => {
      const answer = await apiClient(app).get('/metrics');
      expect(answer.status).toBe(200);
      return parseExposition(answer.text);
    };
    await scrape(); // the first computation; the job series are read beside it, so the next scrape shows it
    const before = await scrape();
    expect(select(before, 'yunwang_job_last_success_timestamp_seconds', { job: 'metrics_refresh' })[0]?.value).toBeGreaterThan(0);
    // The clouds' table gone: the business gauges' refresh (behind the next scrape) fails.
    await database.db.execute(sql`alter table clouds rename to clouds_away`);
    try {
      await new Promise((r) => setTimeout(r, 1100));
      await scrape(); // serves the last values and starts the refresh behind
      let failures = 0;
      for (let i = 0; i < 40 && failures === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        failures = logs.records().filter((r) => r.job === 'metrics_refresh').length;
      }
      const failure = logs.records().find((r) => r.job === 'metrics_refresh');
      expect(failure).toMatchObject({ level: 'error', job: 'metrics_refresh' });
      expect(String((failure?.err as { message?: string } | undefined)?.message)).toContain('clouds');
      const after = await scrape();
      expect(select(after, 'yunwang_job_failures_total', { job: 'metrics_refresh' })[0]?.value).toBeGreaterThanOrEqual(1);
    } finally {
      await database.db.execute(sql`alter table clouds_away rename to clouds`);
    }
  });

  it('writes JSON with a level name and an ISO time, and an error with its stack but without a query’s parameters', () => {
    const logs = captureLogs('info');
    const error = new Error('Failed query: select * from sessions where id_hash = $1\nparams: 9f86d081884c7d659a2feaa0c55ad015');
    Object.assign(error, { params: ['9f86d081884c7d659a2feaa0c55ad015'] });
    logs.logger.error({ err: error, password: 'Hunter2-Hunter2' }, 'boom');
    const [record] = logs.records();
    expect(record).toMatchObject({ level: 'error', msg: 'boom', password: '[redacted]' });
    expect(record?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(logs.text()).not.toContain('9f86d081884c7d659a2feaa0c55ad015');
    expect(logs.text()).not.toContain('Hunter2');
    expect((record?.err as { stack?: string } | undefined)?.stack).toContain('params: [redacted]');
  });
});
