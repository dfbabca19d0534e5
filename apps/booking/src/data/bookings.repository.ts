/**
 * A confirmed hold becomes a booking in one transaction: booking, seats with their tickets, the
 * payment, the seat claims turned SOLD, the hold CONFIRMED, the outbox event and the audit entry.
 * Idempotent per hold: a repeat finds the booking the first call made.
 */
import { Prisma, type PrismaClient } from '@holdfast/shared';
import type { PricedSeat } from '../domain/pricing';
import { decideCancellation, type CancellationDecision, type PreparingConcessionsPolicy } from '../domain/cancellation-policy';
import type { HoldRecord } from './holds.repository';

export interface NewBooking {
  holdId: string;
  showId: string;
  customerId: string;
  customerEmail: string;
  customerPhone?: string;
  idempotencyKey: string;
  currency: string;
  total: number;
  seats: Array<PricedSeat & { qrPayload: string }>;
  /** A card payment through the provider, or one a box office took (seed 004's offline payments). */
  payment: { authorizationId: string; captureId: string } | { offline: OfflinePaymentRecord };
  concessions?: { orderId: string; lines: unknown; total: number; prepAt: string };
}

export interface OfflinePaymentRecord {
  paymentId: string;
  method: 'cash' | 'card_terminal' | 'transfer';
  recordedBy: string;
  reference?: string;
}

const PAYMENT_METHOD = { cash: 'CASH', card_terminal: 'CARD_TERMINAL', transfer: 'TRANSFER' } as const;
const OFFLINE_METHOD_NAME = { CASH: 'cash', CARD_TERMINAL: 'card_terminal', TRANSFER: 'transfer' } as const;

export interface BookingView {
  bookingId: string;
  holdId: string;
  showId: string;
  status: string;
  amount: number;
  currency: string;
  seats: string[];
  tickets: Array<{ seatId: string; qrPayload: string }>;
  concessionOrderId?: string;
}

const include = { seats: { orderBy: { seatId: 'asc' as const } } };
type BookingWithSeats = Prisma.BookingGetPayload<{ include: typeof include }>;

export function bookingView(booking: BookingWithSeats): BookingView {
  return {
    bookingId: booking.id, holdId: booking.holdId, showId: booking.showId, status: booking.status, amount: booking.amount, currency: booking.currency,
    seats: booking.seats.map((s) => s.seatId), tickets: booking.seats.map((s) => ({ seatId: s.seatId, qrPayload: s.qrPayload })),
  };
}

export class ShowCancelledError extends Error {
  constructor(readonly showId: string) {
    super(`show ${showId} is cancelled`);
    this.name = 'ShowCancelledError';
  }
}

