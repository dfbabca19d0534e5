/**
 * Seed 001's durable email queue on Dapr: the subscriber records the email (a notifications row,
 * with the event to render it from) and makes attempt 1; a transient failure schedules the next
 * attempt as a one-shot Dapr scheduler job (`email-<notification id>-<attempt>`, fired on one
 * replica, `POST /job/<name>`) and acknowledges the message: no inbound pub/sub retry holds a
 * consumer slot while an email waits 60, 120, 240, 480 s. Every attempt is a notification_attempts
 * row (time, outcome, provider status and answer). A refusal (4xx) ends at once; the last failed
 * attempt goes to the dead letters (dead_letters, replayable as ever). FEATURE_EMAIL_QUEUE_ENABLED
 * =false sends nothing: the email is recorded DISABLED (never a send outside this durable path).
 *
 * Crash safety: the row is written before any send; a crash before the attempt is recorded leaves
 * the message unacknowledged (redelivered: the attempt is made again under the same provider
 * idempotency key); a crash after it but before the job is scheduled is healed by the redelivery
 * (the next attempt is scheduled again, by name, replacing any), by the job's own redelivery (daprd
 * retries a job the app did not answer; runJob then schedules the next attempt again), or, failing that, by the stuck
 * sweeper (a PENDING row whose next attempt is overdue has its event published again).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { deadLetterTopicOf, goDuration, type CloudEvent, type JobSpec, type PrismaClient } from '@holdfast/shared';
import { EMAIL_KINDS, emailJobName, nextStep, type EmailKind, type EmailSchedule } from '../domain/email-schedule';
import type { DeliveryStatus, SendOutcome } from '../domain/outcome';
import type { EmailAttachment, EmailSender } from '../adapters/email.sender';
import type { NotificationOpening, NotificationsRepository } from '../data/notifications.repository';
import { resendKeyOf } from '../domain/resend';

/** The job's data: seed 001's payload `{bookingId, type, scheduledFor, attempt}`, plus the row it is for. */
export const emailJobSchema = z.object({
  notificationId: z.string().uuid(),
  /** The booking (for request_received the hold, which becomes the booking; none for an escalation). */
  bookingId: z.string().nullable(),
  type: z.enum(EMAIL_KINDS),
  scheduledFor: z.string(),
  /** 1-based within the current round of attempts (a replayed dead letter starts a new round). */
  attempt: z.number().int().min(1),
}).passthrough();
export type EmailJob = z.infer<typeof emailJobSchema>;

export interface EmailContent {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: EmailAttachment[];
}

type Row = NonNullable<Awaited<ReturnType<NotificationsRepository['find']>>>;

export interface EmailQueueDeps {
  notifications: NotificationsRepository;
  email: EmailSender;
  jobs: { schedule(spec: JobSpec): Promise<void> };
  prisma: PrismaClient;
  pubsubName: string;
  schedule: EmailSchedule;
  /** FEATURE_EMAIL_QUEUE_ENABLED. */
  enabled: boolean;
  /** Renders the email from the event it was recorded with. */
  render: (kind: EmailKind, event: CloudEvent) => Promise<EmailContent>;
  /** Run before each attempt: a reason not to send any more (seed 001: "ensures status still pending"), or null. */
  precheck?: (kind: EmailKind, event: CloudEvent) => Promise<string | null>;
  logger: Logger;
  onAttempt?: (kind: EmailKind, outcome: SendOutcome['kind'] | 'skipped') => void;
  onDeadLetter?: (kind: EmailKind, topic: string) => void;
  now?: () => number;
}

export interface EmailQueue {
  /** The subscriber's part: record the email, make its first attempt, schedule the next; acknowledges unless the database or sidecar failed. */
  accept(input: { opening: NotificationOpening; kind: EmailKind; event: CloudEvent; off?: string }): Promise<DeliveryStatus>;
  /** A scheduler job fired: the attempt it names, unless it was made (or the email settled) meanwhile. */
  runJob(job: EmailJob): Promise<void>;
}

const subjectOf = (row: Row, event: CloudEvent): string | null => {
  if (row.bookingId) return row.bookingId;
  const data = (event.data ?? {}) as { holdId?: unknown };
  return typeof data.holdId === 'string' ? data.holdId : null;
};

