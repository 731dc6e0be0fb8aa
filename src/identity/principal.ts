import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { departments } from '../db/schema/index.ts';
import type { Access } from './access.ts';
import type { Role } from './roles.ts';
import type { User } from './users.ts';

/** Why a session may do only a few things until its user acts. */
export type Restriction = 'password_change' | 'totp_enrollment' | null;

/** The signed-in caller: a user, how they came in, and what they may do. */
export interface Principal {
  user: User;
  access: Access;
  via: 'session' | 'token';
  restriction: Restriction;
  /** Sessions only: the token cookie-authenticated writes must echo. */
  csrfToken?: string;
}

export async function accessOf(db: Db, user: User, readOnly: boolean): Promise<Access> {
  const [dept] = user.departmentId
    ? await db
        .select({ id: departments.id, code: departments.code, path: departments.path })
        .from(departments)
        .where(eq(departments.id, user.departmentId))
    : [];
  return { root: false, userId: user.id, roles: new Set(user.roles as Role[]), department: dept ?? null, readOnly };
}
