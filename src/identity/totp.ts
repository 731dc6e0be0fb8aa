import { Secret, TOTP } from 'otpauth';

const periodSeconds = 30;

/** RFC 6238 time-based one-time passwords (authenticator apps), 6 digits every 30 s. */
const totpFor = (secret: string, account: string) =>
  new TOTP({ issuer: 'yunwang', label: account, algorithm: 'SHA1', digits: 6, period: periodSeconds, secret: Secret.fromBase32(secret) });

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans (or the user types). */
export function totpUri(secret: string, account: string): string {
  return totpFor(secret, account).toString();
}

/**
 * The time step (unix time / 30 s) of a matching code, or null. Accepts the current step and
 * one either side, for clock drift; the caller refuses a step not newer than the last one used,
 * so a code is good once.
 */
export function totpStep(secret: string, account: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret, account).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / periodSeconds) + delta;
}

export function currentTotp(secret: string, account: string, now = Date.now()): string {
  return totpFor(secret, account).generate({ timestamp: now });
}
