/**
 * Hold expiry by sweep (issue 15): the holds of one show that expire within the same second share one
 * actor reminder, `sweep-<bucket end>` on the show's HoldExpiryActor, instead of one reminder each.
 * A reminder costs the scheduler a job created, triggered and deleted (about 3 CPU ms per hold
 * placed, and a confirmation's delete another 2): in a ticket drop a show's holds of one second
 * now pay for one. Pure rules here; the actors (show.actor.ts, hold-expiry.actor.ts) run them.
 */
import type { ShowSeats } from './seat-allocation';

/** How many milliseconds of expiry instants one sweep reminder covers: a hold expires at most this much after its expiresAt, plus the scheduler's delay. */
export const SWEEP_BUCKET_MS = 1_000;
/** What a hold's row names as its expiry reminder when the sweep of its show expires it (no reminder of its own to remove). */
export const SWEEP_EXPIRY = 'sweep';
/**
 * How long after its expiry the seats of a placement nothing recorded go back. A placement may
 * insert its row until its expiry (placeBy is at most expiresAt, by PostgreSQL's clock): the
 * seats of a hold still absent this long after are not about to be recorded.
 */
export const UNRECORDED_GRACE_MS = 5_000;
/** At most this many holds are expired by one sweep firing; the reminder's period brings the rest. */
export const SWEEP_BATCH = 200;
/**
 * A sweep reminder's period after its due time: the next firing retries what failed and checks
 * that nothing of its second is left. It goes at the first firing with nothing left this long
 * after its second ended (`sweepMayEnd`): a grant for that second on a replica whose clock runs
 * behind, or a placement's row, may still land until then.
 */
export const SWEEP_PERIOD_SECONDS = 5;

/** Whether a firing that left nothing to do may remove its reminder. */
export function sweepMayEnd(bucketEndMs: number, nowMs: number): boolean {
  return nowMs >= bucketEndMs + SWEEP_PERIOD_SECONDS * 1000;
}

/** The end of the bucket an expiry instant falls in: the sweep reminder's due time (never before the expiry). */
export function sweepBucketEnd(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / SWEEP_BUCKET_MS) * SWEEP_BUCKET_MS;
}

export function sweepReminderName(bucketEndMs: number): string {
  return `sweep-${bucketEndMs}`;
}

/** The bucket end a sweep reminder's name carries (undefined for any other name). */
export function bucketOfReminder(name: string): number | undefined {
  const match = /^sweep-(\d{1,15})$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** A hold the ShowActor still holds seats for, due to expire. */
export interface DueHold {
  holdId: string;
  seatIds: string[];
  expiresAt: string;
}

/**
 * The holds with seats still HELD whose expiry is at or before `dueBy`, from the ShowActor's
 * takings and the expiries it was told at grant (or read at activation). Expiries of holds that
 * hold nothing any more (confirmed, released) are dropped from `expiries`.
 */
export function dueHolds(seats: ShowSeats, expiries: Map<string, number>, dueBy: number): DueHold[] {
  const held = new Map<string, string[]>();
  for (const [seatId, taking] of Object.entries(seats)) {
    if (taking.kind !== 'HELD') continue;
    const list = held.get(taking.holdId);
    if (list) list.push(seatId);
    else held.set(taking.holdId, [seatId]);
  }
  const due: DueHold[] = [];
  for (const [holdId, expiresAt] of expiries) {
    const seatIds = held.get(holdId);
    if (!seatIds) {
      expiries.delete(holdId);
      continue;
    }
    if (expiresAt <= dueBy) due.push({ holdId, seatIds: seatIds.sort(), expiresAt: new Date(expiresAt).toISOString() });
  }
  return due;
}

/** What the HoldActor answered a sweep's `expire`: it expired the hold now, or the hold had ended otherwise (confirmed; released or expired before), is not due by its clock, or does not exist. */
export type ExpireOutcome = 'EXPIRED' | 'CONFIRMED' | 'ENDED' | 'NOT_DUE' | 'NOT_FOUND';

/**
 * What a sweep does about one hold after asking its HoldActor to expire it: `release` or `sell` the
 * seats the ShowActor still holds for it (an ended hold whose ShowActor call did not land, or a
 * placement never recorded, past the grace), nothing, or `retry` at the reminder's next firing
 * (not due yet, or possibly still being recorded). `held` is the ShowActor's entry for the hold,
 * when it held seats for it as the sweep began. Both ShowActor calls are idempotent.
 */
export function afterExpire(outcome: ExpireOutcome, held: DueHold | undefined, nowMs: number): 'done' | 'release' | 'sell' | 'retry' {
  switch (outcome) {
    case 'EXPIRED':
      return 'done';
    case 'NOT_DUE':
      return 'retry';
    case 'CONFIRMED':
      return held ? 'sell' : 'done';
    case 'ENDED':
      return held ? 'release' : 'done';
    case 'NOT_FOUND':
      if (!held) return 'done';
      return nowMs >= Date.parse(held.expiresAt) + UNRECORDED_GRACE_MS ? 'release' : 'retry';
  }
}
