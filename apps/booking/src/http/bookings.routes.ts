/** Bookings: reading, cancelling (a workflow), their tickets as PNG and PDF, and the door scan. */
import { Router } from 'express';
import { z } from 'zod';
import type { DaprWorkflowClient } from '@dapr/dapr';
import { AppError, currentCorrelationId, headerActor, type SchedulerJobs, renderQrPng, renderTicketPdf, requireAdmin, scheduleWorkflowOnce, requireSameCustomer } from '@holdfast/shared';
import { BOOKING_CANCELLATION_WORKFLOW, cancellationInstanceId } from '../cancellation/booking-cancellation.workflow';
import { DEFAULT_CANCELLATION_SAGA_CHECK_SECONDS, scheduleCancellationSafetyNet } from '../cancellation/cancellation-safety-net';
import { verifyTicket } from '../domain/tickets';
import { seatIdSchema } from '../domain/seat-map';
import type { BookingsRepository, CancellationRecord, CancelOutcome, CancellationSettings } from '../data/bookings.repository';
import type { CancellationDecision } from '../domain/cancellation-policy';
import type { ShowsRepository } from '../data/shows.repository';

export const bookingIdSchema = z.string().uuid();
export { seatIdSchema };
export const verifySchema = z.object({ qrPayload: z.string().min(1).max(2000) }).strict();
/** An admin's cancellation override: why (required) and how much goes back, in the booking's minor units. */
export const adminCancelSchema = z.object({
  reason: z.string().max(500).regex(/\S/, 'reason must not be blank'),
  refundAmount: z.number().int().min(0).max(2_147_483_647),
}).strict();

/** The platform's defaults when main.ts passes none (the OpenAPI test): CANCELLATION_CUTOFF_MINUTES's and the preparing-concessions setting's. */
export const DEFAULT_CANCELLATION_SETTINGS: CancellationSettings = { defaultCutoffMinutes: 60, preparingConcessions: { kind: 'no-refund' } };

/** The identity an admin override is audited under when the console names no one (X-Holdfast-Actor): the booking app's one admin credential (ADMIN_API_TOKEN). */
export const ADMIN_ACTOR = 'admin-api-token';

/** The policy's answer as clients read it. */
export function decisionView(d: CancellationDecision) {
  return { allowed: d.allowed, ...(d.allowed ? {} : { code: d.code }), until: d.until.toISOString(), refundAmount: d.refundAmount, breakdown: { ...d.breakdown } };
}

/**
 * A cancellation taken (by its customer or an admin's override), as whoever has the booking id reads it:
 * not who took it nor the admin's reason (internal: the audit log and the admin's answers keep them).
 */
export function cancellationRecordView(r: CancellationRecord) {
  return {
    by: r.by, refundAmount: r.refundAmount, currency: r.currency, at: r.createdAt.toISOString(),
    breakdown: { tickets: r.ticketsAmount, concessions: r.concessionsAmount, fee: r.fee },
  };
}

/** The same as admins read it (the override's answer): with the actor and the reason. */
export function auditedCancellationRecordView(r: CancellationRecord) {
  return { ...cancellationRecordView(r), actor: r.actor, reason: r.reason };
}

export interface BookingsRouterDeps {
  bookings: BookingsRepository;
  shows: ShowsRepository;
  ticketKey: string;
  adminToken: string;
  workflows: Pick<DaprWorkflowClient, 'getWorkflowState' | 'scheduleNewWorkflow'>;
  /** The cancellation policy's platform settings (CANCELLATION_CUTOFF_MINUTES, CANCELLATION_PREPARING_CONCESSIONS*). */
  cancellation?: CancellationSettings;
  /** The app's sidecar's Jobs API: each cancellation's safety-net job (cancellation-safety-net.ts). */
  jobs: Pick<SchedulerJobs, 'schedule'>;
  /** CANCELLATION_SAGA_CHECK_SECONDS: when the safety-net job checks that the saga started. */
  sagaCheckSeconds?: number;
}

/** A concessions order as clients read it: lines with unit prices in minor units, the kitchen state, when prep starts. */
export function concessionsView(order: { id: string; items: unknown; amount: number; status: string; prepAt: Date; updatedAt: Date }) {
  const items = Array.isArray(order.items) ? (order.items as Array<{ sku: string; name: string; quantity: number; price: number }>) : [];
  return {
    orderId: order.id, status: order.status, amount: order.amount, prepAt: order.prepAt.toISOString(), updatedAt: order.updatedAt.toISOString(),
    items: items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, price: i.price })),
  };
}

const REFUSALS: Record<string, string> = {
  TICKET_USED: 'A ticket of this booking was scanned at the door: it cannot be cancelled.',
  SHOW_STARTED: 'The show has started: the booking cannot be cancelled.',
  CANCELLATION_CLOSED: 'Cancellations closed at the cut-off before showtime.',
  SHOW_CANCELLED: 'The show was cancelled: its refund is under way.',
  BOOKING_CANCELLED: 'The booking is cancelled already.',
};

