import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { rootActor } from '../../src/identity/actor.ts';
import { authenticateSession, login } from '../../src/identity/sessions.ts';
import { authenticateToken, createToken } from '../../src/identity/tokens.ts';
import { currentTotp } from '../../src/identity/totp.ts';
import { resetTotp, startTotpEnrollment } from '../../src/identity/totp-enrolment.ts';
import { changePassword, createUser } from '../../src/identity/users.ts';
import { writeExportFile } from '../../src/imports/format.ts';
import { importFile } from '../../src/imports/service.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { upsertRecords } from '../../src/registry/upsert.ts';
import { testPassword } from '../helpers/auth.ts';
import { describeEachBackend, queryRows } from '../helpers/db.ts';

const root = rootActor('test');

describeEachBackend('identity hardening', (getDb) => {
  beforeAll(async () => {
    await loadDivisions(getDb().db);
  });

  it('an enrolled second factor cannot be replaced by whoever holds the session; the security admin resets it', async () => {
    const { db } = getDb();
    const created = await createUser(db, { name: 'h-auditor', roles: ['auditor'], password: testPassword }, root);
    expect(created.totp_uri).toMatch(/^otpauth:\/\/totp\//);
    await expect(startTotpEnrollment(db, 'h-auditor', root)).rejects.toMatchObject({ code: 'conflict' });
    const secret = new URL(created.totp_uri ?? '').searchParams.get('secret') ?? '';
    const { sessionId } = await login(db, { name: 'h-auditor', password: testPassword, totp: currentTotp(secret, 'h-auditor') }, {});
    await resetTotp(db, 'h-auditor', root);
    // The reset ends the sessions signed in with the old factor, and enrolment is open again.
    expect(await authenticateSession(db, sessionId)).toBeNull();
    await expect(startTotpEnrollment(db, 'h-auditor', root)).resolves.toMatchObject({ uri: expect.stringMatching(/^otpauth:/) });
  });

  it('a new password ends the other sessions and revokes the API tokens; a reset ends every session', async () => {
    const { db } = getDb();
    await createUser(db, { name: 'h-leader', roles: ['leader'], password: testPassword }, root);
    const kept = await login(db, { name: 'h-leader', password: testPassword }, {});
    const other = await login(db, { name: 'h-leader', password: testPassword }, {});
    const { token } = await createToken(db, 'h-leader', { name: 't', scope: 'read', expires_in_days: 1 }, root);
    const self = { name: 'h-leader', access: kept.principal.access };
    const { createHash } = await import('node:crypto');
    const keepSessionHash = createHash('sha256').update(kept.sessionId).digest('hex');
    await changePassword(db, 'h-leader', { current: testPassword, next: 'Other-Passw0rd!', keepSessionHash }, self);
    expect(await authenticateSession(db, kept.sessionId)).not.toBeNull();
    expect(await authenticateSession(db, other.sessionId)).toBeNull();
    // A token must not outlive the password it was issued under (issue 14, item 8).
    expect(await authenticateToken(db, token)).toBeNull();
    const { token: second } = await createToken(db, 'h-leader', { name: 't2', scope: 'read', expires_in_days: 1 }, root);
    await changePassword(db, 'h-leader', {}, root);
    expect(await authenticateSession(db, kept.sessionId)).toBeNull();
    expect(await authenticateToken(db, second)).toBeNull();
  });

  it('an import without a column keeps what is stored in it (a file without 密级 does not undo a certification)', async () => {
    const { db } = getDb();
    await upsertRecords(
      db,
      'departments',
      [{ code: 'H-D1', name: '测试部门', region_code: '450000', kind: 'government', extranet_connected: false }],
      root,
    );
    await upsertRecords(
      db,
      'systems',
      [
        {
          code: 'H-S1',
          name: '系统',
          department_code: 'H-D1',
          classification: 'non_classified',
          state: 'migrated',
          state_at: '2020-01-01',
        },
      ],
      root,
    );
    const csv = '\uFEFFcode,name,department_code\nH-S1,系统（更名）,H-D1\n';
    const report = await importFile(db, 'systems', new TextEncoder().encode(csv), 'csv', root);
    expect(report).toMatchObject({ updated: 1 });
    const [row] = await queryRows<{ name: string; classification: string; state: string; state_at: string }>(
      getDb(),
      sql`select name, classification, state, state_at::text from systems where code = 'H-S1'`,
    );
    expect(row).toEqual({ name: '系统（更名）', classification: 'non_classified', state: 'migrated', state_at: '2020-01-01' });
    // A full file still sets every column it carries.
    const full = await writeExportFile(
      'systems',
      [
        {
          code: 'H-S1',
          name: '系统',
          department_code: 'H-D1',
          classification: 'pending',
          state: 'not_migrated',
          state_at: null,
          cloud_code: null,
          tenant: null,
        },
      ],
      'csv',
    );
    await importFile(db, 'systems', full, 'csv', root);
    const [after] = await queryRows<{ classification: string; state: string }>(
      getDb(),
      sql`select classification, state from systems where code = 'H-S1'`,
    );
    expect(after).toEqual({ classification: 'pending', state: 'not_migrated' });
  });
});
