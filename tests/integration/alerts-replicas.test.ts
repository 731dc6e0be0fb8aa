/**
 * Several API replicas evaluate together on one PostgreSQL: the advisory lock lets one
 * evaluate at a time, and an alert is one row per fingerprint whatever the number of replicas.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluationCycle } from '../../src/alerts/engine.ts';
import { createApp } from '../../src/app.ts';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { outboxNotifier } from '../../src/notify/outbox.ts';
import { ChannelInput } from '../../src/notify/schemas.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { backends, createPostgresDatabase, queryRows } from '../helpers/db.ts';
import { newAgent, newNode, sample, sendBatch, signInCast } from '../helpers/ingest.ts';
import { POSTGRES_SKIP_MESSAGE } from '../setup/context.ts';

const config = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

describe.skipIf(!backends.includes('postgres'))(
  `alert evaluation by several replicas (${POSTGRES_SKIP_MESSAGE.split(':')[0]} when absent)`,
  () => {
    let created: { url: string; drop(): Promise<void> };
    const replicas: Database[] = [];

    beforeAll(async () => {
      created = await createPostgresDatabase();
      for (let i = 0; i < 3; i++) replicas.push(await openDatabase({ databaseUrl: created.url, poolSize: 3 }));
    });
    afterAll(async () => {
      for (const replica of replicas) await replica.close();
      await created?.drop();
    });

    it('fires each alert once and queues one notification for the group, however many replicas evaluate at once', async () => {
      const [first] = replicas as [Database];
      await loadDivisions(first.db);
      const app = createApp({ database: first, config });
      await signInCast(app, first.db);
      const agent = await newAgent(first, 'network');
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) codes.push(String((await newNode(app)).code));
      const down = (code: string, msAgo: number) =>
        sample(code, new Date(Date.now() - msAgo).toISOString(), { up: false, latency_ms: null, loss: 1 });
      const sent = await sendBatch(app, agent, [...codes.map((c) => down(c, 300_000)), ...codes.map((c) => down(c, 1000))], {
        interval: 600,
      });
      expect(sent.status).toBe(200);

      // The real outbox, with one channel: the five alerts of one cycle are one message.
      const channel = `replicas-${process.pid}`;
      await createChannel(
        first.db,
        ChannelInput.parse({
          name: channel,
          kind: 'webhook',
          url: 'http://127.0.0.1:9/hook',
          min_severity: 'critical',
          group_wait_seconds: 30,
        }),
        rootActor('test'),
      );
      const notifier = outboxNotifier;
      const now = new Date(Date.now() + 1000);
      let evaluated = 0;
      for (let round = 0; round < 4; round++) {
        const results = await Promise.all(
          replicas.map((r) => runEvaluationCycle(r.db, { reopenMinutes: 10, retentionDays: 400, notifier }, now)),
        );
        evaluated += results.filter((r) => r.evaluated).length;
      }
      expect(evaluated).toBeGreaterThanOrEqual(4);
      const rows = await queryRows<{ fingerprint: string; n: number; fired: number }>(
        first,
        sql`select a.fingerprint, count(distinct a.id)::int as n, count(e.id) filter (where e.type = 'fired')::int as fired
          from alerts a left join alert_events e on e.alert_id = a.id
          where a.fingerprint = any(${sql.param(codes.map((c) => `node_down:${c}`))}::text[]) group by a.fingerprint`,
      );
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.n === 1 && r.fired === 1)).toBe(true);
      const queued = await queryRows<{ n: number; alerts: number }>(
        first,
        sql`select count(*)::int as n, coalesce(sum(cardinality(alert_ids)), 0)::int as alerts
            from notifications o join notification_channels c on c.id = o.channel_id where c.name = ${channel}`,
      );
      expect(queued[0]).toEqual({ n: 1, alerts: 5 });
    });
  },
);
