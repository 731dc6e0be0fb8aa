/**
 * Errors that mean "the database is not there right now" (restart, failover, lost
 * connection) or a lost race: the caller should retry later, so the API answers 503 with Retry-After.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const transientCodes = new Set([
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'ENOTFOUND',
    '57P01',
    '57P02',
    '57P03',
    '40001',
    '40P01',
    '53300',
  ]);
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
    if (code && (transientCodes.has(code) || code.startsWith('08'))) return true;
    if (/Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended/i.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
