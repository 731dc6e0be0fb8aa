/**
 * /readyz: ready once prepared; on PostgreSQL it also asks the server, so a replica whose
 * database is gone leaves the Service. The embedded database lives in the process: it is not
 * pinged (a ping would only queue behind the background jobs on its one connection).
 */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { freePort } from '../helpers/ports.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864, YUNWANG_BACKDATE_DAYS: 3650 };
const opened: Database[] = [];
afterAll(async () => {
  for (const database of opened) await database.close();
});

describe('/readyz', () => {
  it('answers 503 not_ready naming the database when PostgreSQL does not answer', async () => {
    // Nothing listens on this loopback port: every connection is refused at once.
    const database = await openDatabase({ databaseUrl: `postgres://yunwang@127.0.0.1:${await freePort()}/yunwang` });
    opened.push(database);
    const app = createApp({ database, config, isReady: () => true });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 503, code: 'not_ready', detail: 'database is unreachable' });
  });

  it('answers 200 on the embedded database without waiting for its connection', async () => {
    const database = await openDatabase({});
    opened.push(database);
    const app = createApp({ database, config, isReady: () => true });
    // Its one connection busy for a while: readiness does not queue behind it.
    let busyDone = false;
    const busy = database.db.execute(sql`select pg_sleep(1)`).then(() => {
      busyDone = true;
    });
    const res = await app.request('/readyz');
    expect(busyDone, 'readiness answered only after the query ahead of it').toBe(false);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', database: 'pglite' });
    await busy;
  });
});
