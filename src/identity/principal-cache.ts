import { sql } from 'drizzle-orm';
import { type Db, keptWhileQuiet } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { Principal } from './principal.ts';
import { hashSecret } from './sessions.ts';

/** A principal as read from the database, and until when it may be reused without reading it again. */
export interface ReadPrincipal {
  principal: Principal;
  reusableUntil: number;
}

interface Entry extends ReadPrincipal {
  /** The identity and registry versions it was read at. */
  versions: string;
}

/** Enough for every signed-in user and token of a province at once; past it the oldest go. */
const maxEntries = 10_000;

/**
 * Both versions in one query of two one-row tables; on the embedded database kept while nothing
 * else has run on it (keptWhileQuiet): a logout, a revocation or any other write is a call of
 * its own, after which they are read again.
 */
const readVersions = keptWhileQuiet(async (db: Db): Promise<string> => {
  const [row] = await queryRows<{ versions: string }>(
    db,
    sql`select (select version from identity_version where id = 1) || '/' || (select version from registry_version where id = 1) as versions`,
  );
  return row?.versions ?? '';
});

/**
 * Signed-in principals kept between requests (issue 19, item 4): reading a session or a token,
 * its user and department took three queries a request, on the embedded database's one
 * connection. A kept principal is reused while
 * - the identity version has not moved: triggers move it in every transaction that ends a
 *   session, revokes or changes a token, or changes a user (roles, department, lockout,
 *   disabled, password) or the security policy — so logout, revocation and lockout hold from
 *   the next request, on every replica;
 * - the registry version has not moved (a department's place in the tree is part of its access);
 * - its own time allows: the next last-seen touch, the idle deadline, the expiry — after which
 *   it is read again, which touches and checks as before.
 * Checking both versions is one query of two one-row tables. Keys are the secret's hash: the
 * secret itself is never kept.
 */
export function principalCache() {
  const entries = new Map<string, Entry>();
  return {
    async get(db: Db, secret: string, now: Date, read: () => Promise<ReadPrincipal | null>): Promise<Principal | null> {
      const key = hashSecret(secret);
      const versions = await readVersions(db);
      const kept = entries.get(key);
      if (kept && kept.versions === versions && now.getTime() < kept.reusableUntil) return kept.principal;
      entries.delete(key);
      const fresh = await read();
      if (!fresh) return null;
      // Read at the versions seen before reading: a change meanwhile makes the next request read again.
      entries.set(key, { ...fresh, versions });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      return fresh.principal;
    },
    clear() {
      entries.clear();
    },
  };
}

export type PrincipalCache = ReturnType<typeof principalCache>;
