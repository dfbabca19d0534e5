/** The fulfillment app's records of one order, for issue 13's timeline (domain/timeline.ts maps them), and its part of the search. */
import { EMPTY_TIMELINE, type PrismaClient, type TimelineSearchAnswer, type TimelineSource } from '@holdfast/shared';
import { orderTimeline } from '../domain/timeline';

const MAX_MATCHES = 50;

export function createFulfillmentTimeline(prisma: PrismaClient): TimelineSource {
  return {
    // Bookings are the booking app's: fulfillment has nothing to tell.
    booking: async () => EMPTY_TIMELINE,

    async order(orderId) {
      const order = await prisma.order.findUnique({ where: { id: orderId } });
      if (!order) return EMPTY_TIMELINE;
      const jobs = await prisma.orderJob.findMany({ where: { orderId }, orderBy: { createdAt: 'asc' }, take: 500 });
      return orderTimeline({ order, jobs });
    },

    async search(q) {
      const orders = await prisma.order.findMany({
        where: { OR: [{ id: q }, { correlationId: q }, ...(q.includes('@') ? [{ customerEmail: { equals: q, mode: 'insensitive' as const } }] : [])] },
        orderBy: { createdAt: 'desc' }, take: MAX_MATCHES, select: { id: true, status: true, customerEmail: true, createdAt: true },
      });
      const answer: TimelineSearchAnswer = { matches: orders.map((o) => ({ kind: 'order', id: o.id, label: `${o.customerEmail}, ${o.status}, ${o.createdAt.toISOString()}` })) };
      return answer;
    },
  };
}
