import { count } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { users } from '../db/schema/index.ts';
import { rootActor } from './actor.ts';
import type { Role } from './roles.ts';
import { createUser } from './users.ts';

const bootstrapActor = rootActor('bootstrap');

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

/**
 * A first start without users creates the three administrators (三权分立), each with a
 * one-time password and a second-factor secret, printed once: they are stored only as hashes.
 */
export async function ensureAdministrators(db: Db, print: (line: string) => void): Promise<void> {
  if ((await countUsers(db)) > 0) return;
  print('No users yet: created the three administrators. Each must change this password at first sign-in.');
  print('These passwords and second-factor URIs are shown only now; store them safely.');
  for (const role of ['sysadmin', 'secadmin', 'auditor'] as const) {
    const created = await createUser(db, { name: role, display_name: role, roles: [role] }, bootstrapActor);
    print(`  ${role}: password ${created.one_time_password}  TOTP ${created.totp_uri}`);
  }
}

/** The demo users: one per role, all with the demo password and no second factor. */
export const demoUsers: { name: string; roles: Role[]; department_code?: string }[] = [
  { name: 'sysadmin', roles: ['sysadmin'] },
  { name: 'secadmin', roles: ['secadmin'] },
  { name: 'auditor', roles: ['auditor'] },
  { name: 'ops', roles: ['ops'] },
  { name: 'reviewer', roles: ['reviewer'] },
  { name: 'leader', roles: ['leader'] },
  { name: 'dept-P001', roles: ['department'], department_code: 'P001' },
];

export async function createDemoUsers(db: Db, password: string): Promise<string[]> {
  if ((await countUsers(db)) > 0) return [];
  // Concurrently: each password hash takes ~0.1 s, and this is on the first start's path.
  await Promise.all(
    demoUsers.map((u) => createUser(db, { ...u, display_name: `演示 ${u.name}`, password, totp_exempt: true }, bootstrapActor)),
  );
  return demoUsers.map((u) => u.name);
}
