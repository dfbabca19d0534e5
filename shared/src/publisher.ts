/**
 * Publishes our own CloudEvents through the sidecar (content type application/cloudevents+json),
 * so Dapr keeps the id we give: the outbox row's id, the same on every republish, which is what
 * subscribers de-duplicate on. Dapr adds topic, pubsubname and trace fields.
 */
import { httpRequest } from './http-client';
import { sidecarHeaders, sidecarUrl, type SidecarSettings } from './sidecar';

export interface OutgoingEvent {
  id: string;
  type: string;
  /** The booking, show or refund the event is about. */
  subject: string;
  source: string;
  time: Date;
  data: Record<string, unknown>;
  correlationId?: string | null;
  /** Extension attributes (lowercase letters and digits only, as CloudEvents demands). */
  extensions?: Record<string, string>;
}

export class PublishError extends Error {
  constructor(readonly topic: string, readonly status: number, detail: string) {
    super(`publishing to ${topic} failed with ${status}: ${detail.slice(0, 300)}`);
    this.name = 'PublishError';
  }
}

export function toCloudEvent(event: OutgoingEvent): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject,
    time: event.time.toISOString(),
    datacontenttype: 'application/json',
    // Subscribers read the correlation id from data (shared/subscriptions.ts); the extension lets
    // anything else that reads the stream see it too.
    data: event.correlationId ? { ...event.data, correlationId: event.correlationId } : event.data,
    ...(event.correlationId ? { correlationid: event.correlationId } : {}),
    ...event.extensions,
  };
}

export async function publishCloudEvent(sidecar: SidecarSettings, pubsubName: string, topic: string, cloudEvent: Record<string, unknown>, timeoutMs = 5_000): Promise<void> {
  const response = await httpRequest(sidecarUrl(sidecar, `/v1.0/publish/${encodeURIComponent(pubsubName)}/${encodeURIComponent(topic)}`), {
    method: 'POST',
    headers: { ...sidecarHeaders(sidecar), 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(cloudEvent),
    timeoutMs,
  });
  if (response.status !== 204 && response.status !== 200) throw new PublishError(topic, response.status, response.text);
}

/** At most this many events in one bulk request. */
export const BULK_PUBLISH_MAX = 100;

/**
 * Publishes several CloudEvents to one topic in one request to the sidecar (Dapr's bulk publish,
 * `/v1.0/publish/bulk`): one HTTP exchange instead of one per event. Dapr gives no order among
 * them and may publish some and not others: the ids it could not publish come back (all of them
 * when the sidecar refused the request itself). Ids and content type are kept as in publishCloudEvent.
 */
export async function publishCloudEvents(sidecar: SidecarSettings, pubsubName: string, topic: string, cloudEvents: Array<Record<string, unknown> & { id: string }>, timeoutMs = 5_000): Promise<{ failed: Map<string, string> }> {
  const response = await httpRequest(sidecarUrl(sidecar, `/v1.0/publish/bulk/${encodeURIComponent(pubsubName)}/${encodeURIComponent(topic)}`), {
    method: 'POST',
    headers: { ...sidecarHeaders(sidecar), 'content-type': 'application/json' },
    body: JSON.stringify(cloudEvents.map((event) => ({ entryId: event.id, event, contentType: 'application/cloudevents+json' }))),
    timeoutMs,
  });
  if (response.status === 204 || response.status === 200) return { failed: new Map() };
  // A partial failure is a 500 naming the entries that failed; anything else failed them all.
  const named = (() => {
    try {
      const body = JSON.parse(response.text) as { failedEntries?: Array<{ entryId?: unknown; error?: unknown }> };
      return Array.isArray(body.failedEntries) && body.failedEntries.length > 0 ? body.failedEntries : undefined;
    } catch {
      return undefined;
    }
  })();
  if (!named) throw new PublishError(topic, response.status, response.text);
  return { failed: new Map(named.map((entry) => [String(entry.entryId), String(entry.error ?? `status ${response.status}`)])) };
}
