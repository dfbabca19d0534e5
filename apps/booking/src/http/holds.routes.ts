/** Seat holds: placed, read and released through their HoldActor. */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { ACTOR_TYPES, AppError, invokeActor, type SidecarSettings } from '@holdfast/shared';
import { DEFAULT_HOLD_TTL_SECONDS, MAX_HOLD_TTL_SECONDS, MIN_HOLD_TTL_SECONDS } from '../domain/hold';
import { policySchema } from '../domain/policy';
import type { ConfirmHoldCommand, ConfirmHoldResult, EndHoldResult, PlaceHoldCommand, PlaceHoldResult } from '../actors/hold.actor';
import type { HoldRecord } from '../data/holds.repository';
import type { ShowsRepository } from '../data/shows.repository';
import type { BookingsRepository } from '../data/bookings.repository';
import { prepStartsAt, priceConcessions } from '../domain/concessions';
import { requireShow, requireShowForHold } from './shows.routes';

export const placeHoldSchema = z.object({
  seatIds: z.array(z.string().min(1).max(64)).min(1).max(50).refine((ids) => new Set(ids).size === ids.length, 'seatIds must not repeat'),
  customerId: z.string().trim().min(1).max(100),
  customerEmail: z.string().email(),
  customerPhone: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'an E.164 phone number such as +4915112345678').optional(),
  ttlSeconds: z.number().int().min(MIN_HOLD_TTL_SECONDS).max(MAX_HOLD_TTL_SECONDS).default(DEFAULT_HOLD_TTL_SECONDS),
}).strict();

const holdIdSchema = z.string().uuid({ message: 'holdId must be a UUID' });
const idempotencyKeySchema = z.string().min(8).max(200);

export const confirmSchema = z.object({
  payment: z.object({ token: z.string().min(1).max(200) }).strict(),
  concessions: z.array(z.object({ sku: z.string().min(1).max(64), quantity: z.number().int().min(1).max(20) }).strict()).max(20).default([]),
}).strict();

const CONFIRM_FAILURES: Record<Exclude<ConfirmHoldResult, { confirmed: true }>['reason'], [number, string]> = {
  HOLD_NOT_FOUND: [404, 'No such hold.'],
  HOLD_EXPIRED: [410, 'The hold has expired; its seats are released.'],
  HOLD_NOT_ACTIVE: [409, 'The hold is no longer active.'],
  HOLD_ALREADY_CONFIRMED: [409, 'The hold was confirmed by another request (another Idempotency-Key).'],
  HOLD_SNAPSHOT_INCOMPLETE: [422, 'The hold lacks what confirmation checks.'],
  POLICY_CHANGED: [409, 'The show\'s pricing or seating policy changed since the hold was made.'],
  PAYMENT_DECLINED: [402, 'The payment was declined; the hold stays active until it expires.'],
  PAYMENT_REJECTED: [422, 'The payment provider rejected the request.'],
  PAYMENT_UNAVAILABLE: [503, 'The payment provider did not answer; retry with the same Idempotency-Key.'],
  SHOW_CANCELLED: [409, 'The show was cancelled; nothing was charged (a payment taken meanwhile is refunded).'],
};

const PLACE_FAILURES: Record<Exclude<PlaceHoldResult, { placed: true }>['reason'], [number, string]> = {
  SEAT_UNAVAILABLE: [409, 'Some of the seats are held or sold.'],
  UNKNOWN_SEATS: [400, 'Some of the seats do not exist in this show.'],
  SHOW_NOT_FOUND: [404, 'No such show.'],
  SHOW_CANCELLED: [409, 'The show is cancelled.'],
  HOLD_EXISTS: [409, 'A hold with this id exists.'],
};

export function view(hold: HoldRecord) {
  return { holdId: hold.holdId, showId: hold.showId, status: hold.status, seatIds: hold.seatIds, expiresAt: hold.expiresAt, policyVersion: hold.policyVersion, customerId: hold.customerId };
}

