/** Notification rows: one per message (key), its status, attempts, last error and provider id. */
import { randomUUID } from 'node:crypto';
import { Prisma, recordDeadLetter, type DeadLetterInput, type PrismaClient } from '@holdfast/shared';
import { resendEvent, resendKey, resendRefusal, type ResendRefusal } from '../domain/resend';

class LostRace extends Error {}

export interface NotificationOpening {
  key: string;
  channel: 'email' | 'sms' | 'whatsapp';
  topic: string;
  eventId: string;
  bookingId?: string | null;
  showId?: string | null;
  recipient: string;
  correlationId?: string | null;
}

export function createNotificationsRepository(prisma: PrismaClient) {
  return {
    /** The message's row, created PENDING the first time any delivery of its event sees it. */
    open(input: NotificationOpening) {
      return prisma.notification.upsert({ where: { key: input.key }, create: { ...input, status: 'PENDING' }, update: {} });
    },
    // Two deliveries of one event may overlap (a republished outbox row, a redelivery after a
    // timeout): a late failure must never overwrite SENT, so every result is conditional on it.
    sent(id: string, attempts: number, providerId: string | null) {
      return prisma.notification.updateMany({ where: { id, status: { not: 'SENT' } }, data: { status: 'SENT', sentAt: new Date(), providerMessageId: providerId, lastError: null, attempts: { increment: attempts } } });
    },
    refused(id: string, attempts: number, reason: string) {
      return prisma.notification.updateMany({ where: { id, status: { not: 'SENT' } }, data: { status: 'FAILED', lastError: reason, attempts: { increment: attempts } } });
    },
    /** Still PENDING: the next delivery of the event tries again. */
    stillPending(id: string, attempts: number, reason: string) {
      return prisma.notification.updateMany({ where: { id, status: { not: 'SENT' } }, data: { status: 'PENDING', lastError: reason, attempts: { increment: attempts } } });
    },
    // --- The durable email queue (handlers/email-queue.ts, seed 001) ---

    /** The email's row, created PENDING with what it is and the event to render it from. */
    async openQueued(input: NotificationOpening & { kind: string; event: Record<string, unknown> }) {
      // One INSERT for the first delivery of an event (issue 15; the upsert was a read and a
      // write); a repeated delivery meets the unique key and reads the row. Raw SQL that returns
      // only what the database chose (the times): notification.create also read back the event it
      // had just sent, and createMany's query plan is never cached (its compiler ran every call).
      const id = randomUUID();
      const [inserted] = await prisma.$queryRaw<Array<{ createdAt: Date; updatedAt: Date }>>`
        INSERT INTO notifications (id, key, channel, topic, event_id, booking_id, show_id, recipient, status, correlation_id, kind, event, updated_at)
        VALUES (${id}::uuid, ${input.key}, ${input.channel}::"NotificationChannel", ${input.topic}, ${input.eventId}, ${input.bookingId ?? null}::uuid,
                ${input.showId ?? null}::uuid, ${input.recipient}, 'PENDING', ${input.correlationId ?? null}, ${input.kind}, ${JSON.stringify(input.event)}::jsonb, now())
        ON CONFLICT (key) DO NOTHING
        RETURNING created_at AS "createdAt", updated_at AS "updatedAt"`;
      if (!inserted) return prisma.notification.findUniqueOrThrow({ where: { key: input.key } });
      const row: Prisma.NotificationModel = {
        id, key: input.key, channel: input.channel, topic: input.topic, eventId: input.eventId, bookingId: input.bookingId ?? null, showId: input.showId ?? null,
        recipient: input.recipient, status: 'PENDING', attempts: 0, lastError: null, providerMessageId: null, correlationId: input.correlationId ?? null,
        createdAt: inserted.createdAt, updatedAt: inserted.updatedAt, sentAt: null, kind: input.kind, event: input.event as Prisma.JsonValue, nextAttemptAt: null,
        attemptBase: 0, resendOf: null, requestedBy: null,
      };
      return row;
    },
    find(id: string) {
      return prisma.notification.findUnique({ where: { id } });
    },
    findByKey(key: string) {
      return prisma.notification.findUnique({ where: { key } });
    },
    /**
     * A resend of notification `id` (issue 13): a new PENDING row with the original's message,
     * recipient and links, its own key (`<key>-resend-<n>`) and event (domain/resend.ts), the link
     * back and who asked. The original's row is locked while n is counted, so two resends at once
     * are -resend-1 and -resend-2, never one key twice. Not found or refused: why, and no row.
     */
    async openResend(id: string, requestedBy: string): Promise<{ refused: 'NOTIFICATION_NOT_FOUND' | ResendRefusal } | { row: NonNullable<Awaited<ReturnType<PrismaClient['notification']['findUnique']>>> }> {
      return prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM notifications WHERE id = ${id}::uuid FOR UPDATE`;
        const original = await tx.notification.findUnique({ where: { id } });
        if (!original) return { refused: 'NOTIFICATION_NOT_FOUND' as const };
        const refused = resendRefusal(original);
        if (refused) return { refused };
        const n = (await tx.notification.count({ where: { resendOf: id } })) + 1;
        const newId = randomUUID();
        const key = resendKey(original.key, n);
        const event = resendEvent(original.event as Record<string, unknown>, { eventId: newId, key, originalId: id });
        const row = await tx.notification.create({ data: {
          id: newId, key, channel: original.channel, topic: original.topic, eventId: newId, bookingId: original.bookingId, showId: original.showId,
          recipient: original.recipient, correlationId: original.correlationId, kind: original.kind, event: event as Prisma.InputJsonValue,
          status: 'PENDING', resendOf: id, requestedBy,
        } });
        return { row };
      });
    },
    /** A resend that could not be queued (the sidecar refused the publish): nothing was sent, so no trace is kept. */
    async dropUnqueuedResend(id: string): Promise<void> {
      await prisma.notification.deleteMany({ where: { id, resendOf: { not: null }, status: 'PENDING', attempts: 0 } });
    },
    /** The row with its attempts, in order (the admin read). */
    withAttempts(id: string) {
      return prisma.notification.findUnique({ where: { id }, include: { attemptLog: { orderBy: { attempt: 'asc' } } } });
    },
    /**
     * One attempt, recorded on its own and on the row together. Conditional on the row being as the
     * attempt found it (PENDING, `attempts` unchanged): false when another delivery recorded first.
     */
    async recordAttempt(row: { id: string; attempts: number }, attempt: {
      outcome: 'sent' | 'refused' | 'transient' | 'skipped'; providerStatus?: number; providerAnswer?: string | null; error?: string | null;
      status: 'PENDING' | 'SENT' | 'FAILED' | 'SKIPPED'; nextAttemptAt?: Date | null; providerMessageId?: string | null;
      /** The dead letter a FAILED attempt leaves, written in the same transaction: both commit or neither (a crash between them lost the email silently). */
      deadLetter?: DeadLetterInput;
    }): Promise<boolean> {
      try {
        if (!attempt.deadLetter) {
          // The common case in one statement (issue 15: it was a four-round-trip transaction): the
          // row's conditional update and its attempt line, both or neither.
          const sent = attempt.status === 'SENT';
          const recorded = await prisma.$executeRaw`
            WITH updated AS (
              UPDATE notifications SET status = ${attempt.status}::"NotificationStatus", attempts = attempts + 1,
                last_error = ${sent ? null : attempt.error ?? null}, next_attempt_at = ${attempt.nextAttemptAt ?? null}::timestamptz,
                sent_at = CASE WHEN ${sent} THEN now() ELSE sent_at END,
                provider_message_id = CASE WHEN ${sent} THEN ${attempt.providerMessageId ?? null} ELSE provider_message_id END, updated_at = now()
              WHERE id = ${row.id}::uuid AND status = 'PENDING' AND attempts = ${row.attempts}::int
              RETURNING id
            )
            INSERT INTO notification_attempts (id, notification_id, attempt, outcome, provider_status, provider_answer, error, next_attempt_at)
            SELECT gen_random_uuid(), id, ${row.attempts + 1}::int, ${attempt.outcome}, ${attempt.providerStatus ?? null}::int,
                   ${attempt.providerAnswer?.slice(0, 500) ?? null}, ${attempt.error?.slice(0, 1_000) ?? null}, ${attempt.nextAttemptAt ?? null}::timestamptz
            FROM updated`;
          return recorded === 1;
        }
        return await prisma.$transaction(async (tx) => {
          const { count } = await tx.notification.updateMany({
            where: { id: row.id, status: 'PENDING', attempts: row.attempts },
            data: {
              status: attempt.status, attempts: { increment: 1 }, lastError: attempt.status === 'SENT' ? null : attempt.error ?? null, nextAttemptAt: attempt.nextAttemptAt ?? null,
              ...(attempt.status === 'SENT' ? { sentAt: new Date(), providerMessageId: attempt.providerMessageId ?? null } : {}),
            },
          });
          if (count === 0) throw new LostRace();
          await tx.notificationAttempt.create({ data: {
            notificationId: row.id, attempt: row.attempts + 1, outcome: attempt.outcome, providerStatus: attempt.providerStatus ?? null,
            providerAnswer: attempt.providerAnswer?.slice(0, 500) ?? null, error: attempt.error?.slice(0, 1_000) ?? null, nextAttemptAt: attempt.nextAttemptAt ?? null,
          } });
          if (attempt.deadLetter) await recordDeadLetter(tx, attempt.deadLetter);
          return true;
        });
      } catch (error) {
        if (error instanceof LostRace) return false;
        if (error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2002' || (error.code === 'P2010' && JSON.stringify(error.meta ?? {}).includes('23505')))) return false;
        throw error;
      }
    },
    /** Recorded, never sent: a setting turns this email off. */
    async disable(id: string, reason: string): Promise<void> {
      await prisma.notification.updateMany({ where: { id, status: 'PENDING' }, data: { status: 'DISABLED', lastError: reason, nextAttemptAt: null } });
    },
    /** A dead letter replayed: a new round of attempts (the count of attempts goes on). */
    async reopen(id: string): Promise<void> {
      await prisma.$executeRaw`UPDATE notifications SET status = 'PENDING', attempt_base = attempts, next_attempt_at = NULL, updated_at = now()
        WHERE id = ${id}::uuid AND status IN ('FAILED', 'PENDING')`;
    },
    /** The hold a request-received email is about, as the booking app last wrote it (seed 001: "ensures status still pending"). */
    holdState(holdId: string) {
      return prisma.hold.findUnique({ where: { id: holdId }, select: { status: true, expiresAt: true } });
    },

    /** What the messages of one event went through, for its dead-letter record. */
    async failureOfEvent(topic: string, eventId: string): Promise<{ attempts: number; lastError?: string }> {
      const rows = await prisma.notification.findMany({ where: { topic, eventId, status: { not: 'SENT' } }, select: { attempts: true, lastError: true } });
      return { attempts: rows.reduce((n, r) => n + r.attempts, 0), lastError: rows.map((r) => r.lastError).filter(Boolean).join('; ') || undefined };
    },
  };
}
export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>;