export function createBookingsRepository(prisma: PrismaClient) {
  return {
    concessionCatalogue() {
      return prisma.concessionItem.findMany();
    },

    upsertConcession(item: { sku: string; name: string; price: number; active: boolean }) {
      return prisma.concessionItem.upsert({ where: { sku: item.sku }, create: item, update: item });
    },

    pendingConcessionOrders() {
      return prisma.concessionOrder.findMany({ where: { status: 'PENDING' }, select: { id: true, prepAt: true } });
    },

    /** A booking's concessions order and its kitchen state (PENDING, PREPARING, CANCELLED), or null (seed 000). */
    concessionOrderOf(bookingId: string) {
      return prisma.concessionOrder.findUnique({ where: { bookingId } });
    },

    async find(bookingId: string) {
      return prisma.booking.findUnique({ where: { id: bookingId }, include });
    },

    /**
     * The first scan of a valid ticket marks it used; later scans see when. Under the booking's row
     * lock (shared: two gates scanning two seats of one booking do not wait for each other), the lock a
     * customer's cancellation takes exclusively to decide and move the booking: a scan racing a
     * cancellation either comes first (the cancellation then sees the ticket used: TICKET_USED) or
     * after (the booking is CANCELLING: BOOKING_CANCELLED), never both. The conditional update keeps
     * two gates scanning the same ticket at once from both letting it in.
     */
    async scan(qrPayload: string, now = new Date()): Promise<{ result: 'valid' | 'already-used' | 'unknown' | 'cancelled'; bookingId?: string; seatId?: string; usedAt?: Date }> {
      return prisma.$transaction(async (tx) => {
        const seat = await tx.bookingSeat.findUnique({ where: { qrPayload } });
        if (!seat) return { result: 'unknown' as const };
        const found = { bookingId: seat.bookingId, seatId: seat.seatId };
        const [booking] = await tx.$queryRaw<Array<{ status: string }>>`SELECT status::text AS status FROM bookings WHERE id = ${seat.bookingId}::uuid FOR SHARE`;
        if (seat.releasedAt || booking?.status !== 'CONFIRMED') return { result: 'cancelled' as const, ...found };
        const { count } = await tx.bookingSeat.updateMany({ where: { id: seat.id, usedAt: null }, data: { usedAt: now } });
        if (count === 1) return { result: 'valid' as const, ...found, usedAt: now };
        const used = await tx.bookingSeat.findUniqueOrThrow({ where: { id: seat.id } });
        return { result: 'already-used' as const, ...found, usedAt: used.usedAt ?? undefined };
      });
    },

    /** A booking's cancellation record (who, why, how much), once it has one. */
    cancellationOf(bookingId: string) {
      return prisma.bookingCancellation.findUnique({ where: { bookingId } });
    },

    /** What the policy says for this booking now (the booking's read shows it before any cancel). */
    async cancellationPolicy(bookingId: string, settings: CancellationSettings, now = new Date()): Promise<CancellationDecision | null> {
      return policyInputs(prisma, bookingId, settings, now, false).then((x) => x && decideCancellation(x.input));
    },

    /**
     * A customer's cancellation, decided and taken under the booking's row lock (FOR UPDATE: the door
     * scan's FOR SHARE waits, or it went first and its usedAt is seen here). Accepted: the booking is
     * CANCELLING and its record holds the refund the saga will pay. A repeat finds that record and
     * answers it; a refusal changes nothing.
     */
    async cancelByCustomer(bookingId: string, settings: CancellationSettings, correlationId?: string, now = new Date()): Promise<Exclude<CancelOutcome, { kind: 'exceeds-paid' }>> {
      return prisma.$transaction(async (tx) => {
        const found = await policyInputs(tx, bookingId, settings, now, true);
        if (!found) return { kind: 'not-found' };
        if (found.existing) return { kind: 'existing', status: found.status, record: found.existing };
        const decision = decideCancellation(found.input);
        if (!decision.allowed) return { kind: 'refused', status: found.status, decision };
        const record = await tx.bookingCancellation.create({
          data: {
            bookingId, by: 'CUSTOMER', actor: found.customerId, refundAmount: decision.refundAmount, ticketsAmount: decision.breakdown.tickets,
            concessionsAmount: decision.breakdown.concessions, fee: decision.breakdown.fee, currency: found.currency, policyDecision: decisionJson(decision),
          },
        });
        await tx.booking.update({ where: { id: bookingId }, data: { status: 'CANCELLING' } });
        await tx.auditLog.create({
          data: { entity: 'booking', entityId: bookingId, action: 'cancelling', fromState: 'CONFIRMED', toState: 'CANCELLING', correlationId, data: { by: 'CUSTOMER', refundAmount: decision.refundAmount, breakdown: { ...decision.breakdown } } },
        });
        return { kind: 'accepted', status: 'CANCELLING', record };
      });
    },

    /**
     * An admin's override: cancels whatever the policy says (inside the cut-off, after a scan) with the
     * refund the admin chose, at most what was paid. Audited with who, why, how much and the policy
     * decision it overrode. A repeat answers the first cancellation's record, never a second refund.
     */
    async cancelByAdmin(bookingId: string, override: { actor: string; reason: string; refundAmount: number }, settings: CancellationSettings, correlationId?: string, now = new Date()): Promise<CancelOutcome> {
      return prisma.$transaction(async (tx) => {
        const found = await policyInputs(tx, bookingId, settings, now, true);
        if (!found) return { kind: 'not-found' };
        if (found.existing) return { kind: 'existing', status: found.status, record: found.existing };
        const decision = decideCancellation(found.input);
        if (found.status !== 'CONFIRMED') return { kind: 'refused', status: found.status, decision };
        if (override.refundAmount > found.input.amountPaid) return { kind: 'exceeds-paid', amountPaid: found.input.amountPaid };
        // The parts as the customer's record says them (refund = tickets + concessions - fee): the chosen
        // amount pays the tickets first, then the concessions; what it leaves is kept as the fee.
        const tickets = Math.min(override.refundAmount, decision.breakdown.tickets);
        const concessions = decision.breakdown.concessions;
        const record = await tx.bookingCancellation.create({
          data: {
            bookingId, by: 'ADMIN', actor: override.actor, reason: override.reason, refundAmount: override.refundAmount, ticketsAmount: tickets,
            concessionsAmount: concessions, fee: tickets + concessions - override.refundAmount, currency: found.currency, policyDecision: decisionJson(decision),
          },
        });
        await tx.booking.update({ where: { id: bookingId }, data: { status: 'CANCELLING' } });
        await tx.auditLog.create({
          data: {
            entity: 'booking', entityId: bookingId, action: 'cancel-override', fromState: 'CONFIRMED', toState: 'CANCELLING', correlationId,
            data: { by: override.actor, reason: override.reason, refundAmount: override.refundAmount, amountPaid: found.input.amountPaid, currency: found.currency, overrode: decisionJson(decision) },
          },
        });
        return { kind: 'accepted', status: 'CANCELLING', record };
      });
    },

    /**
     * A hold's booking as its HoldActor answers it: the view (with its concession order), the key of
     * the confirmation that made it, and the box office's payment when it was paid offline.
     */
    async findByHold(holdId: string): Promise<{ booking: BookingView; idempotencyKey: string; offline?: NonNullable<HoldRecord['offlinePayment']> } | null> {
      const booking = await prisma.booking.findUnique({ where: { holdId }, include: { ...include, payments: true } });
      if (!booking) return null;
      const concession = await prisma.concessionOrder.findUnique({ where: { bookingId: booking.id }, select: { id: true } });
      const offline = booking.payments.find((p) => p.method !== 'CARD');
      return {
        booking: { ...bookingView(booking), ...(concession ? { concessionOrderId: concession.id } : {}) }, idempotencyKey: booking.idempotencyKey,
        ...(offline ? { offline: {
          paymentId: offline.id, method: OFFLINE_METHOD_NAME[offline.method as keyof typeof OFFLINE_METHOD_NAME], amount: offline.amount, currency: offline.currency,
          recordedBy: offline.recordedBy ?? '', ...(offline.reference ? { reference: offline.reference } : {}), recordedAt: offline.createdAt.toISOString(),
        } } : {}),
      };
    },

    /**
     * The booking, its seats, payment, concession order, events and audit lines, the hold's claims
     * SOLD and the hold CONFIRMED: one statement, confirm_booking (migration 20261203121000, where
     * each step is explained). A hold that has a booking already gets that booking back.
     */
    async confirm(booking: NewBooking & { bookingId: string }, correlationId?: string): Promise<BookingView> {
      const input = {
        bookingId: booking.bookingId, holdId: booking.holdId, showId: booking.showId, customerId: booking.customerId, customerEmail: booking.customerEmail,
        customerPhone: booking.customerPhone ?? null, idempotencyKey: booking.idempotencyKey, amount: booking.total, currency: booking.currency,
        seats: booking.seats.map((s) => ({ seatId: s.seatId, price: s.price, qrPayload: s.qrPayload })),
        payment: 'offline' in booking.payment ? { offline: { ...booking.payment.offline, paymentMethod: PAYMENT_METHOD[booking.payment.offline.method] } } : booking.payment,
        ...(booking.concessions ? { concessions: booking.concessions } : {}), correlationId: correlationId ?? null,
      };
      const [row] = await prisma.$queryRaw<Array<{ result: { existing?: boolean; showCancelled?: boolean; view?: BookingView } }>>`SELECT confirm_booking(${JSON.stringify(input)}::jsonb) AS result`;
      const { result } = row!;
      if (result.showCancelled) throw new ShowCancelledError(booking.showId);
      if (result.existing || !result.view) {
        const existing = await prisma.booking.findUniqueOrThrow({ where: { holdId: booking.holdId }, include });
        return { ...bookingView(existing), ...(booking.concessions ? { concessionOrderId: (await prisma.concessionOrder.findUnique({ where: { bookingId: existing.id } }))?.id } : {}) };
      }
      return { ...result.view, ...(booking.concessions ? { concessionOrderId: booking.concessions.orderId } : {}) };
    },
  };
}
export type BookingsRepository = ReturnType<typeof createBookingsRepository>;

