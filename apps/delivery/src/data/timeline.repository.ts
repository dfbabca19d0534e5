/** The delivery app's records of one booking or order, for issue 13's timeline (domain/timeline.ts maps them), and its part of the search. */
import { EMPTY_TIMELINE, type Prisma, type PrismaClient, type TimelineSearchAnswer, type TimelineSource } from '@holdfast/shared';
import { deliveryTimeline } from '../domain/timeline';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ROWS = 500;
const MAX_MATCHES = 50;

export function createDeliveryTimeline(prisma: PrismaClient): TimelineSource {
  /** Dead letters whose event's data names the booking or the order (the CloudEvent keeps it under data). */
  const deadLettersNaming = (key: 'bookingId' | 'orderId', id: string) =>
    prisma.deadLetter.findMany({ where: { event: { path: ['data', key], equals: id } }, orderBy: { firstFailedAt: 'asc' }, take: MAX_ROWS });
  const withAttempts = (where: Prisma.NotificationWhereInput) =>
    prisma.notification.findMany({ where, include: { attemptLog: { orderBy: { attempt: 'asc' } } }, orderBy: { createdAt: 'asc' }, take: MAX_ROWS });

  return {
    async booking(bookingId) {
      const [notifications, refunds, deadLetters] = await Promise.all([
        withAttempts({ bookingId }),
        prisma.refundJob.findMany({ where: { bookingId }, orderBy: { createdAt: 'asc' }, take: MAX_ROWS }),
        deadLettersNaming('bookingId', bookingId),
      ]);
      if (notifications.length + refunds.length + deadLetters.length === 0) return EMPTY_TIMELINE;
      return deliveryTimeline({ notifications, refunds, deadLetters });
    },

    async order(orderId) {
      const [notifications, deadLetters] = await Promise.all([withAttempts({ event: { path: ['data', 'orderId'], equals: orderId } }), deadLettersNaming('orderId', orderId)]);
      if (notifications.length + deadLetters.length === 0) return EMPTY_TIMELINE;
      return deliveryTimeline({ notifications, refunds: [], deadLetters });
    },

    async search(q) {
      const bookingIds = new Set<string>();
      const or: Prisma.NotificationWhereInput[] = [{ correlationId: q }];
      if (UUID.test(q)) or.push({ bookingId: q });
      if (q.includes('@')) or.push({ recipient: { equals: q, mode: 'insensitive' } });
      const [notifications, refunds] = await Promise.all([
        // The newest first: a customer's email may match more bookings than an answer holds.
        prisma.notification.findMany({ where: { OR: or, bookingId: { not: null } }, orderBy: { createdAt: 'desc' }, take: MAX_MATCHES, select: { bookingId: true } }),
        prisma.refundJob.findMany({ where: { OR: [{ correlationId: q }, ...(UUID.test(q) ? [{ bookingId: q }] : [])] }, orderBy: { createdAt: 'desc' }, take: MAX_MATCHES, select: { bookingId: true } }),
      ]);
      notifications.forEach((n) => n.bookingId && bookingIds.add(n.bookingId));
      refunds.forEach((r) => bookingIds.add(r.bookingId));
      const answer: TimelineSearchAnswer = { matches: [...bookingIds].slice(0, MAX_MATCHES).map((id) => ({ kind: 'booking', id, label: `booking ${id} (delivery records)` })) };
      return answer;
    },
  };
}
