/**
 * HoldActor (one per hold): keeps the hold ACTIVE until a reminder at its expiry releases the
 * seats, or it is released or confirmed. Expire, release and confirm are turns of this one actor,
 * so exactly one of them wins. The hold is placed without it (placement/place-hold.ts), and it
 * keeps no actor state: each turn reads the row, the system of record (the payment a confirmation
 * asked for is written there before any money moves), and a confirmed hold's booking. Holds placed
 * before (legacyState) keep their actor state, which wins for them and is kept up to date.
 */
import { AbstractActor } from '@dapr/dapr';
import type { Logger } from 'pino';
import { ACTOR_TYPES, currentCorrelationId, getActorState, invokeActor, saveActorState, unregisterActorReminder, type SidecarSettings } from '@holdfast/shared';
import { randomUUID } from 'node:crypto';
import { buildSnapshot, canTransition, isExpired, MAX_POLICY_RECOVERIES, reconcilePolicy, snapshotProblems, type HoldStatus, seatFactsOf } from '../domain/hold';
import { LEGACY_EXPIRE_REMINDER, placeHold, type PlaceHoldResult } from '../placement/place-hold';
import { SWEEP_EXPIRY, type ExpireOutcome } from '../domain/hold-expiry';
import { priceSeats } from '../domain/pricing';
import { prepStartsAt, priceConcessions, type PricedConcessions } from '../domain/concessions';
import { policyChanges, policySchema } from '../domain/policy';
import { confirmHoldCommandSchema, confirmOfflineCommandSchema, isSameOfflinePayment, offlinePaymentIdOf, parseExpiryReminderData, type ConfirmHoldCommand, type ConfirmOfflineCommand, type PlaceHoldCommand } from '../domain/hold-commands';
import type { ShowsRepository } from '../data/shows.repository';
import { signTicket } from '../domain/tickets';
import type { HoldRecord, HoldsRepository } from '../data/holds.repository';
import { ShowCancelledError, type BookingsRepository, type BookingView } from '../data/bookings.repository';
import type { PaymentsClient } from '../adapters/payments.client';

export type { ConfirmHoldCommand, ConfirmOfflineCommand, PlaceHoldCommand } from '../domain/hold-commands';
export type { PlaceHoldResult } from '../placement/place-hold';

const HOLD = 'hold';

/** The name of a hold's expiry reminder (holds placed before names were per placement have 'expire'). */
const reminderOf = (hold: Pick<HoldRecord, 'expiryReminder'>) => hold.expiryReminder ?? LEGACY_EXPIRE_REMINDER;

export type EndHoldResult = { ended: true; hold: HoldRecord } | { ended: false; reason: 'HOLD_NOT_FOUND' | 'HOLD_NOT_ACTIVE'; hold?: HoldRecord };

export type ConfirmOfflineResult =
  | { confirmed: true; booking: BookingView; payment: NonNullable<HoldRecord['offlinePayment']>; duplicate: boolean }
  | { confirmed: false; reason: 'HOLD_NOT_FOUND' | 'HOLD_EXPIRED' | 'HOLD_NOT_ACTIVE' | 'HOLD_ALREADY_CONFIRMED' | 'HOLD_SNAPSHOT_INCOMPLETE' | 'SHOW_CANCELLED' | 'POLICY_CHANGED' | 'INVALID_COMMAND'; detail?: string }
  | { confirmed: false; reason: 'AMOUNT_MISMATCH'; expected: number; currency: string; detail?: string };

export type ConfirmHoldResult =
  /** `existing`: the hold was confirmed before, by another request (another or no Idempotency-Key): its booking, as seed 004 answers. */
  | { confirmed: true; booking: BookingView; existing?: boolean }
  | { confirmed: false; reason: 'HOLD_NOT_FOUND' | 'HOLD_EXPIRED' | 'HOLD_NOT_ACTIVE' | 'HOLD_ALREADY_CONFIRMED' | 'HOLD_SNAPSHOT_INCOMPLETE' | 'SHOW_CANCELLED'
      | 'POLICY_CHANGED' | 'PAYMENT_DECLINED' | 'PAYMENT_REJECTED' | 'PAYMENT_UNAVAILABLE' | 'UNKNOWN_SKU' | 'INVALID_COMMAND'; detail?: string; skus?: string[] };

