/** Dead letters as operators see and replay them (rows written by shared/dead-letters.ts recordDeadLetter). */
import type { PrismaClient } from '@holdfast/shared';
import { autoReplayDecision, type AutoReplayRules } from '../domain/dead-letter-policy';

export type DeadLetterStatus = 'PENDING' | 'REPLAYING' | 'REPLAYED' | 'DISCARDED' | 'MANUAL_REVIEW';

/** A dead letter claimed for a replay (REPLAYING), as the replayer publishes it. */
export interface ClaimedLetter { id: string; pubsubName: string; topic: string; eventId: string; event: Record<string, unknown> }

/** A REPLAYING letter whose replay started longer ago than this never finished (its replayer died, or the event was lost): it may be claimed again. */
export const STALE_REPLAYING_SECONDS = 300;

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
    /** Marks it published again (a person may replay one in manual review); false if it was REPLAYED (or discarded) meanwhile. */
    async markReplaying(id: string): Promise<boolean> {
      const { count } = await prisma.deadLetter.updateMany({ where: { id, status: { in: ['PENDING', 'REPLAYING', 'MANUAL_REVIEW'] } }, data: { status: 'REPLAYING', replayedAt: new Date() } });
      return count === 1;
    },
    /**
     * Claims up to `limit` dead letters of a topic for replay (REPLAYING), oldest first, in one
     * statement: the PENDING ones, and REPLAYING ones whose replay started more than
     * `staleAfterSeconds` ago and never finished (a replayer that died mid-topic, an event lost).
     */
    claimTopic(topic: string, limit: number, staleAfterSeconds = STALE_REPLAYING_SECONDS) {
      return prisma.$queryRaw<Array<{ id: string; pubsub_name: string; topic: string; event_id: string; event: Record<string, unknown> }>>`
        UPDATE dead_letters SET status = 'REPLAYING', replayed_at = now() WHERE id IN (
          SELECT id FROM dead_letters WHERE topic = ${topic}
            AND (status IN ('PENDING', 'MANUAL_REVIEW') OR (status = 'REPLAYING' AND replayed_at < now() - make_interval(secs => ${staleAfterSeconds})))
          ORDER BY first_failed_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING id::text, pubsub_name, topic, event_id, event`;
    },
    /**
     * One tick of the reprocessing job: up to `limit` PENDING dead letters, oldest first, locked
     * (SKIP LOCKED: two ticks never take the same letter) and decided in one transaction by the
     * pure policy: replayed ones are claimed REPLAYING with their count bumped; the rest go to
     * MANUAL_REVIEW with the reason. The caller publishes the claimed ones after the commit, so a
     * crash in between strands a letter in REPLAYING: as claimTopic does, REPLAYING ones whose
     * replay started more than `staleAfterSeconds` ago are taken again.
     */
    async claimForAutoReplay(rules: AutoReplayRules, limit: number, now = new Date(), staleAfterSeconds = STALE_REPLAYING_SECONDS): Promise<{ replay: ClaimedLetter[]; manualReview: Array<{ id: string; topic: string; reason: string }> }> {
      return prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<Array<{ id: string }>>`
          SELECT id::text FROM dead_letters
            WHERE status = 'PENDING' OR (status = 'REPLAYING' AND replayed_at < now() - make_interval(secs => ${staleAfterSeconds}))
            ORDER BY first_failed_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
        const letters = rows.length === 0 ? [] : await tx.deadLetter.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { firstFailedAt: 'asc' } });
        const replay: ClaimedLetter[] = [];
        const manualReview: Array<{ id: string; topic: string; reason: string }> = [];
        for (const letter of letters) {
          const decision = autoReplayDecision(letter, rules, now);
          if (decision.action === 'replay') {
            await tx.deadLetter.update({ where: { id: letter.id }, data: { status: 'REPLAYING', replayedAt: now, autoReplays: { increment: 1 }, lastAutoReplayAt: now } });
            replay.push({ id: letter.id, pubsubName: letter.pubsubName, topic: letter.topic, eventId: letter.eventId, event: letter.event as Record<string, unknown> });
          } else {
            await tx.deadLetter.update({ where: { id: letter.id }, data: { status: 'MANUAL_REVIEW', manualReviewReason: decision.reason } });
            manualReview.push({ id: letter.id, topic: letter.topic, reason: decision.reason });
          }
        }
        return { replay, manualReview };
      });
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
