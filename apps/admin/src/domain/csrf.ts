/** Token comparisons that take the same time whatever the guess (no byte-by-byte early exit). */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function tokensEqual(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0 || expected.length === 0) return false;
  // Hash first: equal lengths for timingSafeEqual, and no length leak.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given === expected;
}

/** The sign-in form's pre-session token: `nonce.mac` in a cookie, the nonce in the form. */
export function signNonce(key: Buffer, nonce: string): string {
  return `${nonce}.${createHmac('sha256', key).update(nonce).digest('base64url')}`;
}

/** The nonce of a cookie whose MAC is ours, else undefined. */
export function verifiedNonce(key: Buffer, cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  const dot = cookie.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const nonce = cookie.slice(0, dot);
  return tokensEqual(cookie, signNonce(key, nonce)) ? nonce : undefined;
}