export function bookingsRouter(deps: BookingsRouterDeps): Router {
  const router = Router();
  const settings = deps.cancellation ?? DEFAULT_CANCELLATION_SETTINGS;

  // Before the decision is committed: the scheduler's job that starts the saga if this request dies (or
  // its start fails) after the commit. Not stored: nothing is decided, the caller may ask again.
  const safetyNet = async (bookingId: string) => {
    try {
      await scheduleCancellationSafetyNet(deps.jobs, bookingId, deps.sagaCheckSeconds ?? DEFAULT_CANCELLATION_SAGA_CHECK_SECONDS, currentCorrelationId());
    } catch {
      throw new AppError(503, 'CANCELLATION_UNAVAILABLE', 'The cancellation cannot be taken now (its scheduler is unavailable); nothing changed: try again.');
    }
  };

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
    // Issue 19: whether the customer may still cancel, until when and for how much (the same pure function
    // the cancel decides with); once cancelled, by whom (customer or admin) and what was refunded (not the
    // actor nor an override's reason: anyone with the booking id reads this).
    const [policy, record] = await Promise.all([deps.bookings.cancellationPolicy(b.id, settings), deps.bookings.cancellationOf(b.id)]);
    res.json({
      bookingId: b.id, holdId: b.holdId, showId: b.showId, status: b.status, amount: b.amount, currency: b.currency, customerId: b.customerId,
      seats: b.seats.map((s) => s.seatId), tickets: b.seats.map((s) => ({ seatId: s.seatId, qrPayload: s.qrPayload, usedAt: s.usedAt })),
      concessions: order ? concessionsView(order) : null,
      cancellation: policy ? { ...decisionView(policy), ...(record ? { cancelled: cancellationRecordView(record) } : {}) } : null,
    });
  });

  /**
   * The customer's cancellation (issue 19): decided by the policy under the booking's row lock, then the
   * saga starts once and refunds the amount decided there. Refused: 409 with the policy's code, nothing
   * changed. Asking again answers the decision taken the first time.
   */
  router.post('/api/bookings/:bookingId/cancel', async (req, res) => {
    const booking = await requireBooking(req.params.bookingId);
    requireSameCustomer(req, booking.customerId, new AppError(404, 'BOOKING_NOT_FOUND', `No booking ${req.params.bookingId}.`));
    await safetyNet(booking.id);
    const outcome = await deps.bookings.cancelByCustomer(booking.id, settings, currentCorrelationId());
    await answerCancellation(res, booking.id, outcome);
  });

  /**
   * An admin's override (issue 19): cancels inside the cut-off or after a scan, refunding the amount the
   * admin chose (at most what was paid); audited. A repeat answers the first cancellation.
   */
  router.post('/api/admin/bookings/:bookingId/cancel', requireAdmin(deps.adminToken), async (req, res) => {
    const id = bookingIdSchema.safeParse(req.params.bookingId);
    if (!id.success) throw new AppError(400, 'INVALID_BOOKING_ID', 'A booking id is a UUID.');
    const body = adminCancelSchema.parse(req.body);
    await safetyNet(id.data);
    const outcome = await deps.bookings.cancelByAdmin(id.data, { actor: headerActor(req) ?? ADMIN_ACTOR, reason: body.reason.trim(), refundAmount: body.refundAmount }, settings, currentCorrelationId());
    if (outcome.kind === 'exceeds-paid') {
      throw new AppError(422, 'REFUND_EXCEEDS_PAID', `refundAmount may be at most the amount paid (${outcome.amountPaid}).`, { amountPaid: outcome.amountPaid });
    }
    await answerCancellation(res, id.data, outcome, auditedCancellationRecordView);
  });

  // exceeds-paid comes from the admin's override only, which answers it (422) before this.
  async function answerCancellation(res: import('express').Response, bookingId: string, outcome: Exclude<CancelOutcome, { kind: 'exceeds-paid' }>, view: (r: CancellationRecord) => object = cancellationRecordView) {
    const instanceId = cancellationInstanceId(bookingId);
    if (outcome.kind === 'not-found') throw new AppError(404, 'BOOKING_NOT_FOUND', `No booking ${bookingId}.`);
    if (outcome.kind === 'refused') {
      // Nothing left to cancel: cancelled already, or its show was cancelled and the booking is (being) refunded.
      if (outcome.status === 'CANCELLED' || outcome.status === 'REFUNDING' || outcome.status === 'REFUNDED') return void res.json({ bookingId, status: outcome.status, instanceId });
      // Moved to CANCELLING before this policy existed (a saga in flight): it finishes as it began.
      if (outcome.status === 'CANCELLING') {
        await scheduleWorkflowOnce(deps.workflows, BOOKING_CANCELLATION_WORKFLOW, { bookingId, correlationId: currentCorrelationId() }, instanceId);
        return void res.status(202).json({ bookingId, status: 'CANCELLING', instanceId });
      }
      const d = outcome.decision as Extract<CancellationDecision, { allowed: false }>;
      throw new AppError(409, d.code, REFUSALS[d.code] ?? 'This booking cannot be cancelled.', { cancellation: decisionView(d) });
    }
    const cancellation = view(outcome.record);
    const refundAmount = outcome.record.refundAmount;
    if (outcome.status !== 'CANCELLING') return void res.json({ bookingId, status: outcome.status, instanceId, refundAmount, cancellation });
    // At least once: a retry after a lost answer (or a failed start) schedules the same instance again.
    await scheduleWorkflowOnce(deps.workflows, BOOKING_CANCELLATION_WORKFLOW, { bookingId, correlationId: currentCorrelationId() }, instanceId);
    res.status(202).json({ bookingId, status: 'CANCELLING', instanceId, refundAmount, cancellation });
  }

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
