/**
 * Seed 004's offline payments: a box office (admin token) confirms a hold with money taken at the
 * counter (cash, card terminal, transfer). The HoldActor reads the price and confirms, as for a card.
 */
import { Router } from 'express';
import { z } from 'zod';
import { ACTOR_TYPES, AppError, headerActor, invokeActor, requireAdmin, type SidecarSettings } from '@holdfast/shared';
import { offlinePaymentSchema, type ConfirmOfflineCommand } from '../domain/hold-commands';
import type { ConfirmOfflineResult } from '../actors/hold.actor';

export { offlinePaymentSchema } from '../domain/hold-commands';

export const OFFLINE_PAYMENT_PATH = '/api/admin/holds/:holdId/offline-payment';

const holdIdSchema = z.string().uuid();

const FAILURES: Record<Exclude<ConfirmOfflineResult, { confirmed: true }>['reason'], [number, string]> = {
  HOLD_NOT_FOUND: [404, 'No such hold.'],
  HOLD_EXPIRED: [410, 'Hold has expired. Please create a new booking.'],
  HOLD_NOT_ACTIVE: [409, 'The hold is no longer active.'],
  HOLD_ALREADY_CONFIRMED: [409, 'The hold is already paid and booked; a second payment is not recorded.'],
  HOLD_SNAPSHOT_INCOMPLETE: [422, 'The hold lacks what confirmation checks.'],
  SHOW_CANCELLED: [409, 'The show was cancelled.'],
  POLICY_CHANGED: [409, 'The show\'s pricing or seating policy changed since the hold was made.'],
  AMOUNT_MISMATCH: [422, 'The amount is not the hold\'s price; nothing was recorded.'],
  INVALID_COMMAND: [400, 'The offline payment is not valid.'],
};

export function offlinePaymentsRouter(deps: { sidecar: SidecarSettings; adminToken: string }): Router {
  const router = Router();
  router.post(OFFLINE_PAYMENT_PATH, requireAdmin(deps.adminToken), async (req, res) => {
    const id = holdIdSchema.safeParse(req.params.holdId);
    if (!id.success) throw new AppError(400, 'INVALID_HOLD_ID', 'A hold id is a UUID.');
    const input = offlinePaymentSchema.parse(req.body);
    const named = 'recordedBy' in input ? input.recordedBy : undefined;
    // Else the admin console's signed-in user (X-Holdfast-Actor, trusted behind the admin token).
    const recordedBy = named ?? input.staffId ?? headerActor(req);
    if (recordedBy === undefined) throw new AppError(400, 'RECORDED_BY_REQUIRED', 'Name who took the payment: recordedBy (or staffId).');
    // Well-formed but contradicting itself or the path: a conflict, not a malformed request.
    if (named !== undefined && input.staffId !== undefined && input.staffId !== named) throw new AppError(409, 'RECORDED_BY_CONFLICT', 'recordedBy and staffId name different people.');
    if (input.bookingId !== undefined && input.bookingId !== id.data) throw new AppError(409, 'BOOKING_ID_MISMATCH', 'bookingId, when sent, is the hold paid for (the path\'s holdId).');
    const command: ConfirmOfflineCommand = { method: input.method, amount: input.amount, recordedBy, ...(input.reference ? { reference: input.reference } : {}) };
    const result = await invokeActor<ConfirmOfflineResult>(deps.sidecar, ACTOR_TYPES.hold, id.data, 'confirmOffline', command);
    if (result.confirmed) {
      const { payment } = result;
      return void res.status(result.duplicate ? 200 : 201).json({
        ...result.booking,
        payment: { paymentId: payment.paymentId, method: payment.method, amount: payment.amount, currency: payment.currency, recordedBy: payment.recordedBy, reference: payment.reference ?? null, status: 'RECORDED', recordedAt: payment.recordedAt },
        ...(result.duplicate ? { duplicate: true } : {}),
      });
    }
    const [status, detail] = FAILURES[result.reason];
    const extensions = result.reason === 'AMOUNT_MISMATCH' ? { expected: result.expected, currency: result.currency } : {};
    throw new AppError(status, result.reason, result.detail ? `${detail} (${result.detail})` : detail, extensions);
  });
  return router;
}
