/**
 * The fault drill's checker (issue 16): after the load stops and the platform settles, it judges
 * the outcome from records alone (our tables, the workflow read model, the providers app's call
 * and resource records) and reports every invariant with its counterexamples. Pure: the drill
 * runner reads the records (drill/records.ts); this file only judges them, so a test can feed it
 * planted records (a double refund, a lost email, a seat sold twice) and see each reported.
 *
 * "Accepted" is how the providers app's record says a side effect happened: a call answered ok
 * that was not a replay of an earlier answer to the same idempotency key.
 */

export interface BookingRecord {
  id: string;
  holdId: string;
  showId: string;
  status: 'CONFIRMED' | 'CANCELLING' | 'CANCELLED' | 'REFUNDING' | 'REFUNDED';
  customerPhone: string | null;
  /** Paid by card through the payment provider (offline payments have no capture to count). */
  paidByCard: boolean;
}
export interface BookingSeatRecord { bookingId: string; showId: string; seatId: string; releasedAt: Date | null }
export interface NotificationRecord { key: string; status: 'PENDING' | 'SENT' | 'FAILED' | 'DISABLED' | 'SKIPPED'; lastError: string | null }
export interface RefundJobRecord { bookingId: string; refundKey: string; status: 'PENDING' | 'PROCESSED' | 'FAILED'; manualReviewId: string | null }
export interface OutboxRecord { id: string; type: string; aggregateId: string; publishedAt: Date | null }
export interface DeadLetterRecord { id: string; topic: string; status: 'PENDING' | 'REPLAYING' | 'REPLAYED' | 'DISCARDED' | 'MANUAL_REVIEW'; manualReviewReason: string | null }
export interface OrderRecord { id: string; status: string }
export interface ProviderCall { domain: string; operation: string; idempotencyKey: string | null; outcome: string; replayed: boolean }
export interface ProviderResource { id: string; kind: string; status: string; reference: string | null; parentId?: string }
/** A hold the runner saw ACTIVE in the database while the load ran, and when. */
export interface ActiveHoldSample { holdId: string; expiresAt: Date; seenAt: Date }

export interface DrillRecords {
  bookings: BookingRecord[];
  bookingSeats: BookingSeatRecord[];
  /** Shows cancelled by an admin during the drill. */
  cancelledShowIds: string[];
  notifications: NotificationRecord[];
  refundJobs: RefundJobRecord[];
  outbox: OutboxRecord[];
  deadLetters: DeadLetterRecord[];
  orders: OrderRecord[];
  providerCalls: ProviderCall[];
  providerResources: ProviderResource[];
  /** Holds seen ACTIVE during the load, including the final read after it settled. */
  activeHoldSamples: ActiveHoldSample[];
  /**
   * When the holds' expiry path (the booking app, its daprd, the scheduler, placement, PostgreSQL)
   * was killed, frozen or restarting: no reminder can fire then. Empty without faults.
   */
  expiryPathOutages?: Outage[];
}

export interface Violation { subject: string; detail: string }
export interface InvariantResult { name: string; rule: string; checked: number; violations: Violation[] }
export interface CheckReport { ok: boolean; invariants: InvariantResult[] }

/** How long after its expiry a hold may still read ACTIVE (the reminder's delivery and its write). */
export const HOLD_EXPIRY_GRACE_MS = 2_000;
/**
 * After a process of the expiry path is back, the time it may take to expire what fell due while it
 * was gone: a sidecar reconnecting to placement and the scheduler, the scheduler sending the due
 * reminders again, the actors being placed anew. Measured: a hold due 3 s after a kill -9 of the
 * scheduler expired 20 s after the kill (the restarted scheduler was up in about 2 s; the sidecars'
 * reconnect took the rest), so 15 s was too short by 4 s; 30 s leaves room on a loaded machine.
 */
export const EXPIRY_RECOVERY_MS = 30_000;

export interface Outage { from: Date; to: Date }

