/**
 * Dead letters re-processed on their own (seed 004: "every 15 minutes"), besides the manual
 * replay. A Dapr scheduler job (`dead-letter-reprocess`, `@every <interval>`) fires once per tick
 * for the app id, so ONE delivery replica runs each tick however many run: the scheduler hands
 * each trigger to one of the app's connected sidecars. The tick claims PENDING dead letters in one
 * transaction (SKIP LOCKED, so even overlapping ticks never share one), lets the pure policy
 * (domain/dead-letter-policy.ts) replay the transient ones, at most DEAD_LETTER_AUTO_REPLAY_MAX_ATTEMPTS
 * times each and while younger than DEAD_LETTER_AUTO_REPLAY_MAX_AGE_HOURS, and leaves the rest
 * for a person (MANUAL_REVIEW, with the reason, in GET /api/admin/dead-letters). A replay goes the
 * manual replay's way (replay.ts): the original event, its id and keys, so handlers stay idempotent.
 */
import type { Express } from 'express';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { goDuration, SchedulerJobs, serveJobs, type JobHandler, type SidecarSettings } from '@holdfast/shared';
import type { DeadLettersRepository } from './data/dead-letters.repository';
import type { Replayer } from './replay';
import type { AutoReplayRules } from './domain/dead-letter-policy';

export const DEAD_LETTER_REPROCESS_JOB = 'dead-letter-reprocess';

export interface ReprocessDeps {
  deadLetters: DeadLettersRepository;
  replayer: Replayer;
  rules: AutoReplayRules;
  batchSize: number;
  logger: Logger;
}

export function deadLetterReprocessor(deps: ReprocessDeps) {
  let ticks: Counter | undefined;
  let outcomes: Counter<'outcome'> | undefined;

  async function tick() {
    ticks?.inc();
    const { replay, manualReview } = await deps.deadLetters.claimForAutoReplay(deps.rules, deps.batchSize);
    let publishFailed = 0;
    for (const letter of replay) {
      try {
        await deps.replayer.publishClaimed(letter);
      } catch (error) {
        // publishClaimed put it back to PENDING: the next tick tries again (the attempt is counted).
        publishFailed++;
        deps.logger.warn({ err: error, deadLetterId: letter.id, topic: letter.topic }, 'automatic replay could not publish');
      }
    }
    for (const m of manualReview) deps.logger.warn({ deadLetterId: m.id, topic: m.topic, reason: m.reason }, 'dead letter left for manual review');
    const result = { replayed: replay.length - publishFailed, manualReview: manualReview.length, publishFailed };
    if (replay.length + manualReview.length > 0) deps.logger.info(result, 'dead letters reprocessed');
    outcomes?.inc({ outcome: 'replayed' }, result.replayed);
    outcomes?.inc({ outcome: 'manualReview' }, result.manualReview);
    outcomes?.inc({ outcome: 'publishFailed' }, result.publishFailed);
    return result;
  }

  const handler: JobHandler<unknown> = { name: DEAD_LETTER_REPROCESS_JOB, handle: async () => void (await tick()) };
  return {
    tick,
    /** POST /job/dead-letter-reprocess, the sidecar's delivery of each tick. */
    mount: (app: Express) => serveJobs(app, [handler], deps.logger),
    /** The ticks this replica ran (summed over replicas: one per scheduled tick) and what they did. */
    registerMetrics(registers: Registry[]) {
      ticks = new Counter({ name: 'holdfast_dead_letter_reprocess_ticks_total', help: 'Ticks of the dead-letter reprocessing job this replica ran', registers });
      outcomes = new Counter({ name: 'holdfast_dead_letter_auto_replays_total', help: 'Dead letters the reprocessing job replayed, left for manual review, or could not publish', labelNames: ['outcome'], registers });
    },
  };
}

/**
 * Schedules the recurring job at start (every replica does; interval 0 deletes it). A job already
 * there with the same schedule is left alone: overwriting it would restart its period, and
 * deploys more often than the interval would then postpone the tick for ever. A failed tick is
 * dropped: the next one comes anyway.
 */
export async function scheduleDeadLetterReprocess(sidecar: SidecarSettings, intervalSeconds: number): Promise<void> {
  const jobs = new SchedulerJobs(sidecar);
  if (intervalSeconds === 0) return jobs.delete(DEAD_LETTER_REPROCESS_JOB);
  const schedule = `@every ${goDuration(intervalSeconds * 1000)}`;
  const existing = await jobs.get(DEAD_LETTER_REPROCESS_JOB);
  if (existing && existing.schedule === schedule) return;
  await jobs.schedule({
    name: DEAD_LETTER_REPROCESS_JOB, schedule, data: { kind: 'dead-letter-reprocess' },
    failurePolicy: { drop: {} },
  });
}
