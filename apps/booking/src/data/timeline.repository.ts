/** The booking app's records of one booking, for issue 13's timeline (domain/timeline.ts maps them), and its part of the search. */
import { EMPTY_TIMELINE, type PrismaClient, type TimelineSearchAnswer, type TimelineSource } from '@holdfast/shared';
import { bookingTimeline } from '../domain/timeline';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_MATCHES = 50;

export function createBookingTimeline(prisma: PrismaClient): TimelineSource {
  return {
    async booking(bookingId) {
      const booking = await prisma.booking.findUnique({ where: { id: bookingId }, include: { payments: true } });
      if (!booking) return EMPTY_TIMELINE;
      const reviews = await prisma.manualReview.findMany({ where: { bookingId } });
      const [show, audit, outbox, cancellation] = await Promise.all([
        prisma.show.findUnique({ where: { id: booking.showId }, select: { id: true, title: true } }),
        prisma.auditLog.findMany({
          where: { OR: [
            { entity: 'booking', entityId: bookingId }, { entity: 'hold', entityId: booking.holdId },
            { entity: 'payment', entityId: { in: booking.payments.map((p) => p.id) } },
            { entity: 'manual-review', entityId: { in: reviews.map((r) => r.id) } },
          ] },
          orderBy: { id: 'asc' }, take: 1_000,
        }),
        prisma.outboxEvent.findMany({ where: { aggregateId: bookingId }, orderBy: { seq: 'asc' }, take: 1_000, select: { id: true, type: true, correlationId: true, createdAt: true, publishedAt: true } }),
        prisma.bookingCancellation.findUnique({ where: { bookingId } }),
      ]);
      return bookingTimeline({ booking, show: show ?? undefined, audit, payments: booking.payments, outbox, reviews, cancellation: cancellation ?? undefined });
    },

    // Orders are fulfillment's: the booking app has nothing to tell.
    order: async () => EMPTY_TIMELINE,

    async search(q) {
      const ids = new Set<string>();
      if (UUID.test(q)) {
        const byId = await prisma.booking.findMany({ where: { OR: [{ id: q }, { holdId: q }] }, select: { id: true } });
        byId.forEach((b) => ids.add(b.id));
      }
      if (q.includes('@')) {
        const byEmail = await prisma.booking.findMany({ where: { customerEmail: { equals: q, mode: 'insensitive' } }, orderBy: { createdAt: 'desc' }, take: MAX_MATCHES, select: { id: true } });
        byEmail.forEach((b) => ids.add(b.id));
      }
      // A correlation id: the bookings whose events or audit lines carry it.
      const [outbox, audit] = await Promise.all([
        prisma.outboxEvent.findMany({ where: { correlationId: q }, take: MAX_MATCHES, select: { aggregateId: true } }),
        prisma.auditLog.findMany({ where: { correlationId: q, entity: { in: ['booking', 'hold'] } }, take: MAX_MATCHES, select: { entity: true, entityId: true } }),
      ]);
      const candidates = [...outbox.map((o) => o.aggregateId), ...audit.filter((a) => a.entity === 'booking').map((a) => a.entityId)].filter((id) => UUID.test(id));
      const holdIds = audit.filter((a) => a.entity === 'hold' && UUID.test(a.entityId)).map((a) => a.entityId);
      if (candidates.length > 0 || holdIds.length > 0) {
        const found = await prisma.booking.findMany({ where: { OR: [{ id: { in: candidates } }, { holdId: { in: holdIds } }] }, take: MAX_MATCHES, select: { id: true } });
        found.forEach((b) => ids.add(b.id));
      }
      const bookings = ids.size === 0 ? [] : await prisma.booking.findMany({ where: { id: { in: [...ids] } }, orderBy: { createdAt: 'desc' }, take: MAX_MATCHES, select: { id: true, status: true, customerEmail: true, createdAt: true } });
      const answer: TimelineSearchAnswer = { matches: bookings.map((b) => ({ kind: 'booking', id: b.id, label: `${b.customerEmail}, ${b.status}, ${b.createdAt.toISOString()}` })) };
      return answer;
    },
  };
}
