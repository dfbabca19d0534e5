/**
 * Placing a hold, in the booking app's request (issue 15): the ShowActor decides the seats (one turn
 * at a time per show, so two holds asking for one seat are decided one after the other), PostgreSQL
 * records the hold (one round trip), and the sweep of its show expires it (domain/hold-expiry.ts:
 * one reminder per show and second of expiry, which the ShowActor registers before it grants). The
 * HoldActor itself is not called: its state was a second copy of the row, and its activation,
 * state read, state write and deactivation were half of a hold's sidecar exchanges. It reads the
 * row when it is next asked (confirm, release, the expiry).
 *
 * Holds placed before the sweep have a reminder of their own (`expire-<random>` or `expire`, named
 * in the row), which their HoldActor still honours. Only the caller's intents are taken; the
 * policy, the seats' zones and neighbours and the price are read here from the system of record.
 */
import type { Logger } from 'pino';
import { ACTOR_TYPES, currentCorrelationId, invokeActor, type SidecarSettings } from '@holdfast/shared';
import { buildSnapshot, seatFactsOf } from '../domain/hold';
import { priceSeats } from '../domain/pricing';
import { policySchema } from '../domain/policy';
import { placeHoldCommandSchema, samePlacement, type PlaceHoldCommand } from '../domain/hold-commands';
import { SWEEP_EXPIRY } from '../domain/hold-expiry';
import type { ShowsRepository } from '../data/shows.repository';
import { SeatAlreadyClaimedError, type HoldRecord, type HoldsRepository } from '../data/holds.repository';
import type { ShowGrant } from '../actors/show.actor';

export type PlaceHoldResult =
  | { placed: true; hold: HoldRecord }
  | { placed: false; reason: 'SEAT_UNAVAILABLE' | 'UNKNOWN_SEATS' | 'SHOW_NOT_FOUND' | 'SHOW_CANCELLED' | 'HOLD_EXISTS' | 'TOO_MANY_SEATS' | 'CUSTOMER_HOLD_LIMIT' | 'PLACEMENT_TIMED_OUT' | 'INVALID_COMMAND'; seatIds: string[]; detail?: string; maxSeatsPerHold?: number; maxHeldSeats?: number };

export interface PlacementDeps {
  shows: Pick<ShowsRepository, 'findForHold' | 'seatsById'>;
  holds: Pick<HoldsRepository, 'place' | 'findRecord'>;
  sidecar: SidecarSettings;
  logger: Logger;
  /** The most seats one customer may hold at once (active holds) on one show. */
  maxHeldSeatsPerCustomer?: number;
  now?: () => number;
}

/** The name of the reminders of holds placed before each placement named its own (HoldActor still expires those). */
export const LEGACY_EXPIRE_REMINDER = 'expire';

/** The earlier of a caller's deadline (ISO 8601, optional) and an instant. */
function earliest(deadline: string | undefined, instant: Date): string {
  return deadline !== undefined && Date.parse(deadline) < instant.getTime() ? deadline : instant.toISOString();
}

/**
 * `retry`: the id may have a hold already (it was derived from an Idempotency-Key, or a caller named
 * the actor): the row is read first, and a hold found is the answer. A fresh random id skips that read.
 */
