/** Dead letters as operators see and replay them (rows written by shared/dead-letters.ts recordDeadLetter). */
import type { PrismaClient } from '@holdfast/shared';

export type DeadLetterStatus = 'PENDING' | 'REPLAYING' | 'REPLAYED' | 'DISCARDED';

export function createDeadLettersRepository(prisma: PrismaClient) {
  return {
    list(filter: { topic?: string; status?: DeadLetterStatus }, limit: number) {
      return prisma.deadLetter.findMany({ where: { topic: filter.topic, status: filter.status }, orderBy: { firstFailedAt: 'asc' }, take: limit });
    },
    find(id: string) {
      return prisma.deadLetter.findUnique({ where: { id } });
    },
    findByEvent(topic: string, eventId: string) {
      return prisma.deadLetter.findFirst({ where: { topic, eventId } });
    },
    /** Marks it published again; false if it was REPLAYED (or discarded) meanwhile. */
    async markReplaying(id: string): Promise<boolean> {
      const { count } = await prisma.deadLetter.updateMany({ where: { id, status: { in: ['PENDING', 'REPLAYING'] } }, data: { status: 'REPLAYING', replayedAt: new Date() } });
      return count === 1;
    },
    /**
     * Claims up to `limit` dead letters of a topic for replay (REPLAYING), oldest first, in one
     * statement: the PENDING ones, and REPLAYING ones whose replay started more than
     * `staleAfterSeconds` ago and never finished (a replayer that died mid-topic, an event lost).
     */
    claimTopic(topic: string, limit: number, staleAfterSeconds = 300) {
      return prisma.$queryRaw<Array<{ id: string; pubsub_name: string; topic: string; event_id: string; event: Record<string, unknown> }>>`
        UPDATE dead_letters SET status = 'REPLAYING', replayed_at = now() WHERE id IN (
          SELECT id FROM dead_letters WHERE topic = ${topic}
            AND (status = 'PENDING' OR (status = 'REPLAYING' AND replayed_at < now() - make_interval(secs => ${staleAfterSeconds})))
          ORDER BY first_failed_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING id::text, pubsub_name, topic, event_id, event`;
    },
    /** Back to PENDING when publishing the replay failed. */
    markPending(id: string) {
      return prisma.deadLetter.updateMany({ where: { id, status: 'REPLAYING' }, data: { status: 'PENDING' } });
    },
    /** Its replay reached the subscriber, which succeeded. */
    markReplayed(id: string) {
      return prisma.deadLetter.updateMany({ where: { id, status: 'REPLAYING' }, data: { status: 'REPLAYED', replayedAt: new Date() } });
    },
  };
}
export type DeadLettersRepository = ReturnType<typeof createDeadLettersRepository>;
