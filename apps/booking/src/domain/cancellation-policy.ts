/**
 * The customer's cancellation policy (issue 19): may this booking still be cancelled by its customer,
 * until when, and how much comes back. One pure function: the cancel route decides with it under the
 * booking's row lock (the same lock the door scan takes), the booking's read shows its answer, and the
 * saga refunds the amount decided then, never a recomputed one.
 */

/** Why a customer's cancellation is refused; each is a 409's `code`. */
export type CancellationRefusal =
  /** A ticket of the booking was scanned at the door: its holder was let in. */
  | 'TICKET_USED'
  /** The show has started (or ended). */
  | 'SHOW_STARTED'
  /** Later than the cut-off before showtime. */
  | 'CANCELLATION_CLOSED'
  /** The show was cancelled and its own refund (all of it) is under way or done. */
  | 'SHOW_CANCELLED'
  /** Cancelled (or being cancelled) already. */
  | 'BOOKING_CANCELLED';

/** What a kitchen already preparing the booking's concessions costs its customer. */
export type PreparingConcessionsPolicy = { kind: 'no-refund' } | { kind: 'fee'; fee: number };

export interface CancellationPolicyInput {
  bookingStatus: string;
  showStatus: string;
  /** What the customer paid in minor units, concessions included. */
  amountPaid: number;
  tickets: Array<{ usedAt: Date | null }>;
  showStartsAt: Date;
  /** When the show ends, if known: a show over is also SHOW_STARTED. */
  showEndsAt?: Date | null;
  /** Minutes before showtime after which a customer cannot cancel: the show's own, else the platform's. */
  cutoffMinutes: number;
  /** The booking's concessions order, if it has one (its amount is part of amountPaid). */
  concessions?: { amount: number; status: string } | null;
  preparingConcessions: PreparingConcessionsPolicy;
  now: Date;
}

export interface RefundBreakdown {
  /** The seats' part, refunded in full. */
  tickets: number;
  /** The concessions' part before any fee. */
  concessions: number;
  /** Kept for concessions the kitchen is preparing (all of the concessions part under `no-refund`). */
  fee: number;
}

export type CancellationDecision =
  | { allowed: true; until: Date; refundAmount: number; breakdown: RefundBreakdown }
  | { allowed: false; code: CancellationRefusal; until: Date; refundAmount: 0; breakdown: RefundBreakdown };

/** The instant after which a customer's cancellation is CANCELLATION_CLOSED. */
export function cancellationCutoff(showStartsAt: Date, cutoffMinutes: number): Date {
  return new Date(showStartsAt.getTime() - cutoffMinutes * 60_000);
}

/** The refund as the policy would pay it now; a refusal refunds nothing, but still says what the parts are. */
export function refundBreakdown(input: Pick<CancellationPolicyInput, 'amountPaid' | 'concessions' | 'preparingConcessions'>): RefundBreakdown {
  const concessions = Math.min(input.concessions?.amount ?? 0, input.amountPaid);
  const tickets = input.amountPaid - concessions;
  let fee = 0;
  if (input.concessions?.status === 'PREPARING') {
    fee = input.preparingConcessions.kind === 'no-refund' ? concessions : Math.min(Math.max(0, input.preparingConcessions.fee), concessions);
  }
  return { tickets, concessions, fee };
}

export function decideCancellation(input: CancellationPolicyInput): CancellationDecision {
  const until = cancellationCutoff(input.showStartsAt, input.cutoffMinutes);
  const breakdown = refundBreakdown(input);
  const refuse = (code: CancellationRefusal): CancellationDecision => ({ allowed: false, code, until, refundAmount: 0, breakdown });
  if (input.bookingStatus !== 'CONFIRMED') {
    return refuse(input.bookingStatus === 'REFUNDING' || input.bookingStatus === 'REFUNDED' ? 'SHOW_CANCELLED' : 'BOOKING_CANCELLED');
  }
  // The show was cancelled (below the refund threshold its bookings stay CONFIRMED until their customers
  // cancel): the customer gets everything back, whatever the cut-off, a scan or the clock.
  if (input.showStatus === 'CANCELLED') {
    const all = { tickets: breakdown.tickets, concessions: breakdown.concessions, fee: 0 };
    return { allowed: true, until, refundAmount: all.tickets + all.concessions, breakdown: all };
  }
  if (input.tickets.some((t) => t.usedAt !== null)) return refuse('TICKET_USED');
  const now = input.now.getTime();
  if (now >= input.showStartsAt.getTime() || (input.showEndsAt && now >= input.showEndsAt.getTime())) return refuse('SHOW_STARTED');
  if (now > until.getTime()) return refuse('CANCELLATION_CLOSED');
  return { allowed: true, until, refundAmount: breakdown.tickets + breakdown.concessions - breakdown.fee, breakdown };
}
