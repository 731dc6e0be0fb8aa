import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { FieldError } from '../kernel/errors.ts';

// scrypt with N=2^15: ~50 ms a guess here, slow enough for stolen hashes, fast enough to log in.
const N = 1 << 15;
const r = 8;
const p = 1;
const keyLength = 32;
const maxmem = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, { N: n, r: rr, p: pp, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`: parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, r, p);
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, rr, pp, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !rr || !pp || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(rr), Number(pp));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash, or, for a user who does not exist, against a
 * throwaway hash of the same cost: a failure then takes as long either way, so timing does
 * not tell which user names exist.
 */
export async function verifyPasswordOrDummy(password: string, stored: string | undefined): Promise<boolean> {
  if (stored !== undefined) return verifyPassword(password, stored);
  dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
  await verifyPassword(password, await dummyHash);
  return false;
}

const classes: [RegExp, string][] = [
  [/[a-z]/, 'lower-case letters'],
  [/[A-Z]/, 'upper-case letters'],
  [/[0-9]/, 'digits'],
  [/[^A-Za-z0-9]/, 'symbols'],
];

/** 等保 password rules: a minimum length, and characters from at least 3 of 4 classes. */
export function passwordProblems(password: string, userName: string, minLength: number): FieldError[] {
  const problems: FieldError[] = [];
  if (password.length < minLength) problems.push({ field: 'password', message: `must be at least ${minLength} characters` });
  const used = classes.filter(([re]) => re.test(password)).length;
  if (used < 3) problems.push({ field: 'password', message: `must mix at least 3 of: ${classes.map(([, n]) => n).join(', ')}` });
  if (userName.length >= 3 && password.toLowerCase().includes(userName.toLowerCase())) {
    problems.push({ field: 'password', message: 'must not contain the user name' });
  }
  return problems;
}

/** A one-time password that satisfies the policy: 16 characters from all four classes. */
export function generatePassword(): string {
  const sets = ['abcdefghijkmnpqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '!@#%*-_+=?'];
  const pick = (set: string) => set[(randomBytes(1)[0] as number) % set.length] as string;
  const chars = [...sets.map(pick), ...Array.from({ length: 12 }, () => pick(sets.join('')))];
  // Shuffle so the class order does not leak.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = (randomBytes(1)[0] as number) % (i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
