import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
/**
 * Replicas starting together on one empty PostgreSQL database (a Kubernetes rollout beside the
 * migration Job) take turns to migrate and seed: all succeed, and the result is what one
 * start alone gives — the divisions once, the three first administrators once.
 */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../src/bootstrap/prepare.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { backends, createPostgresDatabase, queryRows } from '../helpers/db.ts';
import { POSTGRES_SKIP_MESSAGE } from '../setup/context.ts';

describe.skipIf(!backends.includes('postgres'))(
  `first start of several replicas at once (${POSTGRES_SKIP_MESSAGE.split(':')[0]} when absent)`,
  () => {
    const opened: Database[] = [];
    let drop: (() => Promise<void>) | undefined;
    afterAll(async () => {
      await Promise.all(opened.map((d) => d.close()));
      await drop?.();
    });

    it('four processes preparing one empty database at once all succeed, and seed it once', async () => {
      const created = await createPostgresDatabase({ empty: true });
      drop = created.drop;
      // Pools of one: the lock must not need a second pool connection.
      for (let i = 0; i < 4; i++) opened.push(await openDatabase({ databaseUrl: created.url, poolSize: 1 }));
      const logged: string[] = [];
      const credentialsDir = await mkdtemp(path.join(tmpdir(), 'yunwang-credentials-'));
      const results = await Promise.allSettled(
        opened.map((database) => prepareDatabase(database, { demo: false, credentialsDir, log: (line) => logged.push(line) })),
      );
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);

      const [counts] = await queryRows<{ regions: number; users: number; migrations: number }>(
        opened[0] as Database,
        sql`select (select count(*) from regions)::int as regions, (select count(*) from users)::int as users,
                 (select count(*) from drizzle.__drizzle_migrations)::int as migrations`,
      );
      expect(counts?.regions).toBe(1 + 14 + 111 + 1284);
      expect(counts?.users).toBe(3);
      // The one-time credentials are written once, by exactly one of them.
      expect(logged.filter((line) => /administrators/.test(line))).toHaveLength(1);
      expect(await readdir(credentialsDir)).toHaveLength(1);
    });
  },
);