/** How much of [from, to] the outages (each extended by EXPIRY_RECOVERY_MS) cover, counting overlaps once. */
export function coveredMs(from: number, to: number, outages: Outage[]): number {
  const spans = outages.map((o) => [Math.max(from, o.from.getTime()), Math.min(to, o.to.getTime() + EXPIRY_RECOVERY_MS)] as const)
    .filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let reach = from;
  for (const [a, b] of spans) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return covered;
}
export const FINISHED_ORDER_STATUSES = ['shipped', 'rejected', 'failed', 'cancelled'];
const UNDONE_ORDER_STATUSES = ['rejected', 'failed', 'cancelled'];

/** The idempotency keys our apps use toward the providers (apps/booking, apps/delivery: messages.ts). */
export const keys = {
  capture: (holdId: string) => `hold-${holdId}-capture`,
  /** The HoldActor's undo: a confirmation that failed after its capture pays the capture back (apps/booking/src/actors/hold.actor.ts). */
  undoRefund: (holdId: string) => `hold-${holdId}-refund`,
  /** A customer's (or an admin's) cancellation of a booking: its saga refunds through the payment provider (booking-cancellation.activities.ts). */
  cancellationRefund: (bookingId: string) => `booking-${bookingId}-refund`,
  showCancelRefund: (bookingId: string) => `booking-${bookingId}-refund`,
  ticketEmail: (bookingId: string) => `booking-${bookingId}-ticket-email`,
  showCancelledSms: (bookingId: string) => `booking-${bookingId}-show-cancelled-sms`,
};

