import type { Exclusion, Finding } from './fuzz.ts';

const unsafe = (f: Finding) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(f.method);

/**
 * Findings of the fuzzer that belong to other items of issue 14, excluded until their fixes
 * are merged; then delete the entry and the short run must still pass.
 * `FUZZ_STRICT=1 npm run fuzz` ignores this list.
 */
export const knownFindings: readonly Exclusion[] = [
  {
    // src/identity/middleware.ts records every refused write with entity_code = the request path;
    // a path past ~2.7 KB that does not compress overflows the btree row of audit_log_entity_idx
    // (54000) and the refusal answers 500, unaudited. Owner: audit (recordAudit) / login (middleware).
    operationId: '*',
    kind: 'server-error',
    reason: 'refused write with a long path: its audit entry exceeds the audit_log_entity_idx row size',
    applies: (f) => unsafe(f) && f.urlLength > 2000,
  },
  {
    // Same audit entry with a NUL (%00) in the path: PostgreSQL refuses \u0000 in text (22P05/22021).
    // Since the 422 mapping of src/http/errors.ts this is a 422 instead of 403, and the refusal is
    // still not audited. Owner: audit / login, as above.
    operationId: '*',
    kind: 'authorization',
    reason: 'refused write with %00 in the path: its audit entry cannot be stored, the caller gets 422 instead of 403',
    applies: (f) => unsafe(f) && f.status === 422 && (f.url.includes('%00') || f.url.includes('\u0000')),
  },
];
