/**
 * HoldExpiryActor (one per show): its sweep reminders expire the show's holds (domain/hold-expiry.ts).
 * The ShowActor registers one per second of expiry instants as it grants seats; each firing, due at
 * the end of its second, expires every hold of the show then due, and the reminder stays (firing
 * again every 5 s) until a firing finds nothing left to do, 5 s or more after that second. The
 * holds themselves are expired by their HoldActors, whose turns also confirm and release them:
 * exactly one of the three wins.
 *
 * What is due comes from two places: the ShowActor's takings (every hold it holds seats for, with
 * its expiry, including a placement that died before its row was recorded) and PostgreSQL (active
 * holds due, for a hold whose ShowActor activation was lost between its grant and its row).
 */
import { AbstractActor } from '@dapr/dapr';
import type { Logger } from 'pino';
import { ACTOR_TYPES, invokeActor, unregisterActorReminder, type SidecarSettings } from '@holdfast/shared';
import { afterExpire, bucketOfReminder, SWEEP_BATCH, sweepMayEnd, type DueHold, type ExpireOutcome } from '../domain/hold-expiry';
import type { HoldsRepository } from '../data/holds.repository';

/**
 * How many HoldActors one sweep expires at once. Expiring is CPU-bound on our 2-core machine (about
 * 150 holds/s: the HoldActor's turn, its row, the ShowActor's release), so more only queues more.
 */
const SWEEP_PARALLELISM = 16;

/** The sweep reminder's own name from its data (JSON text, as registered, or base64 of it). */
function reminderNameOf(data: unknown): string | undefined {
  for (const candidate of typeof data === 'string' ? [data, Buffer.from(data, 'base64').toString('utf8')] : [data]) {
    try {
      const parsed = (typeof candidate === 'string' ? JSON.parse(candidate) : candidate) as { reminder?: unknown };
      if (typeof parsed?.reminder === 'string' && bucketOfReminder(parsed.reminder) !== undefined) return parsed.reminder;
    } catch {
      // not this encoding
    }
  }
  return undefined;
}

export function createHoldExpiryActor(deps: { holds: Pick<HoldsRepository, 'dueActive'>; sidecar: SidecarSettings; logger: Logger; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return class HoldExpiryActor extends AbstractActor {
    override async receiveReminder(data: unknown): Promise<void> {
      const showId = this.getActorId().getId();
      const reminder = reminderNameOf(data);
      // A throw would only make Dapr retry blindly: the reminder's period is the retry.
      try {
        const { settled, dueBy } = await this.sweep(showId);
        // Not at the firing due at the end of its second: a grant for that second may still be on
        // its way (domain/hold-expiry.ts, SWEEP_PERIOD_SECONDS); the next firing checks again.
        // Judged by when this sweep listed what was due, not when it ended: a hold due in between
        // (a slow sweep, a scheduler clock ahead of ours) was not listed, and its second's
        // reminder must stay for it.
        const bucketEnd = reminder === undefined ? undefined : bucketOfReminder(reminder);
        if (settled && reminder !== undefined && bucketEnd !== undefined && sweepMayEnd(bucketEnd, dueBy)) {
          await unregisterActorReminder(deps.sidecar, ACTOR_TYPES.holdExpiry, showId, reminder);
        }
      } catch (error) {
        deps.logger.error({ err: error, showId, reminder }, 'hold expiry sweep failed; retrying');
      }
    }

    /** Expires every hold of the show due by `dueBy` (now); `settled` when nothing of them is left for another firing. */
    private async sweep(showId: string): Promise<{ settled: boolean; dueBy: number }> {
      const dueBy = now();
      const [{ holds: held }, recorded] = await Promise.all([
        invokeActor<{ holds: DueHold[] }>(deps.sidecar, ACTOR_TYPES.show, showId, 'dueHolds', { dueBy: new Date(dueBy).toISOString() }),
        deps.holds.dueActive(showId, SWEEP_BATCH),
      ]);
      const heldById = new Map(held.map((hold) => [hold.holdId, hold]));
      const holdIds = [...new Set([...held.map((hold) => hold.holdId), ...recorded])].slice(0, SWEEP_BATCH);
      let settled = holdIds.length < SWEEP_BATCH && recorded.length < SWEEP_BATCH;
      let next = 0;
      const worker = async () => {
        while (next < holdIds.length) {
          const holdId = holdIds[next++]!;
          try {
            if (!(await this.expireOne(showId, holdId, heldById.get(holdId)))) settled = false;
          } catch (error) {
            settled = false;
            deps.logger.error({ err: error, showId, holdId }, 'hold expiry failed; retrying');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(SWEEP_PARALLELISM, holdIds.length) }, worker));
      deps.logger.debug({ showId, due: holdIds.length, settled, ms: now() - dueBy }, 'hold expiry sweep');
      return { settled, dueBy };
    }

    /** One due hold: its HoldActor expires it, then its seats at the ShowActor are settled if they need to be. True when done with it. */
    private async expireOne(showId: string, holdId: string, held: DueHold | undefined): Promise<boolean> {
      const { outcome } = await invokeActor<{ outcome: ExpireOutcome }>(deps.sidecar, ACTOR_TYPES.hold, holdId, 'expire');
      const step = afterExpire(outcome, held, now());
      if (step === 'retry') return false;
      if (step === 'release') {
        const { released } = await invokeActor<{ released: string[] }>(deps.sidecar, ACTOR_TYPES.show, showId, 'release', { holdId, seatIds: held!.seatIds });
        if (released.length > 0 && outcome === 'NOT_FOUND') deps.logger.warn({ holdId, showId, released }, 'seats of a placement that was never recorded given back by its show\'s sweep');
      }
      if (step === 'sell') await invokeActor(deps.sidecar, ACTOR_TYPES.show, showId, 'markSold', { holdId, seatIds: held!.seatIds });
      return true;
    }
  };
}
