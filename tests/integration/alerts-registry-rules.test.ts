/**
 * The rules that watch the registry rather than the agents: system_unverified (claimed
 * migrated, never seen), re_review_overdue (回头看 past due) and target_behind (a city behind
 * its trajectory at the latest frozen month), on the leadership tests' hand-built history.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { runEvaluationCycle } from '../../src/alerts/engine.ts';
import { listAlerts } from '../../src/alerts/service.ts';
import { systems, users } from '../../src/db/schema/index.ts';
import { rootAccess } from '../../src/identity/access.ts';
import type { Actor } from '../../src/identity/actor.ts';
import { createUser } from '../../src/identity/users.ts';
import { freezeMonths } from '../../src/leadership/freeze.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { certify, scheduleReReview } from '../../src/review/service.ts';
import { describeEachBackend } from '../helpers/db.ts';
import { actor, seedHistory } from '../helpers/leadership.ts';

const engine = { reopenMinutes: 10, retentionDays: 400 };
// The history runs to 2020-06; the engine looks on 2020-07-15.
const now = new Date('2020-07-15T02:00:00Z');

describeEachBackend('alert rules on the registry', (getDb) => {
  const alerts = async (rule: 'system_unverified' | 'assessment_overdue' | 're_review_overdue' | 'target_behind') =>
    (await listAlerts(getDb().db, rootAccess, { rule, state: 'firing', limit: 1000, offset: 0 })).items;

  beforeAll(async () => {
    await seedHistory(getDb().db);
    const { user } = await createUser(
      getDb().db,
      { name: `reviewer-${process.pid}`, roles: ['reviewer'], department_code: null, password: 'Test-Passw0rd!', totp_exempt: true },
      actor,
    );
    const [row] = await getDb().db.select({ id: users.id }).from(users).where(eq(users.name, user.name));
    const reviewer: Actor = {
      name: user.name,
      access: { root: false, userId: row?.id ?? 0, roles: new Set(['reviewer']), department: null, readOnly: false },
    };
    await freezeMonths(getDb().db, ['2020-06'], { actor, today: '2020-07-15' });
    const cert = await certify(
      getDb().db,
      'systems',
      'T-GL-S5',
      { classification: 'non_classified', evidence: '认定依据', certified_at: '2020-05-01' },
      reviewer,
    );
    await scheduleReReview(getDb().db, cert.id, '2020-07-01', reviewer);
    const onTime = await certify(
      getDb().db,
      'systems',
      'T-GL-S6',
      { classification: 'non_classified', evidence: '认定依据', certified_at: '2020-05-01' },
      reviewer,
    );
    await scheduleReReview(getDb().db, onTime.id, '2020-07-31', reviewer);
    // A cloud agent saw T-NN-S1 running: verified.
    await getDb()
      .db.update(systems)
      .set({ verifiedAt: new Date('2020-03-01T00:00:00Z') })
      .where(eq(systems.code, 'T-NN-S1'));
    // 等保: level-3+ systems assessed on these days (or never), for the assessment_overdue rule.
    const protectedSystem = (code: string, more: Record<string, unknown>) => ({
      code,
      name: `系统${code}`,
      department_code: 'T-GL',
      classification: 'non_classified' as const,
      state: 'not_migrated' as const,
      security_level: 3,
      ...more,
    });
    await upsertRecords(
      getDb().db,
      'systems',
      [
        protectedSystem('T-GL-A1', { assessed_on: '2019-07-15' }), // twelve months to the day: still in time
        protectedSystem('T-GL-A2', { assessed_on: '2019-07-14' }),
        protectedSystem('T-GL-A3', { security_level: 4 }),
        protectedSystem('T-GL-A4', { security_level: 2 }),
        protectedSystem('T-GL-A5', { state: 'retired', state_at: '2020-01-01' }),
        protectedSystem('T-GL-A6', { classification: 'classified' }),
      ] as never,
      actor,
      { today: '2020-07-15' },
    );
    await runEvaluationCycle(getDb().db, engine, now);
  });

  it('names the level-3+ systems in use whose last 等保 assessment is more than 12 months old, or missing', async () => {
    const overdue = await alerts('assessment_overdue');
    expect(overdue.map((a) => a.subject.code).sort()).toEqual(['T-GL-A2', 'T-GL-A3']);
    const a2 = overdue.find((a) => a.subject.code === 'T-GL-A2');
    expect(a2).toMatchObject({ severity: 'warning', region: '450300', subject: { kind: 'system' } });
    expect(a2?.summary).toContain('2019-07-14');
  });

  it('names every system migrated 30 days or more ago that no cloud agent has seen', async () => {
    const codes = (await alerts('system_unverified')).map((a) => a.subject.code);
    // Migrated by 2020-06-15 (30 days before): 9 + 10 + 4 + 4 + 4, less the one verified.
    expect(codes).toContain('T-LZ-S10');
    expect(codes).toContain('T-P2-S4');
    expect(codes).not.toContain('T-NN-S1'); // verified
    expect(codes).not.toContain('T-GL-S5'); // never migrated
    expect(codes.length).toBe(30);
    const [one] = await alerts('system_unverified');
    expect(one).toMatchObject({ severity: 'warning', subject: { kind: 'system' } });
  });

  it('raises a re-review past its due date, not one still due', async () => {
    const overdue = await alerts('re_review_overdue');
    expect(overdue.map((a) => a.subject.code)).toEqual(['T-GL-S5']);
    expect(overdue[0]).toMatchObject({ region: '450300', subject: { kind: 'system' } });
    expect(overdue[0]?.summary).toContain('2020-07-01');
  });

  it('raises the cities behind their 上云率 trajectory at the latest frozen month', async () => {
    const behind = await alerts('target_behind');
    const keys = behind.map((a) => a.fingerprint);
    // 2020-06: 桂林 4/10 = 40 % against ~75 % in force; 柳州 10/10 meets its own 100 %.
    expect(keys).toContain('target_behind:450300:cloud_migration');
    expect(keys).not.toContain('target_behind:450200:cloud_migration');
    const guilin = behind.find((a) => a.fingerprint === 'target_behind:450300:cloud_migration');
    expect(guilin).toMatchObject({ subject: { kind: 'scope', code: '450300' }, region: '450300' });
    expect(guilin?.summary).toContain('40.0%');
  });
});