export function createEmailQueue(deps: EmailQueueDeps): EmailQueue {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'email-queue' });

  async function scheduleAttempt(row: Row, kind: EmailKind, event: CloudEvent, attempt: number, at: Date): Promise<void> {
    const data: EmailJob = { notificationId: row.id, bookingId: subjectOf(row, event), type: kind, scheduledFor: at.toISOString(), attempt };
    await deps.jobs.schedule({
      name: emailJobName(row.id, attempt), dueTime: goDuration(Math.max(10, at.getTime() - now())), data,
      // A tick the app fails (its database down) is tried again for a minute; after that the stuck sweeper finds the overdue row.
      failurePolicy: { constant: { interval: '5s', maxRetries: 12 } },
    });
  }

  async function attempt(row: Row, kind: EmailKind, round: number): Promise<void> {
    const event = row.event as unknown as CloudEvent;
    const base = { notificationId: row.id, key: row.key, kind, attempt: round };
    const skip = await deps.precheck?.(kind, event);
    if (skip) {
      if (await deps.notifications.recordAttempt(row, { outcome: 'skipped', status: 'SKIPPED', error: skip })) {
        deps.onAttempt?.(kind, 'skipped');
        log.info({ ...base, reason: skip }, 'email skipped');
      }
      return;
    }
    const content = await deps.render(kind, event);
    const outcome = await deps.email.send({ ...content, key: row.key, correlationId: row.correlationId ?? undefined });
    const step = nextStep(outcome.kind, round, deps.schedule);
    const status = outcome.kind === 'sent' ? 202 : outcome.status;
    let recorded: boolean;
    switch (step.step) {
      case 'sent':
        recorded = await deps.notifications.recordAttempt(row, { outcome: 'sent', status: 'SENT', providerStatus: status, providerAnswer: outcome.kind === 'sent' ? outcome.providerId : null, providerMessageId: outcome.kind === 'sent' ? outcome.providerId : null });
        break;
      case 'retry': {
        const at = new Date(now() + step.delaySeconds * 1000);
        recorded = await deps.notifications.recordAttempt(row, { outcome: 'transient', status: 'PENDING', providerStatus: status, error: reasonOf(outcome), nextAttemptAt: at });
        if (recorded) await scheduleAttempt(row, kind, event, step.nextAttempt, at);
        break;
      }
      default: {
        // Refused (4xx: not retried) or the last attempt failed: the dead letters, as any message its subscriber gave up on.
        // The attempt and its dead letter commit in one transaction: a crash between them left a FAILED email with no dead letter, which a redelivery then took as done.
        recorded = await deps.notifications.recordAttempt(row, {
          outcome: outcome.kind === 'refused' ? 'refused' : 'transient', status: 'FAILED', providerStatus: status, error: reasonOf(outcome),
          deadLetter: {
            pubsubName: deps.pubsubName, topic: row.topic, deadLetterTopic: deadLetterTopicOf(row.topic), event,
            lastError: step.step === 'refused' ? `refused: ${reasonOf(outcome)}` : `${round} attempts failed; last: ${reasonOf(outcome)}`,
            attempts: row.attempts + 1, correlationId: row.correlationId ?? undefined,
            // A refusal is left for a person; spent retries are replayed by the dead-letter reprocessing job (seed 004).
            failureKind: step.step === 'refused' ? 'REFUSED' : 'TRANSIENT',
          },
        });
        if (recorded) {
          deps.onDeadLetter?.(kind, row.topic);
        }
      }
    }
    if (!recorded) return log.info(base, 'email attempt recorded by another delivery first');
    deps.onAttempt?.(kind, outcome.kind);
    log.info({ ...base, outcome: outcome.kind, next: step.step, ...(outcome.kind === 'sent' ? { messageId: outcome.providerId } : { reason: reasonOf(outcome) }) }, 'email attempt');
  }

  return {
    async accept({ opening, kind, event, off }) {
      // A resend (issue 13) names its own row, opened by the admin route: that one is sent, never the original again.
      const resend = resendKeyOf(event as Record<string, unknown>, opening.key);
      let row: Row | null = resend
        ? await deps.notifications.findByKey(resend)
        : await deps.notifications.openQueued({ ...opening, kind, event: event as Record<string, unknown> });
      if (!row) {
        log.warn({ key: resend, kind }, 'resend event for a notification that does not exist: nothing to send');
        return 'SUCCESS';
      }
      if (row.status === 'FAILED' && typeof event.replayof === 'string') {
        // An operator replays its dead letter: a new round of attempts.
        await deps.notifications.reopen(row.id);
        row = await deps.notifications.find(row.id);
      }
      if (!row || row.status !== 'PENDING') return 'SUCCESS';
      if (off || !deps.enabled) {
        await deps.notifications.disable(row.id, off ?? 'FEATURE_EMAIL_QUEUE_ENABLED=false: email is turned off; recorded, not sent');
        log.info({ notificationId: row.id, key: row.key, kind, reason: off ?? 'FEATURE_EMAIL_QUEUE_ENABLED=false' }, 'email disabled');
        return 'SUCCESS';
      }
      const made = row.attempts - row.attemptBase;
      if (made > 0) {
        // Delivered again while its attempts are under way: make sure the next one is scheduled (by name: it replaces, never doubles).
        await scheduleAttempt(row, kind, row.event as unknown as CloudEvent, made + 1, row.nextAttemptAt ?? new Date(now()));
        return 'SUCCESS';
      }
      await attempt(row, kind, 1);
      return 'SUCCESS';
    },

    async runJob(job) {
      const row = await deps.notifications.find(job.notificationId);
      if (!row || row.status !== 'PENDING') return;
      if (!deps.enabled) {
        await deps.notifications.disable(row.id, 'FEATURE_EMAIL_QUEUE_ENABLED=false: email is turned off; recorded, not sent');
        return;
      }
      const made = row.attempts - row.attemptBase;
      const kind = (row.kind as EmailKind | null) ?? job.type;
      if (made >= job.attempt) {
        // This job's attempt is recorded: the job came again because the app died before answering
        // it, perhaps before it scheduled the next attempt (seen in CI: the email then waited for
        // ever). Schedule the next one again, by name: it replaces, never doubles.
        await scheduleAttempt(row, kind, row.event as unknown as CloudEvent, made + 1, row.nextAttemptAt ?? new Date(now()));
        return;
      }
      await attempt(row, kind, made + 1);
    },
  };
}

function reasonOf(outcome: SendOutcome): string {
  return outcome.kind === 'sent' ? '' : outcome.reason;
}