/** Keys of the provider calls, derived from the hold: a retried confirmation never charges twice. */
export const paymentKeys = (holdId: string) => ({
  authorize: `hold-${holdId}-authorize`, capture: `hold-${holdId}-capture`, release: `hold-${holdId}-release`, refund: `hold-${holdId}-refund`,
});

export interface HoldActorDeps {
  /** The system of record for the show's policy, its seats' zones and neighbours. */
  shows: Pick<ShowsRepository, 'findCurrent' | 'venuePrepLeadMinutes' | 'findForHold' | 'seatsById'>;
  holds: HoldsRepository;
  bookings: Pick<BookingsRepository, 'confirm' | 'concessionCatalogue' | 'findByHold'>;
  payments: PaymentsClient;
  ticketKey: string;
  /** The most seats one customer may hold at once on one show (active holds), so no one hoards a show. */
  maxHeldSeatsPerCustomer?: number;
  /** Counters of re-quoted holds, escalations and drifts refused with re-quoting off (Prometheus, on the app's /metrics). */
  policyDrift?: { recoveries: { inc(): void }; escalations: { inc(): void }; rejections?: { inc(): void }; incompleteSnapshots?: { inc(): void } };
  /** FEATURE_POLICY_REQUOTE_ENABLED (default true): false refuses any policy drift at confirmation with POLICY_CHANGED, no re-quote. */
  policyRequote?: boolean;
  sidecar: SidecarSettings;
  logger: Logger;
  now?: () => number;
}

function paymentFailure(kind: 'declined' | 'rejected' | 'unavailable') {
  return kind === 'declined' ? 'PAYMENT_DECLINED' as const : kind === 'rejected' ? 'PAYMENT_REJECTED' as const : 'PAYMENT_UNAVAILABLE' as const;
}


