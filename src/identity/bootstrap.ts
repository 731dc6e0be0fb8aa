import { count } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { users } from '../db/schema/index.ts';
import { rootActor } from './actor.ts';
import { writeCredentialsFile } from './credentials-file.ts';
import type { Role } from './roles.ts';
import { createUser } from './users.ts';

const bootstrapActor = rootActor('bootstrap');

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

/**
 * A first start without users creates the three administrators (三权分立), each with a
 * one-time password and a second-factor secret, stored only as hashes. They are written to
 * a 0600 file under `credentialsDir`, never to the log (Kubernetes keeps logs); the log
 * names the file.
 */
export async function ensureAdministrators(db: Db, credentialsDir: string, log: (line: string) => void): Promise<void> {
  if ((await countUsers(db)) > 0) return;
  const lines = [
    'The three administrators of yunwang. Each must change this password at first sign-in.',
    'Hand each his line, then delete this file.',
  ];
  for (const role of ['sysadmin', 'secadmin', 'auditor'] as const) {
    const created = await createUser(db, { name: role, display_name: role, roles: [role] }, bootstrapActor);
    lines.push(`  ${role}: password ${created.one_time_password}  TOTP ${created.totp_uri}`);
  }
  const file = await writeCredentialsFile(credentialsDir, 'administrators', lines);
  log(
    `No users yet: created the three administrators; their one-time passwords and second factors are in ${file} (0600). Delete it once handed over.`,
  );
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
  // The wall screen (大屏) in the meeting room: it opens /console/screen and nothing else.
  { name: 'screen', roles: ['screen'] },
];

export async function createDemoUsers(db: Db, password: string): Promise<string[]> {
  if ((await countUsers(db)) > 0) return [];
  // Concurrently: each password hash takes ~0.1 s, and this is on the first start's path.
  await Promise.all(
    demoUsers.map((u) => createUser(db, { ...u, display_name: `演示 ${u.name}`, password, totp_exempt: true }, bootstrapActor)),
  );
  return demoUsers.map((u) => u.name);
}
