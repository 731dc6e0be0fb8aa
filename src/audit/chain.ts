import { createHash, getHashes } from 'node:crypto';

/** SM3 (GB/T 32905, 等保's preferred hash) where OpenSSL offers it, SHA-256 otherwise. */
export const chainAlgorithm = getHashes().includes('sm3') ? 'sm3' : 'sha256';

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

export function entryHash(algorithm: string, prevHash: string | null, content: ChainedContent): string {
  const text = canonicalJson({ ...content, at: content.at.toISOString(), prev: prevHash });
  return createHash(algorithm).update(text).digest('hex');
}
