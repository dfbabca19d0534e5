/**
 * The safety net of a booking's cancellation (issue 19 review): the decision (CANCELLING and its
 * booking_cancellations row) is committed first, then the saga is started. A crash or a sidecar error
 * between the two left the booking CANCELLING with no saga, refunded by no one unless the caller asked
 * again. So before the decision's transaction the route schedules a one-shot Dapr scheduler job
 * `cancellation-<bookingId>` (due after CANCELLATION_SAGA_CHECK_SECONDS, retried by its failure
 * policy); when it fires, it starts the saga with the same idempotent scheduleWorkflowOnce if the
 * booking is CANCELLING with its record, and does nothing otherwise (refused, or the saga ran).
 * The normal path still starts the saga at once after the commit; the job then finds it and stops.
 */
import { z } from 'zod';
import { scheduleWorkflowOnce, type JobFailurePolicy, type JobHandler, type SchedulerJobs } from '@holdfast/shared';
import type { DaprWorkflowClient } from '@dapr/dapr';
import type { BookingsRepository } from '../data/bookings.repository';
import { BOOKING_CANCELLATION_WORKFLOW, cancellationInstanceId } from './booking-cancellation.workflow';

export const CANCELLATION_JOB_PREFIX = 'cancellation-';
export const cancellationJobName = (bookingId: string) => `${CANCELLATION_JOB_PREFIX}${bookingId}`;
/** A failed tick (the sidecar's workflow API down, the database away) is tried again every 5 s, 12 times (a minute). */
export const CANCELLATION_JOB_FAILURE_POLICY: JobFailurePolicy = { constant: { interval: '5s', maxRetries: 12 } };
export const DEFAULT_CANCELLATION_SAGA_CHECK_SECONDS = 30;

export const cancellationJobData = z.object({ bookingId: z.string().uuid(), correlationId: z.string().max(200).optional() });
export type CancellationJobData = z.infer<typeof cancellationJobData>;

/** Schedules (replaces) the booking's safety-net job; throws when the sidecar does not store it. */
export async function scheduleCancellationSafetyNet(jobs: Pick<SchedulerJobs, 'schedule'>, bookingId: string, checkSeconds: number, correlationId?: string): Promise<void> {
  await jobs.schedule({
    name: cancellationJobName(bookingId), dueTime: `${checkSeconds}s`, repeats: 1,
    data: { bookingId, ...(correlationId ? { correlationId } : {}) }, failurePolicy: CANCELLATION_JOB_FAILURE_POLICY,
  });
}

export interface CancellationSafetyNetDeps {
  bookings: Pick<BookingsRepository, 'find' | 'cancellationOf'>;
  workflows: Pick<DaprWorkflowClient, 'getWorkflowState' | 'scheduleNewWorkflow'>;
  logger: { info(obj: object, msg: string): void };
}

/** The job's firing: starts the saga (once: the same instance id as the route's) when the decision was committed. */
export async function runCancellationSafetyNet(deps: CancellationSafetyNetDeps, data: CancellationJobData): Promise<'started' | 'running' | 'nothing-to-do'> {
  const booking = await deps.bookings.find(data.bookingId);
  if (!booking || booking.status !== 'CANCELLING') return 'nothing-to-do';
  if (!(await deps.bookings.cancellationOf(data.bookingId))) return 'nothing-to-do';
  const started = await scheduleWorkflowOnce(deps.workflows, BOOKING_CANCELLATION_WORKFLOW, { bookingId: data.bookingId, correlationId: data.correlationId }, cancellationInstanceId(data.bookingId));
  if (started) deps.logger.info({ bookingId: data.bookingId }, 'cancellation safety net: the saga had not started; started it');
  return started ? 'started' : 'running';
}

/** POST /job/cancellation-<bookingId> from the app's own sidecar (serveJobs in main.ts). */
export function cancellationJobHandlers(deps: CancellationSafetyNetDeps): JobHandler<CancellationJobData>[] {
  return [{ prefix: CANCELLATION_JOB_PREFIX, data: cancellationJobData, handle: async (data) => void (await runCancellationSafetyNet(deps, data)) }];
}
