import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { registryVersion } from '../db/schema/index.ts';

/** Marks the registry changed; call in the transaction that changes it. */
export async function bumpRegistryVersion(db: Db): Promise<void> {
  await db
    .update(registryVersion)
    .set({ version: sql`${registryVersion.version} + 1` })
    .where(eq(registryVersion.id, 1));
}

export async function readRegistryVersion(db: Db): Promise<number> {
  const [row] = await db.select({ version: registryVersion.version }).from(registryVersion).where(eq(registryVersion.id, 1));
  return row?.version ?? 0;
}