/** Accepted calls per domain/operation/key: the side effects that happened. */
function acceptedCounts(calls: ProviderCall[]): (domain: string, operation: string, key: string) => number {
  const counts = new Map<string, number>();
  for (const call of calls) {
    if (call.outcome !== 'ok' || call.replayed || !call.idempotencyKey) continue;
    const id = `${call.domain} ${call.operation} ${call.idempotencyKey}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return (domain, operation, key) => counts.get(`${domain} ${operation} ${key}`) ?? 0;
}

function invariant(name: string, rule: string, subjects: number, find: (report: (subject: string, detail: string) => void) => void): InvariantResult {
  const violations: Violation[] = [];
  find((subject, detail) => violations.push({ subject, detail }));
  return { name, rule, checked: subjects, violations };
}

export function checkInvariants(records: DrillRecords): CheckReport {
  const accepted = acceptedCounts(records.providerCalls);
  const notificationByKey = new Map(records.notifications.map((n) => [n.key, n]));
  const refundJobByBooking = new Map(records.refundJobs.map((j) => [j.bookingId, j]));
  const refundsOf = (b: BookingRecord) => accepted('payment', 'refund', keys.cancellationRefund(b.id)) + accepted('refund', 'create', keys.showCancelRefund(b.id));
  const cardBookings = records.bookings.filter((b) => b.paidByCard);
  const cancelledShows = new Set(records.cancelledShowIds);
  const captureCalls = records.providerCalls.filter((c) => c.domain === 'payment' && /^hold-.+-capture$/.test(c.idempotencyKey ?? ''));
  // The show's cancellation notices whom it found CONFIRMED, one booking.show-cancelled row each (written in
  // the cancellation's own transaction); a booking the customer had cancelled before is not among them.
  const noticed = new Set(records.outbox.filter((e) => e.type === 'booking.show-cancelled').map((e) => e.aggregateId));
  const textedBookings = records.bookings.filter((b) => cancelledShows.has(b.showId) && b.customerPhone && noticed.has(b.id));

  /** A message that must have been sent once: a refusal for good is reported for a person, never sent twice. */
  const sentOnce = (key: string, domain: string, operation: string, report: (subject: string, detail: string) => void, subject: string) => {
    const count = accepted(domain, operation, key);
    const row = notificationByKey.get(key);
    if (count > 1) report(subject, `${key}: accepted by the provider ${count} times`);
    else if (count === 0 && row?.status === 'FAILED') return; // refused for good: recorded with its reason, nothing to send
    else if (count === 0) report(subject, `${key}: never accepted by the provider (notification ${row ? row.status : 'missing'})`);
    else if (row && row.status !== 'SENT') report(subject, `${key}: accepted once, but the notification reads ${row.status}`);
  };

  const invariants: InvariantResult[] = [
    invariant('captured-once', 'every booking paid by card was captured exactly once', cardBookings.length, (report) => {
      for (const b of cardBookings) {
        const count = accepted('payment', 'capture', keys.capture(b.holdId));
        if (count !== 1) report(b.id, `${keys.capture(b.holdId)}: ${count} accepted captures`);
      }
    }),
    invariant('capture-needs-booking', 'a capture with no booking (a confirmation undone) was refunded exactly once', captureCalls.length, (report) => {
      const booked = new Set(records.bookings.map((b) => b.holdId));
      const unbooked = new Set(captureCalls.map((c) => /^hold-(.+)-capture$/.exec(c.idempotencyKey!)![1]!).filter((holdId) => !booked.has(holdId)));
      for (const holdId of unbooked) {
        const captures = accepted('payment', 'capture', keys.capture(holdId));
        const refunds = accepted('payment', 'refund', keys.undoRefund(holdId));
        if (captures > 0 && refunds !== 1) report(`hold ${holdId}`, `captured ${captures} times with no booking, refunded ${refunds} times`);
      }
    }),
    invariant('ticket-emailed-once', 'every booking got its ticket email exactly once (or a refusal for good, recorded)', records.bookings.length, (report) => {
      for (const b of records.bookings) sentOnce(keys.ticketEmail(b.id), 'email', 'send', report, b.id);
    }),
    invariant('refunded-once', 'every cancelled or refunded booking was refunded exactly once, kept bookings never, and a refund waiting for a person is in manual review', records.bookings.length, (report) => {
      for (const b of records.bookings) {
        const refunds = refundsOf(b);
        const job = refundJobByBooking.get(b.id);
        if (b.status === 'CANCELLED' || b.status === 'REFUNDED') {
          if (b.paidByCard && refunds !== 1) report(b.id, `${b.status} with ${refunds} accepted refunds`);
        } else if (b.status === 'CONFIRMED') {
          if (refunds > 0) report(b.id, `kept (CONFIRMED) but refunded ${refunds} times`);
        } else if (b.status === 'REFUNDING') {
          if (refunds > 0) report(b.id, `REFUNDING after ${refunds} accepted refunds: the refund was paid but not recorded`);
          else if (!(job?.status === 'FAILED' && job.manualReviewId)) report(b.id, `REFUNDING with its refund job ${job ? job.status : 'missing'}, not in manual review`);
        } else {
          report(b.id, `${b.status} after the platform settled: a cancellation never finished`);
        }
      }
    }),
    invariant('cancelled-seats-released', 'a cancelled or refunded booking of a show still on keeps no seat', records.bookings.length, (report) => {
      // A cancelled show sells nothing again: its bookings' seats need no release.
      const gone = new Set(records.bookings.filter((b) => (b.status === 'CANCELLED' || b.status === 'REFUNDED') && !cancelledShows.has(b.showId)).map((b) => b.id));
      for (const s of records.bookingSeats) if (gone.has(s.bookingId) && !s.releasedAt) report(s.bookingId, `seat ${s.seatId} of show ${s.showId} still sold`);
    }),
    invariant('seat-sold-once', 'no seat of a show is in two bookings', records.bookingSeats.length, (report) => {
      const holders = new Map<string, string[]>();
      for (const s of records.bookingSeats) {
        if (s.releasedAt) continue;
        const seat = `${s.showId}/${s.seatId}`;
        holders.set(seat, [...(holders.get(seat) ?? []), s.bookingId]);
      }
      for (const [seat, bookings] of holders) if (bookings.length > 1) report(seat, `sold to ${bookings.length} bookings: ${bookings.join(', ')}`);
    }),
    invariant('holds-expire', `no hold ACTIVE more than ${HOLD_EXPIRY_GRACE_MS / 1000} s after its expiry, not counting the time its expiry path was down or frozen (plus ${EXPIRY_RECOVERY_MS / 1000} s to recover)`, records.activeHoldSamples.length, (report) => {
      const worst = new Map<string, number>();
      for (const s of records.activeHoldSamples) {
        const due = s.expiresAt.getTime();
        const late = s.seenAt.getTime() - due - coveredMs(due, s.seenAt.getTime(), records.expiryPathOutages ?? []);
        if (late > HOLD_EXPIRY_GRACE_MS && late > (worst.get(s.holdId) ?? 0)) worst.set(s.holdId, late);
      }
      for (const [holdId, late] of worst) report(holdId, `seen ACTIVE ${(late / 1000).toFixed(1)} s after its expiry`);
    }),
    invariant('sagas-finish-clean', 'every order finished; a failed, rejected or cancelled one holds nothing; none charged twice', records.orders.length, (report) => {
      const byReference = new Map<string, ProviderResource[]>();
      for (const r of records.providerResources) if (r.reference) byReference.set(r.reference, [...(byReference.get(r.reference) ?? []), r]);
      for (const o of records.orders) {
        const resources = byReference.get(o.id) ?? [];
        if (!FINISHED_ORDER_STATUSES.includes(o.status)) report(o.id, `still ${o.status} after the platform settled`);
        if (UNDONE_ORDER_STATUSES.includes(o.status)) {
          const left = resources.filter((r) => (r.kind === 'authorization' && r.status === 'authorized') || (r.kind === 'reservation' && r.status === 'reserved')
            || (r.kind === 'capture' && r.status === 'captured') || (r.kind === 'label' && r.status !== 'cancelled'));
          if (left.length > 0) report(o.id, `${o.status} but still holds ${left.map((r) => `${r.kind} ${r.id} (${r.status})`).join(', ')}`);
        }
        const capturesPerAuthorization = new Map<string, number>();
        for (const c of resources.filter((r) => r.kind === 'capture')) capturesPerAuthorization.set(String(c.parentId), (capturesPerAuthorization.get(String(c.parentId)) ?? 0) + 1);
        for (const [authorization, count] of capturesPerAuthorization) if (count > 1) report(o.id, `authorization ${authorization} captured ${count} times`);
      }
    }),
    invariant('outbox-published', 'every outbox row was published', records.outbox.length, (report) => {
      for (const e of records.outbox) if (!e.publishedAt) report(e.id, `${e.type} of ${e.aggregateId} never published`);
    }),
    invariant('dead-letters-handled', 'every dead letter was replayed, discarded by a person, or waits for one with its reason', records.deadLetters.length, (report) => {
      for (const d of records.deadLetters) {
        if (d.status === 'REPLAYED' || d.status === 'DISCARDED') continue;
        if (d.status === 'MANUAL_REVIEW' && d.manualReviewReason) continue;
        report(d.id, `${d.topic}: ${d.status}${d.status === 'MANUAL_REVIEW' ? ' without a reason' : ' after the platform settled'}`);
      }
    }),
    invariant('show-cancel-sms-once', 'every booking a show\'s cancellation found confirmed, with a phone, got its SMS exactly once (or a refusal for good, recorded)', textedBookings.length, (report) => {
      for (const b of textedBookings) sentOnce(keys.showCancelledSms(b.id), 'sms', 'send', report, b.id);
    }),
    invariant('refund-jobs-finish', 'every refund job finished: paid, or failed into a manual review', records.refundJobs.length, (report) => {
      for (const j of records.refundJobs) {
        if (j.status === 'PENDING') report(j.refundKey, 'still PENDING after the platform settled');
        if (j.status === 'FAILED' && !j.manualReviewId) report(j.refundKey, 'FAILED with no manual review');
      }
    }),
  ];
  return { ok: invariants.every((i) => i.violations.length === 0), invariants };
}

/** The report as a person reads it: one line per invariant, then its counterexamples (at most `limit` each). */
export function formatReport(report: CheckReport, limit = 10): string {
  const lines: string[] = [];
  for (const i of report.invariants) {
    lines.push(`${i.violations.length === 0 ? 'ok  ' : 'FAIL'} ${i.name} (${i.checked} checked, ${i.violations.length} violations): ${i.rule}`);
    for (const v of i.violations.slice(0, limit)) lines.push(`       ${v.subject}: ${v.detail}`);
    if (i.violations.length > limit) lines.push(`       ... and ${i.violations.length - limit} more`);
  }
  lines.push(report.ok ? 'checker: no violation' : `checker: ${report.invariants.reduce((n, i) => n + i.violations.length, 0)} violations`);
  return lines.join('\n');
}
