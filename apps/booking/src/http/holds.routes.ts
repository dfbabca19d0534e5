/** Seat holds: placed, read and released through their HoldActor. */
import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { ACTOR_TYPES, AppError, CUSTOMER_HEADER, invokeActor, requireSameCustomer, type SidecarSettings } from '@holdfast/shared';
import { confirmSchema, holdIdForKey, idempotencyKeySchema, placeHoldSchema, type ConfirmHoldCommand, type PlaceHoldCommand } from '../domain/hold-commands';
import type { ConfirmHoldResult, EndHoldResult } from '../actors/hold.actor';
import { placeHold, type PlaceHoldResult, type PlacementDeps } from '../placement/place-hold';
import type { HoldRecord } from '../data/holds.repository';
import { parseShowId } from './shows.routes';

export { confirmSchema, placeHoldSchema } from '../domain/hold-commands';

const holdIdSchema = z.string().uuid({ message: 'holdId must be a UUID' });

/** How long a placement may take to commit; after it, it commits nothing (see the route). */
export const PLACE_DEADLINE_MS = 20_000;

const CONFIRM_FAILURES: Record<Exclude<ConfirmHoldResult, { confirmed: true }>['reason'], [number, string]> = {
  HOLD_NOT_FOUND: [404, 'No such hold.'],
  // Seed 004's words ("Hold has expired. Please create a new booking."); its seats are released.
  HOLD_EXPIRED: [410, 'Hold has expired. Please create a new booking.'],
  HOLD_NOT_ACTIVE: [409, 'The hold is no longer active.'],
  HOLD_ALREADY_CONFIRMED: [409, 'The hold was confirmed by another request (another Idempotency-Key).'],
  HOLD_SNAPSHOT_INCOMPLETE: [422, 'The hold lacks what confirmation checks.'],
  POLICY_CHANGED: [409, 'The show\'s pricing or seating policy changed since the hold was made.'],
  PAYMENT_DECLINED: [402, 'The payment was declined; the hold stays active until it expires.'],
  PAYMENT_REJECTED: [422, 'The payment provider rejected the request.'],
  PAYMENT_UNAVAILABLE: [503, 'The payment provider did not answer; retry with the same Idempotency-Key.'],
  SHOW_CANCELLED: [409, 'The show was cancelled; nothing was charged (a payment taken meanwhile is refunded).'],
  UNKNOWN_SKU: [400, 'No such concession.'],
  INVALID_COMMAND: [400, 'The confirmation is not valid.'],
};

const PLACE_FAILURES: Record<Exclude<PlaceHoldResult, { placed: true }>['reason'], [number, string]> = {
  SEAT_UNAVAILABLE: [409, 'Some of the seats are held or sold.'],
  UNKNOWN_SEATS: [400, 'Some of the seats do not exist in this show.'],
  SHOW_NOT_FOUND: [404, 'No such show.'],
  SHOW_CANCELLED: [409, 'The show is cancelled.'],
  HOLD_EXISTS: [409, 'This Idempotency-Key was used for another hold (other seats or customer).'],
  TOO_MANY_SEATS: [400, 'Too many seats for one hold.'],
  PLACEMENT_TIMED_OUT: [503, 'The hold could not be placed in time; no seats are held. Retry.'],
  CUSTOMER_HOLD_LIMIT: [409, 'This customer already holds as many seats of this show as one customer may; confirm or release a hold first.'],
  INVALID_COMMAND: [400, 'The hold request is not valid.'],
};

export function view(hold: HoldRecord) {
  return { holdId: hold.holdId, showId: hold.showId, status: hold.status, seatIds: hold.seatIds, expiresAt: hold.expiresAt, policyVersion: hold.policyVersion, customerId: hold.customerId };
}