export function holdsRouter(deps: { shows: ShowsRepository; bookings: BookingsRepository; sidecar: SidecarSettings }): Router {
  const router = Router();
  const holdActor = <T>(holdId: string, method: string, body?: unknown) => invokeActor<T>(deps.sidecar, ACTOR_TYPES.hold, holdId, method, body);
  const parseHoldId = (raw: string) => {
    const id = holdIdSchema.safeParse(raw);
    if (!id.success) throw new AppError(400, 'INVALID_HOLD_ID', 'A hold id is a UUID.');
    return id.data;
  };

  router.post('/api/shows/:showId/holds', async (req, res) => {
    const input = placeHoldSchema.parse(req.body);
    const show = await requireShowForHold(deps.shows, req.params.showId);
    if (show.status === 'CANCELLED') throw new AppError(409, 'SHOW_CANCELLED', 'The show is cancelled.');
    const policy = policySchema.parse(show.policy);
    if (input.seatIds.length > policy.maxSeatsPerHold) {
      throw new AppError(400, 'TOO_MANY_SEATS', `A hold may take at most ${policy.maxSeatsPerHold} seats.`, { maxSeatsPerHold: policy.maxSeatsPerHold });
    }
    const seats = await deps.shows.seatsById(show.venueId, input.seatIds);
    const command: PlaceHoldCommand = {
      ...input, showId: show.id, policyVersion: show.policyVersion, policyHash: show.policyHash,
      seats: seats.map((s) => ({ id: s.id, zone: s.zone, adjacentIds: s.adjacentIds })),
    };
    const result = await holdActor<PlaceHoldResult>(randomUUID(), 'place', command);
    if (!result.placed) {
      const [status, detail] = PLACE_FAILURES[result.reason];
      throw new AppError(status, result.reason, result.seatIds.length ? `${detail} (${result.seatIds.join(', ')})` : detail, result.seatIds.length ? { seatIds: result.seatIds } : {});
    }
    res.status(201).json(view(result.hold));
  });

  router.post('/api/holds/:holdId/confirm', async (req, res) => {
    const holdId = parseHoldId(req.params.holdId);
    const idempotencyKey = idempotencyKeySchema.safeParse(req.header('idempotency-key'));
    if (!idempotencyKey.success) throw new AppError(400, 'IDEMPOTENCY_KEY_REQUIRED', 'Send an Idempotency-Key header (8 to 200 characters).');
    const input = confirmSchema.parse(req.body);
    const hold = await holdActor<HoldRecord | null>(holdId, 'get');
    if (!hold) throw new AppError(404, 'HOLD_NOT_FOUND', `No hold ${holdId}.`);
    const show = await requireShow(deps.shows, hold.showId);
    if (show.status === 'CANCELLED' && hold.status !== 'CONFIRMED') throw new AppError(409, 'SHOW_CANCELLED', CONFIRM_FAILURES.SHOW_CANCELLED[1]);
    const seats = (await deps.shows.seatsById(show.venueId, hold.seatIds)).map((s) => ({ id: s.id, zone: s.zone, adjacentIds: s.adjacentIds }));
    let concessions: ConfirmHoldCommand['concessions'];
    if (input.concessions.length > 0) {
      const priced = priceConcessions(input.concessions, await deps.bookings.concessionCatalogue());
      if (!priced.ok) throw new AppError(400, 'UNKNOWN_SKU', `No such concession: ${priced.unknownSkus.join(', ')}`, { skus: priced.unknownSkus });
      concessions = { ...priced.value, prepAt: prepStartsAt(show.startsAt, show.prepLeadMinutes ?? show.venue.prepLeadMinutes).toISOString() };
    }
    const command: ConfirmHoldCommand = {
      idempotencyKey: idempotencyKey.data, paymentToken: input.payment.token, policy: policySchema.parse(show.policy),
      policyVersion: show.policyVersion, policyHash: show.policyHash, seats, concessions,
    };
    const result = await holdActor<ConfirmHoldResult>(holdId, 'confirm', command);
    if (result.confirmed) return void res.status(201).json(result.booking);
    const [status, detail] = CONFIRM_FAILURES[result.reason];
    throw new AppError(status, result.reason, result.detail ? `${detail} (${result.detail})` : detail);
  });

  router.get('/api/holds/:holdId', async (req, res) => {
    const hold = await holdActor<HoldRecord | null>(parseHoldId(req.params.holdId), 'get');
    if (!hold) throw new AppError(404, 'HOLD_NOT_FOUND', `No hold ${req.params.holdId}.`);
    res.json(view(hold));
  });

  router.delete('/api/holds/:holdId', async (req, res) => {
    const result = await holdActor<EndHoldResult>(parseHoldId(req.params.holdId), 'release');
    if (result.ended) return void res.json(view(result.hold));
    if (result.reason === 'HOLD_NOT_FOUND') throw new AppError(404, 'HOLD_NOT_FOUND', `No hold ${req.params.holdId}.`);
    throw new AppError(409, 'HOLD_NOT_ACTIVE', `The hold is ${result.hold?.status}.`, { holdStatus: result.hold?.status });
  });

  return router;
}
