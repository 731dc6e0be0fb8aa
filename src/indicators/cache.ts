import type { Db } from '../db/client.ts';
import { readRegistryVersion } from '../registry/version.ts';

/**
 * Computed indicator reports, keyed by query and registry version: a figure is reused only
 * while nothing it could depend on has been written. Bounded, least recently used first out.
 */
export class IndicatorCache<T> {
  private readonly entries = new Map<string, { version: number; value: T }>();
  /** Computations under way, so that concurrent readers of one figure (API, maps, a scrape) share one. */
  private readonly running = new Map<string, Promise<T>>();

  constructor(private readonly maxEntries = 1000) {}

  async getOrCompute(db: Db, key: string, compute: () => Promise<T>): Promise<T> {
    // Read the version before computing: a write landing meanwhile makes the entry older
    // than its data, never newer, so it is recomputed on the next request.
    const version = await readRegistryVersion(db);
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const runKey = `${version}|${key}`;
    const running = this.running.get(runKey);
    if (running) return running;
    const computing = compute().finally(() => this.running.delete(runKey));
    this.running.set(runKey, computing);
    const value = await computing;
    this.entries.delete(key);
    this.entries.set(key, { version, value });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return value;
  }
}
