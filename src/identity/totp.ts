import { Secret, TOTP } from 'otpauth';

/** RFC 6238 time-based one-time passwords (authenticator apps), 6 digits every 30 s. */
const totpFor = (secret: string, account: string) =>
  new TOTP({ issuer: 'yunwang', label: account, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans (or the user types). */
export function totpUri(secret: string, account: string): string {
  return totpFor(secret, account).toString();
}

/** Accepts the current code and one step either side, for clock drift. */
export function checkTotp(secret: string, account: string, code: string, now = Date.now()): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return totpFor(secret, account).validate({ token: code, timestamp: now, window: 1 }) !== null;
}

export function currentTotp(secret: string, account: string, now = Date.now()): string {
  return totpFor(secret, account).generate({ timestamp: now });
}
