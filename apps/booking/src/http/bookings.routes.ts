/** Bookings: reading, cancelling (a workflow), their tickets as PNG and PDF, and the door scan. */
import { Router } from 'express';
import { z } from 'zod';
import type { DaprWorkflowClient } from '@dapr/dapr';
import { AppError, currentCorrelationId, renderQrPng, renderTicketPdf, requireAdmin, scheduleWorkflowOnce, requireSameCustomer } from '@holdfast/shared';
import { BOOKING_CANCELLATION_WORKFLOW, cancellationInstanceId } from '../cancellation/booking-cancellation.workflow';
import { verifyTicket } from '../domain/tickets';
import { seatIdSchema } from '../domain/seat-map';
import type { BookingsRepository } from '../data/bookings.repository';
import type { ShowsRepository } from '../data/shows.repository';

export const bookingIdSchema = z.string().uuid();
export { seatIdSchema };
export const verifySchema = z.object({ qrPayload: z.string().min(1).max(2000) }).strict();

export interface BookingsRouterDeps {
  bookings: BookingsRepository;
  shows: ShowsRepository;
  ticketKey: string;
  adminToken: string;
  workflows: Pick<DaprWorkflowClient, 'getWorkflowState' | 'scheduleNewWorkflow'>;
}

/** A concessions order as clients read it: lines with unit prices in minor units, the kitchen state, when prep starts. */
export function concessionsView(order: { id: string; items: unknown; amount: number; status: string; prepAt: Date; updatedAt: Date }) {
  const items = Array.isArray(order.items) ? (order.items as Array<{ sku: string; name: string; quantity: number; price: number }>) : [];
  return {
    orderId: order.id, status: order.status, amount: order.amount, prepAt: order.prepAt.toISOString(), updatedAt: order.updatedAt.toISOString(),
    items: items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, price: i.price })),
  };
}

export function bookingsRouter(deps: BookingsRouterDeps): Router {
  const router = Router();

  // A booking id is a random UUID: whoever has it (the customer, from the confirmation) may read it.
  const requireBooking = async (raw: string) => {
    const id = bookingIdSchema.safeParse(raw);
    if (!id.success) throw new AppError(400, 'INVALID_BOOKING_ID', 'A booking id is a UUID.');
    const booking = await deps.bookings.find(id.data);
    if (!booking) throw new AppError(404, 'BOOKING_NOT_FOUND', `No booking ${raw}.`);
    return booking;
  };

  router.get('/api/bookings/:bookingId', async (req, res) => {
    const b = await requireBooking(req.params.bookingId);
    // Seed 000: the concessions order and its kitchen state (PREPARING once the KitchenPrepActor's reminder fired).
    const order = await deps.bookings.concessionOrderOf(b.id);
    res.json({
      bookingId: b.id, holdId: b.holdId, showId: b.showId, status: b.status, amount: b.amount, currency: b.currency, customerId: b.customerId,
      seats: b.seats.map((s) => s.seatId), tickets: b.seats.map((s) => ({ seatId: s.seatId, qrPayload: s.qrPayload, usedAt: s.usedAt })),
      concessions: order ? concessionsView(order) : null,
    });
  });

  /** Starts the cancellation saga once; asking again while it runs (or after) answers its state. */
  router.post('/api/bookings/:bookingId/cancel', async (req, res) => {
    const booking = await requireBooking(req.params.bookingId);
    requireSameCustomer(req, booking.customerId, new AppError(404, 'BOOKING_NOT_FOUND', `No booking ${req.params.bookingId}.`));
    const instanceId = cancellationInstanceId(booking.id);
    // Nothing left to cancel: cancelled already, or its show was cancelled and the booking is (being) refunded.
    if (booking.status === 'CANCELLED' || booking.status === 'REFUNDING' || booking.status === 'REFUNDED') return void res.json({ bookingId: booking.id, status: booking.status, instanceId });
    await scheduleWorkflowOnce(deps.workflows, BOOKING_CANCELLATION_WORKFLOW, { bookingId: booking.id, correlationId: currentCorrelationId() }, instanceId);
    res.status(202).json({ bookingId: booking.id, status: 'CANCELLING', instanceId });
  });

  router.get('/api/bookings/:bookingId/tickets/:seatId.png', async (req, res) => {
    if (!seatIdSchema.safeParse(req.params.seatId).success) throw new AppError(400, 'INVALID_SEAT_ID', 'A seat id looks like STALLS-A-12.');
    const booking = await requireBooking(req.params.bookingId);
    const seat = booking.seats.find((s) => s.seatId === req.params.seatId);
    if (!seat) throw new AppError(404, 'TICKET_NOT_FOUND', `Booking ${booking.id} has no seat ${req.params.seatId}.`);
    res.type('image/png').send(await renderQrPng(seat.qrPayload));
  });

  router.get('/api/bookings/:bookingId/tickets.pdf', async (req, res) => {
    const booking = await requireBooking(req.params.bookingId);
    const show = await deps.shows.find(booking.showId);
    const labels = new Map((show ? await deps.shows.seatsById(show.venueId, booking.seats.map((s) => s.seatId)) : []).map((s) => [s.id, s.label]));
    const pdf = await renderTicketPdf({
      bookingId: booking.id, showTitle: show?.title ?? 'Holdfast', startsAt: show?.startsAt ?? new Date(0), venue: show?.venue.name ?? '',
      customerEmail: booking.customerEmail, tickets: booking.seats.map((s) => ({ seatLabel: labels.get(s.seatId) ?? s.seatId, qrPayload: s.qrPayload })),
    });
    res.type('application/pdf').setHeader('content-disposition', `attachment; filename="tickets-${booking.id}.pdf"`);
    res.send(pdf);
  });

  /** Door staff (admin token): valid lets the holder in once; every later scan says already-used. */
  router.post('/api/tickets/verify', requireAdmin(deps.adminToken), async (req, res) => {
    const { qrPayload } = verifySchema.parse(req.body);
    const check = verifyTicket(deps.ticketKey, qrPayload);
    if (!check.valid) return void res.json({ result: 'invalid', reason: check.reason });
    const scan = await deps.bookings.scan(qrPayload);
    if (scan.result === 'unknown' || scan.result === 'cancelled') {
      return void res.json({ result: 'invalid', reason: scan.result === 'unknown' ? 'UNKNOWN_TICKET' : 'BOOKING_CANCELLED', ...check.claims });
    }
    res.json({ result: scan.result, bookingId: scan.bookingId, seatId: scan.seatId, usedAt: scan.usedAt });
  });

  return router;
}
