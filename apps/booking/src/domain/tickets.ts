/**
 * Ticket QR payloads: `HF1.<claims>.<signature>`, the claims base64url JSON of booking, show and
 * seat, signed with HMAC-SHA256 under the server's key. Deterministic: the same seat of the same
 * booking always gives the same payload, so a re-sent ticket scans the same.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const PREFIX = 'HF1';

const claimsSchema = z.object({ b: z.string(), sh: z.string(), s: z.string() }).strict();
export interface TicketClaims {
  bookingId: string;
  showId: string;
  seatId: string;
}

const sign = (key: string, data: string) => createHmac('sha256', key).update(`${PREFIX}.${data}`).digest('base64url');

export function signTicket(key: string, claims: TicketClaims): string {
  const data = Buffer.from(JSON.stringify({ b: claims.bookingId, sh: claims.showId, s: claims.seatId })).toString('base64url');
  return `${PREFIX}.${data}.${sign(key, data)}`;
}

export type TicketCheck = { valid: true; claims: TicketClaims } | { valid: false; reason: 'MALFORMED' | 'BAD_SIGNATURE' };

export function verifyTicket(key: string, payload: string): TicketCheck {
  const parts = payload.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) return { valid: false, reason: 'MALFORMED' };
  const expected = Buffer.from(sign(key, parts[1]));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { valid: false, reason: 'BAD_SIGNATURE' };
  try {
    const claims = claimsSchema.parse(JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')));
    return { valid: true, claims: { bookingId: claims.b, showId: claims.sh, seatId: claims.s } };
  } catch {
    return { valid: false, reason: 'MALFORMED' };
  }
}