/** The platform's side of the policy (CANCELLATION_CUTOFF_MINUTES and the preparing-concessions setting). */
export interface CancellationSettings {
  defaultCutoffMinutes: number;
  preparingConcessions: PreparingConcessionsPolicy;
}

export type CancellationRecord = Prisma.BookingCancellationGetPayload<object>;

export type CancelOutcome =
  | { kind: 'not-found' }
  | { kind: 'existing'; status: string; record: CancellationRecord }
  | { kind: 'refused'; status: string; decision: CancellationDecision }
  | { kind: 'exceeds-paid'; amountPaid: number }
  | { kind: 'accepted'; status: 'CANCELLING'; record: CancellationRecord };

const decisionJson = (d: CancellationDecision) => ({
  allowed: d.allowed, ...(d.allowed ? {} : { code: d.code }), until: d.until.toISOString(), refundAmount: d.refundAmount, breakdown: { ...d.breakdown },
});

type Db = Pick<PrismaClient, 'booking' | 'bookingCancellation' | '$queryRaw'>;

/** The policy's inputs for one booking; `lock` takes the booking's row lock (FOR UPDATE) first. */
async function policyInputs(db: Db, bookingId: string, settings: CancellationSettings, now: Date, lock: boolean) {
  if (lock) {
    const locked = await db.$queryRaw<Array<{ id: string }>>`SELECT id::text AS id FROM bookings WHERE id = ${bookingId}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
  }
  const booking = await db.booking.findUnique({
    where: { id: bookingId },
    include: { seats: { select: { usedAt: true } } },
  });
  if (!booking) return null;
  const [show] = await db.$queryRaw<Array<{ status: string; starts_at: Date; cutoff: number | null }>>`
    SELECT status::text AS status, starts_at, cancellation_cutoff_minutes AS cutoff FROM shows WHERE id = ${booking.showId}::uuid`;
  const [order] = await db.$queryRaw<Array<{ amount: number; status: string }>>`SELECT amount, status::text AS status FROM concession_orders WHERE booking_id = ${bookingId}::uuid`;
  const existing = await db.bookingCancellation.findUnique({ where: { bookingId } });
  return {
    status: booking.status, customerId: booking.customerId, currency: booking.currency, existing,
    input: {
      bookingStatus: booking.status, showStatus: show?.status ?? 'SCHEDULED', amountPaid: booking.amount, tickets: booking.seats,
      showStartsAt: show?.starts_at ?? new Date(0), cutoffMinutes: show?.cutoff ?? settings.defaultCutoffMinutes,
      concessions: order ?? null, preparingConcessions: settings.preparingConcessions, now,
    },
  };
}