export function createHoldActor(deps: HoldActorDeps) {
  const now = deps.now ?? Date.now;
  const showActor = <T>(showId: string, method: string, body: unknown) => invokeActor<T>(deps.sidecar, ACTOR_TYPES.show, showId, method, body);
  const placement = { shows: deps.shows, holds: deps.holds, sidecar: deps.sidecar, logger: deps.logger, maxHeldSeatsPerCustomer: deps.maxHeldSeatsPerCustomer, now };

  return class HoldActor extends AbstractActor {
    /** This actor's hold: its row, with its booking once confirmed (a legacy hold's actor state, when it has one). */
    private async load(): Promise<HoldRecord | undefined> {
      const holdId = this.getActorId().getId();
      const record = await deps.holds.findRecord(holdId);
      if (!record) return undefined;
      if (record.legacyState) {
        const saved = await getActorState<HoldRecord>(deps.sidecar, ACTOR_TYPES.hold, holdId, HOLD);
        if (saved) return { ...saved, legacyState: true };
      }
      if (record.status !== 'CONFIRMED') return record;
      const booked = await deps.bookings.findByHold(holdId);
      if (!booked) return record;
      return { ...record, booking: booked.booking, ...(booked.offline ? { offlinePayment: booked.offline } : { confirmationKey: booked.idempotencyKey }) };
    }

    /** Removes the hold's expiry reminder (confirmed or released: nothing left to expire); a hold its show's sweep expires has none. */
    private async dropReminder(hold: HoldRecord): Promise<void> {
      if (hold.expiryReminder === SWEEP_EXPIRY) return;
      await unregisterActorReminder(deps.sidecar, ACTOR_TYPES.hold, hold.holdId, reminderOf(hold));
    }

    /** A legacy hold's actor state, kept up to date at once (its state wins when it is read); other holds have their row only. */
    private async saveLegacy(hold: HoldRecord): Promise<void> {
      if (hold.legacyState) await saveActorState(deps.sidecar, ACTOR_TYPES.hold, this.getActorId().getId(), { [HOLD]: hold });
    }

    /**
     * A hold ending without a booking after a payment attempt: make sure nothing stays authorized
     * or captured. Every call replays a key of the confirmation, so nothing acts twice: the
     * authorization is asked for again (its id; a declined one holds nothing), released, and if
     * the release is refused because it was captured (a capture whose answer was lost), that
     * capture is replayed for its id and refunded. What cannot be settled becomes a manual review.
     */
    private async settlePayment(hold: HoldRecord): Promise<void> {
      if (!hold.payment) return;
      const keys = paymentKeys(hold.holdId);
      const { amount } = hold.payment.authorize;
      const unsettled = (why: string, captureId: string | null = null) =>
        deps.holds.recordRefundReview(hold.holdId, captureId, amount, `hold ended without a booking; ${why}`);
      const authorized = await deps.payments.authorize(hold.payment.authorize, keys.authorize);
      if (!authorized.ok) return authorized.kind === 'unavailable' ? unsettled('the payment provider did not answer') : undefined;
      const { authorizationId } = authorized.value;
      const released = await deps.payments.release({ authorizationId }, keys.release);
      if (released.ok) return;
      if (released.kind !== 'rejected' || released.status !== 409) return unsettled('the authorization could not be released');
      const captured = await deps.payments.capture({ authorizationId, amount }, keys.capture);
      if (!captured.ok) return unsettled('the capture could not be found again');
      const refunded = await deps.payments.refund({ captureId: captured.value.captureId, amount }, keys.refund);
      if (!refunded.ok) await unsettled(`refund ${refunded.kind}`, captured.value.captureId);
    }

    /**
     * Places this hold, as the route does (placement/place-hold.ts), for a caller that names the
     * actor: intents only (show, seats, customer, ttl); the policy and the seats' facts are read
     * from the system of record. Nothing is kept in this actor's state.
     */
    async place(raw: PlaceHoldCommand): Promise<PlaceHoldResult> {
      return placeHold(placement, this.getActorId().getId(), raw, { retry: true });
    }

    /**
     * Takes the caller's intents only (payment token, concession skus and quantities, the key):
     * the price comes from the show's current policy and the seats' zones, the concessions' from
     * the catalogue, all read here.
     */
    async confirm(raw: ConfirmHoldCommand): Promise<ConfirmHoldResult> {
      const parsed = confirmHoldCommandSchema.safeParse(raw);
      if (!parsed.success) return { confirmed: false, reason: 'INVALID_COMMAND', detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      const command = parsed.data;
      const hold = await this.load();
      if (!hold) return { confirmed: false, reason: 'HOLD_NOT_FOUND' };
      if (hold.status === 'CONFIRMED') {
        // Seed 004: a confirmed hold answers its booking, whatever the key; only the same key is a replay of the first answer.
        return hold.booking
          ? { confirmed: true, booking: hold.booking, existing: hold.confirmationKey !== command.idempotencyKey }
          : { confirmed: false, reason: 'HOLD_ALREADY_CONFIRMED' };
      }
      const show = await deps.shows.findCurrent(hold.showId);
      if (!show || show.status === 'CANCELLED') return { confirmed: false, reason: 'SHOW_CANCELLED' };
      const terms = { policy: policySchema.parse(show.policy), policyVersion: show.policyVersion, policyHash: show.policyHash };
      const seats = seatFactsOf(await deps.shows.seatsById(show.venueId, hold.seatIds));
      let concessions: (PricedConcessions & { prepAt: string }) | undefined;
      if (command.concessions.length > 0) {
        const priced = priceConcessions(command.concessions, await deps.bookings.concessionCatalogue());
        if (!priced.ok) return { confirmed: false, reason: 'UNKNOWN_SKU', detail: priced.unknownSkus.join(', '), skus: priced.unknownSkus };
        concessions = { ...priced.value, prepAt: prepStartsAt(show.startsAt, show.prepLeadMinutes ?? await deps.shows.venuePrepLeadMinutes(show.venueId)).toISOString() };
      }
      if (hold.status === 'EXPIRED') return { confirmed: false, reason: 'HOLD_EXPIRED' };
      if (hold.status !== 'ACTIVE') return { confirmed: false, reason: 'HOLD_NOT_ACTIVE', detail: hold.status };
      // Past its expiry but the reminder has not run yet: expiry wins, now, in this same turn.
      if (isExpired(Date.parse(hold.expiresAt), now())) {
        await this.end('EXPIRED');
        return { confirmed: false, reason: 'HOLD_EXPIRED' };
      }
      const problems = snapshotProblems(hold.snapshot, hold.seatIds);
      if (problems.length > 0) {
        // Seed 001's "holds rejected" telemetry: a confirmation refused for missing hold metadata.
        deps.policyDrift?.incompleteSnapshots?.inc();
        deps.logger.warn({ holdId: hold.holdId, problems }, 'confirmation refused: the hold lacks what confirmation checks');
        return { confirmed: false, reason: 'HOLD_SNAPSHOT_INCOMPLETE', detail: problems.join('; ') };
      }
      const decision = reconcilePolicy(hold, terms, { requote: deps.policyRequote !== false });
      if (decision.action === 'reject') {
        deps.policyDrift?.rejections?.inc();
        deps.logger.info({ holdId: hold.holdId, showId: hold.showId, oldPolicyHash: decision.oldPolicyHash, newPolicyHash: decision.newPolicyHash }, 'policy drift refused: re-quoting is off (FEATURE_POLICY_REQUOTE_ENABLED=false)');
        return { confirmed: false, reason: 'POLICY_CHANGED', detail: `the show's policy changed since the hold was made (${decision.oldPolicyHash} -> ${decision.newPolicyHash}); re-quoting is off: place a new hold` };
      }
      if (decision.action === 'escalate') {
        const newPrice = priceSeats(terms.policy, seats);
        await deps.holds.escalatePolicy({
          holdId: hold.holdId, showId: hold.showId, customerId: hold.customerId, customerEmail: hold.customerEmail, seatIds: hold.seatIds,
          oldPolicyVersion: hold.policyVersion, newPolicyVersion: terms.policyVersion, oldPolicyHash: decision.oldPolicyHash, newPolicyHash: decision.newPolicyHash,
          changes: hold.quote ? policyChanges(hold.quote.policy, terms.policy) : [], oldAmount: hold.quote?.amount ?? null, newAmount: newPrice.total, currency: newPrice.currency,
          recoveries: hold.policyRecoveries ?? 0, showTitle: show.title, startsAt: show.startsAt.toISOString(),
        }, currentCorrelationId());
        deps.policyDrift?.escalations.inc();
        deps.logger.warn({ holdId: hold.holdId, showId: hold.showId, oldPolicyHash: decision.oldPolicyHash, newPolicyHash: decision.newPolicyHash }, 'policy drift escalated to admins');
        return { confirmed: false, reason: 'POLICY_CHANGED', detail: `the policy changed ${MAX_POLICY_RECOVERIES + 1} times during this hold; an admin has been told` };
      }
      if (decision.action === 'requote') {
        // Same seats, still ours at the ShowActor: the hold is made again under the new policy.
        deps.logger.info({ holdId: hold.holdId, showId: hold.showId, fromVersion: hold.policyVersion, toVersion: terms.policyVersion, recovery: decision.recovery }, 'policy drift: hold re-quoted');
        const requoted = priceSeats(terms.policy, seats);
        hold.policyVersion = terms.policyVersion;
        hold.snapshot = buildSnapshot(terms.policyVersion, terms.policyHash, seats);
        hold.policyRecoveries = decision.recovery;
        hold.quote = { policy: terms.policy, amount: requoted.total, currency: requoted.currency };
        await deps.holds.requote(hold.holdId, hold.policyVersion, hold.snapshot, currentCorrelationId(), { recoveries: decision.recovery, quote: hold.quote });
        await this.saveLegacy(hold);
        deps.policyDrift?.recoveries.inc();
      }

      const price = priceSeats(terms.policy, seats);
      const total = price.total + (concessions?.total ?? 0);
      const keys = paymentKeys(hold.holdId);
      const authorizeRequest = { amount: total, currency: price.currency, token: command.paymentToken, reference: hold.holdId };
      // Remembered before any money moves: should the answers be lost, the hold's end settles it.
      if (JSON.stringify(hold.payment?.authorize) !== JSON.stringify(authorizeRequest)) {
        await deps.holds.recordPaymentRequest(hold.holdId, authorizeRequest);
        await this.saveLegacy({ ...hold, payment: { authorize: authorizeRequest } });
      }
      const authorized = await deps.payments.authorize(authorizeRequest, keys.authorize);
      if (!authorized.ok) return { confirmed: false, reason: paymentFailure(authorized.kind) };
      const captured = await deps.payments.capture({ authorizationId: authorized.value.authorizationId, amount: total }, keys.capture);
      if (!captured.ok) {
        // A capture refused outright leaves nothing charged: free the authorization. After a
        // timeout the capture may have happened; the customer's retry replays it under the same key.
        if (captured.kind !== 'unavailable') await deps.payments.release({ authorizationId: authorized.value.authorizationId }, keys.release);
        return { confirmed: false, reason: paymentFailure(captured.kind) };
      }

      const bookingId = randomUUID();
      let booking: BookingView;
      try {
        booking = await deps.bookings.confirm({
        bookingId, holdId: hold.holdId, showId: hold.showId, customerId: hold.customerId, customerEmail: hold.customerEmail,
        customerPhone: hold.customerPhone, idempotencyKey: command.idempotencyKey, currency: price.currency, total,
        seats: price.seats.map((s) => ({ ...s, qrPayload: signTicket(deps.ticketKey, { bookingId, showId: hold.showId, seatId: s.seatId }) })),
        payment: { authorizationId: authorized.value.authorizationId, captureId: captured.value.captureId },
        concessions: concessions && concessions.lines.length > 0
          ? { orderId: randomUUID(), lines: concessions.lines, total: concessions.total, prepAt: concessions.prepAt } : undefined,
        }, currentCorrelationId());
      } catch (error) {
        if (!(error instanceof ShowCancelledError)) throw error;
        // An admin cancelled the show while this confirmation was paying: ending the hold gives
        // the money back (or leaves a manual review, never a silent charge) and lets the seats go.
        await this.end('RELEASED');
        return { confirmed: false, reason: 'SHOW_CANCELLED' };
      }
      // Also re-done at start-up for every pending order, should this process die right here.
      if (booking.concessionOrderId && concessions) {
        await invokeActor(deps.sidecar, ACTOR_TYPES.kitchenPrep, booking.concessionOrderId, 'schedule', { prepAt: concessions.prepAt });
      }
      // The seats are SOLD in PostgreSQL now (confirm_booking). The ShowActor keeps them taken as
      // HELD and learns they were sold at its sweep (show.actor.ts, dueHolds): no call from here.
      await this.saveLegacy({ ...hold, status: 'CONFIRMED', booking, confirmationKey: command.idempotencyKey });
      await this.dropReminder(hold);
      return { confirmed: true, booking };
    }

    /**
     * A box office's offline payment (cash, card terminal, transfer) confirms the hold: intents only
     * (method, amount, who); the price is read here as for a card, and the amount must equal it.
     * This actor's turn is the lock across replicas (one activation per hold in the cluster), and
     * bookings.hold_id is unique: the same amount recorded again within 5 minutes is the same payment.
     */
    async confirmOffline(raw: ConfirmOfflineCommand): Promise<ConfirmOfflineResult> {
      const parsed = confirmOfflineCommandSchema.safeParse(raw);
      if (!parsed.success) return { confirmed: false, reason: 'INVALID_COMMAND', detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      const command = parsed.data;
      const hold = await this.load();
      if (!hold) return { confirmed: false, reason: 'HOLD_NOT_FOUND' };
      if (hold.status === 'CONFIRMED') {
        const recorded = hold.offlinePayment;
        if (hold.booking && recorded && isSameOfflinePayment(recorded, command.amount, now())) return { confirmed: true, booking: hold.booking, payment: recorded, duplicate: true };
        return { confirmed: false, reason: 'HOLD_ALREADY_CONFIRMED', detail: `booking ${hold.booking?.bookingId} is paid${recorded ? ` (${recorded.method}, ${recorded.amount} at ${recorded.recordedAt})` : ''}` };
      }
      if (hold.status === 'EXPIRED') return { confirmed: false, reason: 'HOLD_EXPIRED' };
      if (hold.status !== 'ACTIVE') return { confirmed: false, reason: 'HOLD_NOT_ACTIVE', detail: hold.status };
      if (isExpired(Date.parse(hold.expiresAt), now())) {
        await this.end('EXPIRED');
        return { confirmed: false, reason: 'HOLD_EXPIRED' };
      }
      const show = await deps.shows.findCurrent(hold.showId);
      if (!show || show.status === 'CANCELLED') return { confirmed: false, reason: 'SHOW_CANCELLED' };
      const problems = snapshotProblems(hold.snapshot, hold.seatIds);
      if (problems.length > 0) return { confirmed: false, reason: 'HOLD_SNAPSHOT_INCOMPLETE', detail: problems.join('; ') };
      const terms = { policy: policySchema.parse(show.policy), policyVersion: show.policyVersion, policyHash: show.policyHash };
      // A drifted policy is not re-quoted at the counter: the staff make a new hold at the new price.
      if (reconcilePolicy(hold, terms).action !== 'none') return { confirmed: false, reason: 'POLICY_CHANGED', detail: 'the show\'s policy changed since the hold was made; place a new hold' };
      const seats = seatFactsOf(await deps.shows.seatsById(show.venueId, hold.seatIds));
      const price = priceSeats(terms.policy, seats);
      // Checked before anything is written: a wrong amount leaves no trace but the answer.
      if (command.amount !== price.total) return { confirmed: false, reason: 'AMOUNT_MISMATCH', expected: price.total, currency: price.currency };

      const bookingId = randomUUID();
      const payment = {
        // Name-based on the hold: a turn retried after bookings.confirm committed saves the id of the payment row it wrote.
        paymentId: offlinePaymentIdOf(hold.holdId), method: command.method, amount: price.total, currency: price.currency, recordedBy: command.recordedBy,
        ...(command.reference ? { reference: command.reference } : {}), recordedAt: new Date(now()).toISOString(),
      };
      let booking: BookingView;
      try {
        booking = await deps.bookings.confirm({
          bookingId, holdId: hold.holdId, showId: hold.showId, customerId: hold.customerId, customerEmail: hold.customerEmail, customerPhone: hold.customerPhone,
          idempotencyKey: `offline-${payment.paymentId}`, currency: price.currency, total: price.total,
          seats: price.seats.map((s) => ({ ...s, qrPayload: signTicket(deps.ticketKey, { bookingId, showId: hold.showId, seatId: s.seatId }) })),
          payment: { offline: { paymentId: payment.paymentId, method: payment.method, recordedBy: payment.recordedBy, reference: command.reference } },
        }, currentCorrelationId());
      } catch (error) {
        if (!(error instanceof ShowCancelledError)) throw error;
        return { confirmed: false, reason: 'SHOW_CANCELLED' };
      }
      // A booking made by an earlier turn that died before saving (the repository returns it): its payment is the one recorded then.
      if (booking.bookingId !== bookingId) {
        deps.logger.warn({ holdId: hold.holdId, bookingId: booking.bookingId }, 'offline payment: the hold already had a booking');
      }
      await this.saveLegacy({ ...hold, status: 'CONFIRMED', booking, offlinePayment: payment });
      await this.dropReminder(hold);
      return { confirmed: true, booking, payment, duplicate: false };
    }

    async get(): Promise<HoldRecord | null> {
      return (await this.load()) ?? null;
    }

    async release(): Promise<EndHoldResult> {
      return this.end('RELEASED');
    }

    /**
     * Called by the sweep of the hold's show (hold-expiry.actor.ts) once the hold is due: expires
     * it, a turn of this actor like confirm and release, so exactly one of them wins. Never before
     * its expiresAt by this process's clock.
     */
    async expire(): Promise<{ outcome: ExpireOutcome }> {
      const hold = await this.load();
      if (!hold) return { outcome: 'NOT_FOUND' };
      if (hold.status === 'CONFIRMED') return { outcome: 'CONFIRMED' };
      if (hold.status !== 'ACTIVE') return { outcome: 'ENDED' };
      if (!isExpired(Date.parse(hold.expiresAt), now())) return { outcome: 'NOT_DUE' };
      const result = await this.end('EXPIRED', hold);
      if (!result.ended) return { outcome: result.hold?.status === 'CONFIRMED' ? 'CONFIRMED' : 'ENDED' };
      deps.logger.info({ holdId: hold.holdId, showId: hold.showId, lateMs: now() - Date.parse(hold.expiresAt) }, 'hold expired');
      return { outcome: 'EXPIRED' };
    }

    override async receiveReminder(data: unknown): Promise<void> {
      // A throw here would only make Dapr retry blindly (or crash the SDK's handler): the reminder's
      // period is the retry. Once the hold has ended (now, or before), the reminder goes.
      const holdId = this.getActorId().getId();
      const placement = parseExpiryReminderData(data);
      const firing = placement?.reminder ?? LEGACY_EXPIRE_REMINDER;
      try {
        const hold = await this.load();
        if (hold && reminderOf(hold) !== firing) {
          // Another placement attempt's reminder (one that failed, or lost to the attempt that recorded
          // the hold): the hold's own reminder expires it on time; this one only goes.
          await unregisterActorReminder(deps.sidecar, ACTOR_TYPES.hold, holdId, firing);
          return;
        }
        const result = await this.end('EXPIRED');
        if (result.ended) deps.logger.info({ holdId: result.hold.holdId, showId: result.hold.showId, lateMs: now() - Date.parse(result.hold.expiresAt) }, 'hold expired');
        if (!result.ended && result.reason === 'HOLD_NOT_FOUND' && placement) {
          // No hold in this actor nor in the database: the placement died after the ShowActor
          // granted its seats and before anything recorded it. Without this the seats stayed
          // granted to a hold that does not exist, refused to everyone for good.
          const { released } = await showActor<{ released: string[] }>(placement.showId, 'release', { holdId, seatIds: placement.seatIds });
          if (released.length > 0) deps.logger.warn({ holdId, showId: placement.showId, released }, 'seats of a placement that was never recorded given back at its expiry');
        }
        await unregisterActorReminder(deps.sidecar, ACTOR_TYPES.hold, holdId, firing);
      } catch (error) {
        deps.logger.error({ err: error, holdId }, 'hold expiry failed; retrying');
      }
    }

    /** `loaded`: the hold as this same turn just read it, unchanged since (saves reading it again). */
    private async end(to: 'EXPIRED' | 'RELEASED', loaded?: HoldRecord): Promise<EndHoldResult> {
      const hold = loaded ?? await this.load();
      if (!hold) return { ended: false, reason: 'HOLD_NOT_FOUND' };
      if (!canTransition(hold.status as HoldStatus, to)) return { ended: false, reason: 'HOLD_NOT_ACTIVE', hold };
      // The database first (the system of record), then the ShowActor, then our own state: a
      // failure part-way is retried from the top, and every step is idempotent.
      await this.settlePayment(hold);
      await deps.holds.end(hold.holdId, to, currentCorrelationId());
      await showActor(hold.showId, 'release', { holdId: hold.holdId, seatIds: hold.seatIds });
      const ended = { ...hold, status: to };
      await this.saveLegacy(ended);
      if (to !== 'EXPIRED') await this.dropReminder(hold);
      return { ended: true, hold: ended };
    }
  };
}
