/** Notification rows: one per message (key), its status, attempts, last error and provider id. */
import type { PrismaClient } from '@holdfast/shared';

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
    /** What the messages of one event went through, for its dead-letter record. */
    async failureOfEvent(topic: string, eventId: string): Promise<{ attempts: number; lastError?: string }> {
      const rows = await prisma.notification.findMany({ where: { topic, eventId, status: { not: 'SENT' } }, select: { attempts: true, lastError: true } });
      return { attempts: rows.reduce((n, r) => n + r.attempts, 0), lastError: rows.map((r) => r.lastError).filter(Boolean).join('; ') || undefined };
    },
  };
}
export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>;
