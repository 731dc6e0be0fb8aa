import { eq, sql } from 'drizzle-orm';
import { type Db, keptWhileQuiet } from '../db/client.ts';
import { registryVersion } from '../db/schema/index.ts';

/** Marks the registry changed; call in the transaction that changes it. */
export async function bumpRegistryVersion(db: Db): Promise<void> {
  await db
    .update(registryVersion)
    .set({ version: sql`${registryVersion.version} + 1` })
    .where(eq(registryVersion.id, 1));
}

/**
 * The registry's version. Read once per request by every cache of figures: on the embedded
 * database it is kept while nothing else has run on it (keptWhileQuiet), so a burst of cached
 * reads does not queue for its one connection.
 */
export const readRegistryVersion = keptWhileQuiet(async (db: Db): Promise<number> => {
  const [row] = await db.select({ version: registryVersion.version }).from(registryVersion).where(eq(registryVersion.id, 1));
  return row?.version ?? 0;
});
