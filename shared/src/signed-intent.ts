/**
 * Decisions that carry authority (a manager's approval, a cancellation) travel signed between the
 * route that authenticated them, the actor that orders them and the workflow that acts on them:
 * whoever reaches the actor or the workflow's event API another way cannot forge one. HMAC-SHA256
 * over the canonical JSON of what is decided, for whom, and when.
 *
 * Keys are a list: the first signs, every one verifies, so a key is rotated by putting the new
 * one first and dropping the old one once nothing signed with it is still waiting (docs/security.md).
 */
import { createHmac } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { constantTimeEquals } from './http-app';

export interface Signed {
  signature: string;
}

function mac(key: string, subject: string, action: string, body: unknown): string {
  return createHmac('sha256', key).update(canonicalJson({ subject, action, body })).digest('hex');
}

/** `body` with the signature of (subject, action, body) added. */
export function seal<T extends object>(keys: readonly string[], subject: string, action: string, body: T): T & Signed {
  if (!keys[0]) throw new Error('no signing key');
  return { ...body, signature: mac(keys[0], subject, action, body) };
}

/** The body without its signature when any key signed it for this subject and action; undefined otherwise. */
export function unseal<T extends object>(keys: readonly string[], subject: string, action: string, sealed: unknown): T | undefined {
  if (!sealed || typeof sealed !== 'object' || Array.isArray(sealed)) return undefined;
  const { signature, ...body } = sealed as Record<string, unknown>;
  if (typeof signature !== 'string') return undefined;
  return keys.some((key) => constantTimeEquals(mac(key, subject, action, body), signature)) ? (body as T) : undefined;
}

/** For a decision handed from a route to an actor: it must also be recent (a leaked one cannot be replayed later). */
export function unsealFresh<T extends object>(keys: readonly string[], subject: string, action: string, sealed: unknown, nowMs: number, maxAgeMs = 300_000): T | undefined {
  const body = unseal<T & { issuedAt?: unknown }>(keys, subject, action, sealed);
  if (!body || typeof body.issuedAt !== 'string') return undefined;
  const age = nowMs - Date.parse(body.issuedAt);
  return Number.isFinite(age) && Math.abs(age) <= maxAgeMs ? body : undefined;
}
