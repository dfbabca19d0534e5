/**
 * Holds and their seat claims. The claims table's primary key (show, seat) is the last line against
 * double-booking: if every check above failed, the insert still refuses a second claim.
 */
import { Prisma, TOPICS, type PrismaClient } from '@holdfast/shared';
import type { HoldSnapshot, HoldStatus } from '../domain/hold';

export interface HoldRecord {
  holdId: string;
  showId: string;
  customerId: string;
  customerEmail: string;
  customerPhone?: string;
  seatIds: string[];
  status: HoldStatus;
  policyVersion: number;
  snapshot: HoldSnapshot;
  expiresAt: string;
  createdAt: string;
  /** Once CONFIRMED: the booking, and the Idempotency-Key of the confirmation that made it. */
  booking?: import('./bookings.repository').BookingView;
  confirmationKey?: string;
  /** How often the hold was re-quoted under a changed policy. */
  policyRecoveries?: number;
  /**
   * The terms the hold was quoted under (the policy and the seats' price): what a policy escalation
   * diffs against (seed 001's "policy hash diff"). Absent on holds placed before it was kept.
   */
  quote?: { policy: unknown; amount: number; currency: string };
  /** The name of the expiry reminder its placement registered ('expire' for holds placed before names were per placement). */
  expiryReminder?: string;
  /** Placed before holds were recorded only in their row: its HoldActor's state, if any, wins, and is kept up to date. */
  legacyState?: boolean;
  /**
   * Set (and saved) before the first payment attempt: what was asked to be authorized. A hold that
   * ends without a booking settles it (nothing may stay authorized or captured).
   */
  payment?: { authorize: { amount: number; currency: string; token: string; reference: string } };
  /** Once confirmed by a box office's offline payment: that payment (a repeat within 5 minutes is the same one). */
  offlinePayment?: { paymentId: string; method: 'cash' | 'card_terminal' | 'transfer'; amount: number; currency: string; recordedBy: string; reference?: string; recordedAt: string };
}

/** What `booking.hold.expired` carries: the hold, and what a waitlist needs to offer its seats again. */
export interface HoldExpiredEvent {
  holdId: string;
  showId: string;
  customerId: string;
  seatIds: string[];
  expiresAt: string;
  expiredAt: string;
}

/** What place_hold answers (a seat claimed by another hold is SeatAlreadyClaimedError instead). */
export type PlaceOutcome = 'INSERTED' | 'HOLD_ID_TAKEN' | 'SHOW_NOT_ON_SALE' | 'TOO_LATE' | 'CUSTOMER_SEAT_CAP';

export class SeatAlreadyClaimedError extends Error {
  constructor() {
    super('a seat of this hold is already claimed in the database');
    this.name = 'SeatAlreadyClaimedError';
  }
}

/** A unique violation, from a model query (P2002) or a raw one (P2010 carrying SQLSTATE 23505). */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === 'P2002') return true;
  return error.code === 'P2010' && JSON.stringify(error.meta ?? {}).includes('23505');
}

/** What a policy escalation records and publishes: the hash diff and the booking's context. */
export interface PolicyEscalationInput {
  holdId: string;
  showId: string;
  customerId: string;
  customerEmail: string;
  seatIds: string[];
  oldPolicyVersion: number;
  newPolicyVersion: number;
  oldPolicyHash: string;
  newPolicyHash: string;
  changes: Array<{ path: string; from?: unknown; to?: unknown }>;
  oldAmount: number | null;
  newAmount: number;
  currency: string;
  recoveries: number;
  showTitle?: string;
  startsAt?: string;
}

/** booking.hold.placed's payload: what the "request received" email says (seed 001). */
export function holdPlacedEvent(hold: HoldRecord, show?: { title: string; startsAt: Date }) {
  return {
    holdId: hold.holdId, showId: hold.showId, customerId: hold.customerId, customerEmail: hold.customerEmail, seatIds: hold.seatIds,
    expiresAt: hold.expiresAt, ...(hold.quote ? { amount: hold.quote.amount, currency: hold.quote.currency } : {}),
    ...(show ? { showTitle: show.title, startsAt: show.startsAt.toISOString() } : {}),
  };
}

/** A holds row as findRecord selects it. */
interface HoldRow {
  id: string; showId: string; customerId: string; customerEmail: string; customerPhone: string | null; seatIds: string[]; status: string;
  policyVersion: number; snapshot: unknown; quote: unknown; expiryReminder: string; paymentRequest: unknown; policyRecoveries: number;
  legacyState: boolean; expiresAt: Date; createdAt: Date;
}

