/**
 * A confirmed hold becomes a booking in one transaction: booking, seats with their tickets, the
 * payment, the seat claims turned SOLD, the hold CONFIRMED, the outbox event and the audit entry.
 * Idempotent per hold: a repeat finds the booking the first call made.
 */
import { Prisma, type PrismaClient } from '@holdfast/shared';
import type { PricedSeat } from '../domain/pricing';

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
     * The first scan of a valid ticket marks it used; later scans see when. One conditional update,
     * so two gates scanning the same ticket at once cannot both let it in.
     */
    async scan(qrPayload: string, now = new Date()): Promise<{ result: 'valid' | 'already-used' | 'unknown' | 'cancelled'; bookingId?: string; seatId?: string; usedAt?: Date }> {
      const seat = await prisma.bookingSeat.findUnique({ where: { qrPayload }, include: { booking: { select: { status: true } } } });
      if (!seat) return { result: 'unknown' };
      const found = { bookingId: seat.bookingId, seatId: seat.seatId };
      if (seat.releasedAt || seat.booking.status !== 'CONFIRMED') return { result: 'cancelled', ...found };
      const { count } = await prisma.bookingSeat.updateMany({ where: { id: seat.id, usedAt: null }, data: { usedAt: now } });
      if (count === 1) return { result: 'valid', ...found, usedAt: now };
      const used = await prisma.bookingSeat.findUniqueOrThrow({ where: { id: seat.id } });
      return { result: 'already-used', ...found, usedAt: used.usedAt ?? undefined };
    },

    async confirm(booking: NewBooking & { bookingId: string }, correlationId?: string): Promise<BookingView> {
      return prisma.$transaction(async (tx) => {
        const existing = await tx.booking.findUnique({ where: { holdId: booking.holdId }, include });
        if (existing) return { ...bookingView(existing), ...(booking.concessions ? { concessionOrderId: (await tx.concessionOrder.findUnique({ where: { bookingId: existing.id } }))?.id } : {}) };
        // The show's row shared-locked: an admin's cancellation (FOR UPDATE) either sees this booking
        // (and tells and refunds its customer) or came first, and the booking is refused.
        const [show] = await tx.$queryRaw<Array<{ status: string; title: string; starts_at: Date; venue_id: string; venue: string }>>`
          SELECT s.status, s.title, s.starts_at, s.venue_id::text AS venue_id, v.name AS venue FROM shows s JOIN venues v ON v.id = s.venue_id
          WHERE s.id = ${booking.showId}::uuid FOR SHARE OF s`;
        if (show?.status === 'CANCELLED') throw new ShowCancelledError(booking.showId);
        const created = await tx.booking.create({
          data: {
            id: booking.bookingId, holdId: booking.holdId, showId: booking.showId, customerId: booking.customerId, customerEmail: booking.customerEmail,
            customerPhone: booking.customerPhone, idempotencyKey: booking.idempotencyKey, amount: booking.total, currency: booking.currency,
            seats: { create: booking.seats.map((s) => ({ showId: booking.showId, seatId: s.seatId, price: s.price, qrPayload: s.qrPayload })) },
            payments: {
              create: 'offline' in booking.payment
                ? { id: booking.payment.offline.paymentId, method: PAYMENT_METHOD[booking.payment.offline.method], recordedBy: booking.payment.offline.recordedBy, reference: booking.payment.offline.reference, amount: booking.total, currency: booking.currency, status: 'CAPTURED' }
                : { authorizationId: booking.payment.authorizationId, captureId: booking.payment.captureId, amount: booking.total, currency: booking.currency, status: 'CAPTURED' },
            },
          },
          include,
        });
        if (booking.concessions) {
          const c = booking.concessions;
          await tx.concessionOrder.create({ data: { id: c.orderId, bookingId: created.id, showId: booking.showId, items: c.lines as Prisma.InputJsonValue, amount: c.total, prepAt: new Date(c.prepAt) } });
          await tx.outboxEvent.create({ data: { aggregateId: created.id, type: 'kitchen.prep.scheduled', correlationId, payload: { bookingId: created.id, concessionOrderId: c.orderId, prepAt: c.prepAt, items: c.lines as Prisma.InputJsonValue } } });
        }
        const { count } = await tx.seatClaim.updateMany({ where: { holdId: booking.holdId, kind: 'HELD' }, data: { kind: 'SOLD' } });
        if (count !== booking.seats.length) throw new Error(`hold ${booking.holdId} claims ${count} seats, the booking has ${booking.seats.length}`);
        await tx.hold.update({ where: { id: booking.holdId }, data: { status: 'CONFIRMED' } });
        // Event-carried state: the delivery app writes the ticket email from this event alone.
        const labels = new Map((show ? await tx.seat.findMany({ where: { venueId: show.venue_id, id: { in: booking.seats.map((s) => s.seatId) } }, select: { id: true, label: true } }) : []).map((s) => [s.id, s.label]));
        const view = bookingView(created);
        await tx.outboxEvent.create({
          data: {
            aggregateId: created.id, type: 'booking.confirmed', correlationId,
            payload: {
              ...view, customerEmail: booking.customerEmail, customerPhone: booking.customerPhone ?? null,
              tickets: view.tickets.map((t) => ({ ...t, seatLabel: labels.get(t.seatId) ?? t.seatId })),
              ...(show ? { show: { title: show.title, startsAt: show.starts_at.toISOString(), venue: show.venue } } : {}),
            } as unknown as Prisma.InputJsonValue,
          },
        });
        await tx.auditLog.create({ data: { entity: 'booking', entityId: created.id, action: 'confirmed', toState: 'CONFIRMED', correlationId, data: { holdId: booking.holdId, amount: booking.total } } });
        if ('offline' in booking.payment) {
          // Who took the money, how, how much and when (the row's own time): the box office's audit trail.
          const o = booking.payment.offline;
          await tx.auditLog.create({
            data: {
              entity: 'payment', entityId: o.paymentId, action: 'offline-recorded', toState: 'CAPTURED', correlationId,
              data: { bookingId: created.id, holdId: booking.holdId, method: o.method, amount: booking.total, currency: booking.currency, recordedBy: o.recordedBy, reference: o.reference ?? null },
            },
          });
        }
        return { ...bookingView(created), ...(booking.concessions ? { concessionOrderId: booking.concessions.orderId } : {}) };
      });
    },
  };
}
export type BookingsRepository = ReturnType<typeof createBookingsRepository>;
