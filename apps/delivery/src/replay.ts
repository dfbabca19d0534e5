/**
 * Replaying dead letters: the stored event is published again to its original topic, under its
 * original id (so every send inside it keeps its idempotency key) and with a `replayof` attribute
 * naming the dead letter, which the subscriber marks REPLAYED once it succeeds.
 */
import { publishCloudEvent, TOPICS, type SidecarSettings } from '@holdfast/shared';
import type { DeadLettersRepository } from './data/dead-letters.repository';
import type { RefundsRepository } from './data/refunds.repository';

/** What Dapr added on delivery; it adds them again when the event is republished. */
const DAPR_ADDED = ['topic', 'pubsubname', 'traceid', 'traceparent', 'tracestate', 'replayof'];

export function replayableEvent(stored: Record<string, unknown>, deadLetterId: string): Record<string, unknown> {
  const event = Object.fromEntries(Object.entries(stored).filter(([name]) => !DAPR_ADDED.includes(name)));
  return { ...event, replayof: deadLetterId };
}

export type ReplayResult = { id: string; topic: string; status: 'REPLAYING' | 'REPLAYED' | 'DISCARDED' | 'NOT_FOUND' | 'PENDING' };

export function createReplayer(deps: { deadLetters: DeadLettersRepository; refunds: RefundsRepository; sidecar: SidecarSettings; pubsubName: string }) {
  /**
   * Publishes one dead letter already marked REPLAYING. A refund comes out of manual review first
   * (its handler acts only on PENDING jobs); if publishing fails, both go back as they were.
   */
  async function publish(letter: { id: string; pubsubName: string; topic: string; eventId: string; event: Record<string, unknown> }): Promise<void> {
    const refund = letter.topic === TOPICS.refundRequested;
    if (refund) await deps.refunds.requeueEvents([letter.eventId]);
    try {
      await publishCloudEvent(deps.sidecar, letter.pubsubName, letter.topic, replayableEvent(letter.event, letter.id));
    } catch (error) {
      await deps.deadLetters.markPending(letter.id);
      if (refund) await deps.refunds.unqueueEvents([letter.eventId]);
      throw error;
    }
  }

  async function replay(id: string): Promise<ReplayResult> {
    const letter = await deps.deadLetters.find(id);
    if (!letter) return { id, topic: '', status: 'NOT_FOUND' };
    if (!(await deps.deadLetters.markReplaying(id))) return { id, topic: letter.topic, status: letter.status === 'DISCARDED' ? 'DISCARDED' : 'REPLAYED' };
    await publish({ ...letter, event: letter.event as Record<string, unknown> });
    return { id, topic: letter.topic, status: 'REPLAYING' };
  }

  return {
    replay,
    /** Publishes one dead letter the caller already claimed (REPLAYING): the reprocessing job's path. */
    publishClaimed: publish,
    /**
     * Every PENDING dead letter of a topic (up to `limit`): claimed in one statement, then published
     * 32 at a time. One that cannot be published goes back to PENDING and is counted as not replayed.
     */
    async replayTopic(topic: string, limit: number): Promise<ReplayResult[]> {
      const letters = await deps.deadLetters.claimTopic(topic, limit);
      const results: ReplayResult[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(32, letters.length) }, async () => {
        while (next < letters.length) {
          const letter = letters[next++]!;
          try {
            await publish({ id: letter.id, pubsubName: letter.pubsub_name, topic: letter.topic, eventId: letter.event_id, event: letter.event });
            results.push({ id: letter.id, topic, status: 'REPLAYING' });
          } catch {
            results.push({ id: letter.id, topic, status: 'PENDING' });
          }
        }
      }));
      return results;
    },
  };
}
export type Replayer = ReturnType<typeof createReplayer>;
