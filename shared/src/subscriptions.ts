/**
 * Declarative pub/sub subscriptions served by the app itself (GET /dapr/subscribe plus one POST
 * route each) instead of the SDK's: the SDK hands handlers only `data` (the CloudEvent id, needed
 * for idempotency and dead letters, is lost) and acknowledges a handler that throws as SUCCESS,
 * which would silently drop the message. Here a throw means RETRY, invalid data means DROP (to
 * the dead-letter topic), and each handler sees the whole event.
 */
import type { Express } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { correlationIdFrom, withCorrelationId } from './correlation';
import { cloudEventSchema, type CloudEvent } from './dead-letters';

/** What Dapr does with the message: acknowledge it, deliver it again, or give up (dead-letter it). */
export type DeliveryStatus = 'SUCCESS' | 'RETRY' | 'DROP';

export interface Subscription<T = unknown> {
  pubsubName: string;
  topic: string;
  /** Messages this subscriber gives up on (DROP, or retries exhausted) are published here. */
  deadLetterTopic?: string;
  data: z.ZodType<T>;
  handle: (data: T, event: CloudEvent) => Promise<DeliveryStatus | void>;
}

export function subscriptionRoute(sub: Pick<Subscription, 'pubsubName' | 'topic'>): string {
  return `/events/${encodeURIComponent(sub.pubsubName)}/${encodeURIComponent(sub.topic)}`;
}

function correlationOf(event: CloudEvent): string {
  const data = event.data as { correlationId?: unknown } | undefined;
  return correlationIdFrom(data?.correlationId ?? event.id);
}

/** Registers GET /dapr/subscribe and the delivery routes; call before the SDK's DaprServer starts. */
export function serveSubscriptions(app: Express, subscriptions: Subscription<any>[], logger: Logger): void {
  app.get('/dapr/subscribe', (_req, res) => {
    res.json(subscriptions.map((sub) => ({
      pubsubname: sub.pubsubName,
      topic: sub.topic,
      route: subscriptionRoute(sub),
      ...(sub.deadLetterTopic ? { deadLetterTopic: sub.deadLetterTopic } : {}),
    })));
  });
  for (const sub of subscriptions) {
    app.post(subscriptionRoute(sub), async (req, res) => {
      const envelope = cloudEventSchema.safeParse(req.body);
      if (!envelope.success) {
        logger.warn({ topic: sub.topic }, 'delivery without a CloudEvent envelope: dropped');
        res.json({ status: 'DROP' });
        return;
      }
      const event = envelope.data;
      await withCorrelationId(correlationOf(event), async () => {
        const log = logger.child({ topic: sub.topic, eventId: event.id });
        const data = sub.data.safeParse(event.data);
        if (!data.success) {
          log.warn({ issues: data.error.issues.slice(0, 5) }, 'event data invalid: dropped to the dead-letter topic');
          res.json({ status: 'DROP' });
          return;
        }
        let status: DeliveryStatus;
        try {
          status = (await sub.handle(data.data, event)) ?? 'SUCCESS';
        } catch (error) {
          log.warn({ err: error }, 'handler failed: Dapr will retry');
          status = 'RETRY';
        }
        res.json({ status });
      });
    });
  }
}