export function createHoldsRepository(prisma: PrismaClient) {
  return {
    /**
     * The hold row, one claim per seat, its booking.hold.placed event and the audit line, together
     * or not at all, in one round trip: place_hold (migration 20261203120000) called in the query
     * that takes the (show, customer) advisory lock. The lock orders two holds of one customer, so
     * each counts the other against the cap; the show's row is read FOR SHARE, which orders the
     * hold against an admin's cancellation. A placement its caller gave up on (placeBy passed)
     * commits nothing. A seat claimed by another hold throws SeatAlreadyClaimedError.
     */
    async place(hold: HoldRecord & { expiryReminder: string }, options: { correlationId?: string; maxHeldSeatsPerCustomer?: number; placeBy?: string; show?: { title: string; startsAt: Date } } = {}): Promise<PlaceOutcome> {
      const placedEvent = holdPlacedEvent(hold, options.show);
      try {
        const [row] = await prisma.$queryRaw<Array<{ outcome: PlaceOutcome }>>`
          SELECT place_hold(${hold.holdId}::uuid, ${hold.showId}::uuid, ${hold.customerId}, ${hold.customerEmail}, ${hold.customerPhone ?? null},
                            ${hold.seatIds}::text[], ${hold.policyVersion}::int, ${JSON.stringify(hold.snapshot)}::jsonb, ${hold.quote ? JSON.stringify(hold.quote) : null}::jsonb,
                            ${hold.expiresAt}::timestamptz, ${hold.createdAt}::timestamptz, ${options.placeBy ?? null}::timestamptz,
                            ${options.maxHeldSeatsPerCustomer ?? Number.MAX_SAFE_INTEGER}::bigint, ${hold.expiryReminder}, ${JSON.stringify(placedEvent)}::jsonb,
                            ${options.correlationId ?? null}) AS outcome
          FROM (SELECT pg_advisory_xact_lock(hashtextextended(${hold.showId} || '/' || ${hold.customerId}, 0))) AS locked`;
        return row!.outcome;
      } catch (error) {
        if (isUniqueViolation(error)) {
          // The holds' primary key: another show's or customer's placement under this id (no lock in common).
          if (JSON.stringify((error as Prisma.PrismaClientKnownRequestError).meta ?? {}).includes('holds_pkey')) return 'HOLD_ID_TAKEN';
          throw new SeatAlreadyClaimedError();
        }
        throw error;
      }
    },

    /** What a confirmation asks the provider to authorize, recorded before any money moves (the hold's end settles it). */
    async recordPaymentRequest(holdId: string, authorize: NonNullable<HoldRecord['payment']>['authorize']): Promise<void> {
      // One statement that returns nothing: hold.update read the whole row back (0.5-0.7 CPU ms against 0.25-0.3).
      const updated = await prisma.$executeRaw`UPDATE holds SET payment_request = ${JSON.stringify(authorize)}::jsonb, updated_at = now() WHERE id = ${holdId}::uuid`;
      if (updated !== 1) throw new Error(`hold ${holdId} not found to record its payment request`);
    },

    /** Money owed back for a hold that could not become a booking: one open review per hold. */
    async recordRefundReview(holdId: string, captureId: string | null, amount: number, reason: string): Promise<void> {
      const open = await prisma.manualReview.findFirst({ where: { kind: 'hold-refund', status: 'OPEN', data: { path: ['holdId'], equals: holdId } } });
      if (!open) await prisma.manualReview.create({ data: { kind: 'hold-refund', reason, data: { holdId, captureId, amount } } });
    },

    /**
     * Ends an active hold (EXPIRED or RELEASED) and frees its seats; a hold already ended is left as it is.
     * An expiry also writes `booking.hold.expired` to the outbox, in the same transaction as the
     * change of status: once per hold, however often the reminder or a late confirmation ends it.
     */
    async end(holdId: string, to: 'EXPIRED' | 'RELEASED', correlationId?: string): Promise<boolean> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.hold.updateMany({ where: { id: holdId, status: 'ACTIVE' }, data: { status: to } });
        if (count === 0) return false;
        await tx.seatClaim.deleteMany({ where: { holdId, kind: 'HELD' } });
        await tx.auditLog.create({ data: { entity: 'hold', entityId: holdId, action: to.toLowerCase(), fromState: 'ACTIVE', toState: to, correlationId } });
        if (to === 'EXPIRED') {
          const hold = await tx.hold.findUniqueOrThrow({ where: { id: holdId }, select: { showId: true, customerId: true, seatIds: true, expiresAt: true } });
          const event: HoldExpiredEvent = {
            holdId, showId: hold.showId, customerId: hold.customerId, seatIds: hold.seatIds, expiresAt: hold.expiresAt.toISOString(), expiredAt: new Date().toISOString(),
          };
          // Keyed by the show: a waitlist reads one show's expiries in the order they happened.
          await tx.outboxEvent.create({ data: { aggregateId: hold.showId, type: TOPICS.bookingHoldExpired, correlationId, payload: event as unknown as Prisma.InputJsonValue } });
        }
        return true;
      });
    },

    /** The hold under a new policy: version and snapshot, with an audit entry. */
    async requote(holdId: string, policyVersion: number, snapshot: HoldSnapshot, correlationId?: string, requoted?: { recoveries: number; quote: NonNullable<HoldRecord['quote']> }): Promise<void> {
      await prisma.$transaction([
        prisma.hold.update({ where: { id: holdId }, data: { policyVersion, snapshot: snapshot as unknown as Prisma.InputJsonValue,
          ...(requoted ? { policyRecoveries: requoted.recoveries, quote: requoted.quote as unknown as Prisma.InputJsonValue } : {}) } }),
        prisma.auditLog.create({ data: { entity: 'hold', entityId: holdId, action: 'requoted', correlationId, data: { policyVersion, policyHash: snapshot.policyHash } } }),
      ]);
    },

    /**
     * Tells admins that a hold's policy kept changing under it (seed 001): kept for the admin console
     * (policy_escalations) and published through the outbox (policy.escalated: the delivery app
     * emails POLICY_ESCALATION_EMAIL), together. Once per hold and new policy: a retried
     * confirmation under the same policy adds nothing.
     */
    async escalatePolicy(event: PolicyEscalationInput, correlationId?: string): Promise<string | null> {
      return prisma.$transaction(async (tx) => {
        const existing = await tx.policyEscalation.findUnique({ where: { holdId_newPolicyHash: { holdId: event.holdId, newPolicyHash: event.newPolicyHash } }, select: { id: true } });
        if (existing) return null;
        const { showTitle: _title, startsAt: _startsAt, ...columns } = event;
        const row = await tx.policyEscalation.create({ data: { ...columns, changes: columns.changes as Prisma.InputJsonValue, correlationId } });
        const payload = { escalationId: row.id, ...event, createdAt: row.createdAt.toISOString() };
        await tx.outboxEvent.create({ data: { aggregateId: event.showId, type: 'policy.escalated', correlationId, payload: payload as unknown as Prisma.InputJsonValue } });
        await tx.auditLog.create({ data: { entity: 'hold', entityId: event.holdId, action: 'policy-escalated', correlationId, data: payload as unknown as Prisma.InputJsonValue } });
        return row.id;
      });
    },

    /** Escalations for the admin console, newest first. */
    listEscalations(filter: { showId?: string; holdId?: string }, limit: number) {
      return prisma.policyEscalation.findMany({ where: { showId: filter.showId, holdId: filter.holdId }, orderBy: { createdAt: 'desc' }, take: limit });
    },

    /** Active holds of a show whose expiry has passed, the earliest first: what a sweep expires besides those its ShowActor holds seats for. */
    async dueActive(showId: string, limit: number): Promise<string[]> {
      const rows = await prisma.hold.findMany({ where: { showId, status: 'ACTIVE', expiresAt: { lte: new Date() } }, select: { id: true }, orderBy: { expiresAt: 'asc' }, take: limit });
      return rows.map((row) => row.id);
    },

    /** The hold as its HoldActor works with it, from its row (the system of record). */
    async findRecord(holdId: string): Promise<HoldRecord | undefined> {
      // Raw SQL, not hold.findUnique: every turn of a HoldActor reads its row first, and the ORM's
      // query path cost 0.4-0.7 CPU ms a read in the app against 0.25-0.4 (issue 15).
      const [row] = await prisma.$queryRaw<HoldRow[]>`
        SELECT id, show_id AS "showId", customer_id AS "customerId", customer_email AS "customerEmail", customer_phone AS "customerPhone",
               seat_ids AS "seatIds", status::text AS status, policy_version AS "policyVersion", snapshot, quote, expiry_reminder AS "expiryReminder",
               payment_request AS "paymentRequest", policy_recoveries AS "policyRecoveries", legacy_state AS "legacyState",
               expires_at AS "expiresAt", created_at AS "createdAt"
        FROM holds WHERE id = ${holdId}::uuid`;
      if (!row) return undefined;
      return {
        holdId: row.id, showId: row.showId, customerId: row.customerId, customerEmail: row.customerEmail,
        ...(row.customerPhone ? { customerPhone: row.customerPhone } : {}), seatIds: [...row.seatIds].sort(), status: row.status as HoldStatus,
        policyVersion: row.policyVersion, snapshot: row.snapshot as unknown as HoldSnapshot,
        expiresAt: row.expiresAt.toISOString(), createdAt: row.createdAt.toISOString(),
        ...(row.quote ? { quote: row.quote as unknown as NonNullable<HoldRecord['quote']> } : {}), expiryReminder: row.expiryReminder,
        ...(row.paymentRequest ? { payment: { authorize: row.paymentRequest as unknown as NonNullable<HoldRecord['payment']>['authorize'] } } : {}),
        ...(row.policyRecoveries > 0 ? { policyRecoveries: row.policyRecoveries } : {}), ...(row.legacyState ? { legacyState: true } : {}),
      };
    },
  };
}
export type HoldsRepository = ReturnType<typeof createHoldsRepository>;
