import { createHash, createHmac, getHashes } from 'node:crypto';

/** SM3 (GB/T 32905, 等保's preferred hash) where OpenSSL offers it, SHA-256 otherwise. */
export const chainAlgorithm = getHashes().includes('sm3') ? 'sm3' : 'sha256';

/**
 * What entries are written with: an HMAC over the same digest, keyed outside the database
 * (YUNWANG_AUDIT_KEY or the data directory's key file), so whoever can write the table but
 * does not hold the key cannot recompute a chain that verifies.
 */
export const keyedAlgorithm = `hmac-${chainAlgorithm}`;

/** Entries hashed before the chain was keyed say `sm3` or `sha256`; keyed ones `hmac-…`. */
export const isKeyed = (algorithm: string): boolean => algorithm.startsWith('hmac-');

/** The fields of an entry the chain protects, as stored. */
export interface ChainedContent {
  at: Date;
  actor: string;
  sourceIp: string | null;
  action: string;
  entityKind: string;
  entityCode: string | null;
  result: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  /** Set on the entries of a batch (a large append hashed outside the chain's lock). */
  batchId?: string | null;
}

/**
 * JSON with object keys sorted at every depth, after a JSON round trip: jsonb reorders keys
 * and drops `undefined`, so the text hashed on write must be the text rebuilt on read.
 */
export function canonicalJson(value: unknown): string {
  const normal = value === undefined ? null : JSON.parse(JSON.stringify(value));
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(normal));
}

/** The entry's hash: a plain digest for the unkeyed entries of old, an HMAC with `key` for the keyed ones. */
export function entryHash(algorithm: string, prevHash: string | null, content: ChainedContent, key?: Uint8Array): string {
  // Entries outside a batch hash as they did before batches existed.
  const { batchId, ...rest } = content;
  const hashed = batchId == null ? rest : { ...rest, batchId };
  const text = canonicalJson({ ...hashed, at: content.at.toISOString(), prev: prevHash });
  if (!isKeyed(algorithm)) return createHash(algorithm).update(text).digest('hex');
  if (!key) throw new Error(`an ${algorithm} audit entry needs the audit key`);
  return createHmac(algorithm.slice('hmac-'.length), key).update(text).digest('hex');
}