export async function placeHold(deps: PlacementDeps, holdId: string, raw: PlaceHoldCommand, options: { retry: boolean }): Promise<PlaceHoldResult> {
  const now = deps.now ?? Date.now;
  const parsed = placeHoldCommandSchema.safeParse(raw);
  if (!parsed.success) return { placed: false, reason: 'INVALID_COMMAND', seatIds: [], detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const command = parsed.data;
  const showActor = <T>(method: string, body: unknown) => invokeActor<T>(deps.sidecar, ACTOR_TYPES.show, command.showId, method, body);

  if (options.retry) {
    const recorded = await deps.holds.findRecord(holdId);
    if (recorded) return samePlacement(recorded, command) ? { placed: true, hold: recorded } : { placed: false, reason: 'HOLD_EXISTS', seatIds: [] };
  }

  const show = await deps.shows.findForHold(command.showId);
  if (!show) return { placed: false, reason: 'SHOW_NOT_FOUND', seatIds: [] };
  if (show.status === 'CANCELLED') return { placed: false, reason: 'SHOW_CANCELLED', seatIds: [] };
  const policy = policySchema.parse(show.policy);
  if (command.seatIds.length > policy.maxSeatsPerHold) return { placed: false, reason: 'TOO_MANY_SEATS', seatIds: [], maxSeatsPerHold: policy.maxSeatsPerHold };
  const seats = seatFactsOf(await deps.shows.seatsById(show.venueId, command.seatIds));
  // Seats the show does not have are refused before anything else: a seat id becomes part of the ShowActor's keys.
  const found = new Set(seats.map((s) => s.id));
  const unknown = command.seatIds.filter((id) => !found.has(id));
  if (unknown.length > 0) return { placed: false, reason: 'UNKNOWN_SEATS', seatIds: unknown };

  // The ShowActor makes sure its show's sweep reminder for this expiry is registered before it
  // grants the seats: if this process dies after the grant, the sweep still frees them at expiry.
  const createdAt = now();
  const expiresAt = new Date(createdAt + command.ttlSeconds * 1000);

  /** An earlier attempt under this id recorded a hold: it is the answer (a retry), or HOLD_EXISTS; seats granted to this attempt beyond it go back. */
  const answerRecorded = async (recorded: HoldRecord): Promise<PlaceHoldResult> => {
    const kept = recorded.status === 'ACTIVE' ? new Set(recorded.seatIds) : new Set<string>();
    const extra = command.seatIds.filter((id) => !kept.has(id));
    if (extra.length > 0) await showActor('release', { holdId, seatIds: extra });
    return samePlacement(recorded, command) ? { placed: true, hold: recorded } : { placed: false, reason: 'HOLD_EXISTS', seatIds: [] };
  };

  const grant = await showActor<ShowGrant>('grant', { holdId, seatIds: command.seatIds, expiresAt: expiresAt.toISOString() });
  if (!grant.granted) {
    // Refused seats may still be this id's hold from an earlier attempt, since ended (a late retry).
    const recorded = grant.reason === 'SEAT_UNAVAILABLE' ? await deps.holds.findRecord(holdId) : undefined;
    if (recorded) return answerRecorded(recorded);
    return { placed: false, reason: grant.reason, seatIds: grant.seatIds };
  }
  const quoted = priceSeats(policy, seats);
  const hold: HoldRecord & { expiryReminder: string } = {
    holdId, showId: command.showId, customerId: command.customerId, customerEmail: command.customerEmail,
    ...(command.customerPhone ? { customerPhone: command.customerPhone } : {}), seatIds: [...command.seatIds].sort(), status: 'ACTIVE',
    policyVersion: show.policyVersion, snapshot: buildSnapshot(show.policyVersion, show.policyHash, seats),
    expiresAt: expiresAt.toISOString(), createdAt: new Date(createdAt).toISOString(),
    quote: { policy, amount: quoted.total, currency: quoted.currency }, expiryReminder: SWEEP_EXPIRY,
  };
  const giveBack = async () => {
    await showActor('release', { holdId, seatIds: command.seatIds });
  };
  let outcome;
  try {
    // Never recorded once expired (placeBy at most expiresAt): the sweep gives back the seats of a placement it found unrecorded after that.
    outcome = await deps.holds.place(hold, { correlationId: currentCorrelationId(), maxHeldSeatsPerCustomer: deps.maxHeldSeatsPerCustomer, placeBy: earliest(command.placeBy, expiresAt), show: { title: show.title, startsAt: show.startsAt } });
  } catch (error) {
    if (error instanceof SeatAlreadyClaimedError) {
      // The ShowActor granted a seat the database says is claimed: its activation was lost between
      // another grant and that claim's insert (show.actor.ts). The claims' key refused the second.
      deps.logger.error({ holdId, showId: command.showId }, 'the ShowActor granted a seat the database says is claimed');
      await giveBack();
      return { placed: false, reason: 'SEAT_UNAVAILABLE', seatIds: command.seatIds };
    }
    // The outcome is unknown (the answer lost): the hold may be recorded. If the database says it is
    // not, everything goes back; if it cannot say, the reminder gives the seats back at expiry.
    const recorded = await deps.holds.findRecord(holdId).catch(() => null);
    if (recorded) return { placed: true, hold: recorded };
    if (recorded === undefined) await giveBack().catch((giveBackError: unknown) => deps.logger.warn({ err: giveBackError, holdId }, 'giving back a failed placement failed; its reminder frees the seats'));
    throw error;
  }
  switch (outcome) {
    case 'INSERTED':
      return { placed: true, hold };
    case 'HOLD_ID_TAKEN': {
      const recorded = await deps.holds.findRecord(holdId);
      if (recorded) return answerRecorded(recorded);
      await giveBack();
      return { placed: false, reason: 'HOLD_EXISTS', seatIds: [] };
    }
    case 'TOO_LATE':
      // The caller gave up waiting (the route's deadline): no hold after all.
      await giveBack();
      return { placed: false, reason: 'PLACEMENT_TIMED_OUT', seatIds: [] };
    case 'SHOW_NOT_ON_SALE':
      // Cancelled after the ShowActor granted (its facts not refreshed yet).
      await giveBack();
      return { placed: false, reason: 'SHOW_CANCELLED', seatIds: [] };
    case 'CUSTOMER_SEAT_CAP':
      await giveBack();
      return { placed: false, reason: 'CUSTOMER_HOLD_LIMIT', seatIds: [], maxHeldSeats: deps.maxHeldSeatsPerCustomer };
  }
}