export function holdsRouter(deps: { sidecar: SidecarSettings; logger?: { warn(obj: object, msg: string): void }; placement: PlacementDeps }): Router {
  const router = Router();
  const holdActor = <T>(holdId: string, method: string, body?: unknown) => invokeActor<T>(deps.sidecar, ACTOR_TYPES.hold, holdId, method, body);
  /** When the client names its customer (X-Customer-Id), another customer's hold does not exist for it. */
  const requireOwnHold = async (req: Request, holdId: string) => {
    if (req.header(CUSTOMER_HEADER) === undefined) return;
    const hold = await holdActor<HoldRecord | null>(holdId, 'get');
    const notFound = new AppError(404, 'HOLD_NOT_FOUND', `No hold ${holdId}.`);
    if (!hold) throw notFound;
    requireSameCustomer(req, hold.customerId, notFound);
  };
  const parseHoldId = (raw: string) => {
    const id = holdIdSchema.safeParse(raw);
    if (!id.success) throw new AppError(400, 'INVALID_HOLD_ID', 'A hold id is a UUID.');
    return id.data;
  };

  // Placed here, without the HoldActor (placement/place-hold.ts): the show, its policy and the seats' facts are read there; the route passes intents.
  router.post('/api/shows/:showId/holds', async (req, res) => {
    const input = placeHoldSchema.parse(req.body);
    const showId = parseShowId(req.params.showId);
    const key = req.header('idempotency-key');
    if (key !== undefined && !idempotencyKeySchema.safeParse(key).success) throw new AppError(400, 'INVALID_IDEMPOTENCY_KEY', 'An Idempotency-Key is 8 to 200 characters.');
    // With a key, a retry names the same hold and gets the hold its first try made.
    const holdId = key === undefined ? randomUUID() : holdIdForKey(showId, input.customerId, key);
    // Nothing commits after this: what the client is told failed did not happen.
    const command: PlaceHoldCommand = { ...input, showId, placeBy: new Date(Date.now() + PLACE_DEADLINE_MS).toISOString() };
    let result: PlaceHoldResult;
    try {
      result = await placeHold(deps.placement, holdId, command, { retry: key !== undefined });
    } catch (error) {
      deps.logger?.warn({ err: error, holdId, showId }, 'placing a hold failed');
      // All or nothing for the client: a placement whose answer was lost (the database's, under
      // load) may still have recorded the hold. Without a key nobody can find that hold again, so
      // it is released; with a key the client's retry gets it back. Left alone, it expires.
      if (key === undefined) {
        await holdActor<EndHoldResult>(holdId, 'release').catch((releaseError: unknown) => deps.logger?.warn({ err: releaseError, holdId }, 'releasing a failed placement failed; it expires'));
      }
      throw new AppError(503, 'HOLD_UNAVAILABLE', key === undefined
        ? 'The hold could not be placed; no seats are held. Retry.'
        : 'The hold could not be placed in time; retry with the same Idempotency-Key.');
    }
    if (!result.placed) {
      if (result.reason === 'PLACEMENT_TIMED_OUT') throw new AppError(503, 'HOLD_UNAVAILABLE', PLACE_FAILURES.PLACEMENT_TIMED_OUT[1]);
      const [status, detail] = PLACE_FAILURES[result.reason];
      const extensions = { ...(result.seatIds.length ? { seatIds: result.seatIds } : {}), ...(result.maxSeatsPerHold ? { maxSeatsPerHold: result.maxSeatsPerHold } : {}), ...(result.maxHeldSeats ? { maxHeldSeats: result.maxHeldSeats } : {}) };
      const why = result.seatIds.length ? ` (${result.seatIds.join(', ')})` : result.detail ? ` (${result.detail})` : result.maxSeatsPerHold ? ` (at most ${result.maxSeatsPerHold})` : '';
      throw new AppError(status, result.reason, `${detail}${why}`, extensions);
    }
    res.status(201).json(view(result.hold));
  });

  router.post('/api/holds/:holdId/confirm', async (req, res) => {
    const holdId = parseHoldId(req.params.holdId);
    // Seed 004: without an Idempotency-Key the hold itself is the key (one booking per hold either way).
    const header = req.header('idempotency-key');
    const idempotencyKey = idempotencyKeySchema.safeParse(header ?? holdId);
    if (!idempotencyKey.success) throw new AppError(400, 'INVALID_IDEMPOTENCY_KEY', 'An Idempotency-Key is 8 to 200 characters.');
    const input = confirmSchema.parse(req.body);
    await requireOwnHold(req, holdId);
    const command: ConfirmHoldCommand = { idempotencyKey: idempotencyKey.data, paymentToken: input.payment.token, concessions: input.concessions };
    const result = await holdActor<ConfirmHoldResult>(holdId, 'confirm', command);
    // A replay of the confirmation that made the booking (same key) gets its 201 again; any other
    // request for a confirmed hold gets the existing booking with 200 (seed 004), never a second charge.
    if (result.confirmed) return void res.status(result.existing ? 200 : 201).json(result.booking);
    const [status, detail] = CONFIRM_FAILURES[result.reason];
    throw new AppError(status, result.reason, result.detail ? `${detail} (${result.detail})` : detail, result.skus ? { skus: result.skus } : {});
  });

  router.get('/api/holds/:holdId', async (req, res) => {
    const hold = await holdActor<HoldRecord | null>(parseHoldId(req.params.holdId), 'get');
    if (!hold) throw new AppError(404, 'HOLD_NOT_FOUND', `No hold ${req.params.holdId}.`);
    res.json(view(hold));
  });

  router.delete('/api/holds/:holdId', async (req, res) => {
    const holdId = parseHoldId(req.params.holdId);
    await requireOwnHold(req, holdId);
    const result = await holdActor<EndHoldResult>(holdId, 'release');
    if (result.ended) return void res.json(view(result.hold));
    if (result.reason === 'HOLD_NOT_FOUND') throw new AppError(404, 'HOLD_NOT_FOUND', `No hold ${req.params.holdId}.`);
    throw new AppError(409, 'HOLD_NOT_ACTIVE', `The hold is ${result.hold?.status}.`, { holdStatus: result.hold?.status });
  });

  return router;
}
