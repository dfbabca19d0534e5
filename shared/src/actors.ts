/**
 * Calls an actor method through the app's own sidecar (Dapr's HTTP actor API). Used instead of the
 * SDK's ActorProxy, whose proxies answer to `then` (awaiting one invokes a method called "then").
 * Actor methods report business outcomes in their result; a thrown error reaches us as a 500 with
 * an empty body, so it can only mean "something broke".
 */
import { sidecarHeaders, sidecarUrl, type SidecarSettings } from './sidecar';
import { CORRELATION_HEADER, currentCorrelationId } from './correlation';
import { httpRequest } from './http-client';

/** The sidecar's URL for `rest` (method/…, reminders/…, state…) of one actor, every id part encoded. */
function actorUrl(settings: SidecarSettings, actorType: string, actorId: string, rest: string): string {
  return sidecarUrl(settings, `/v1.0/actors/${encodeURIComponent(actorType)}/${encodeURIComponent(actorId)}/${rest}`);
}

export class ActorCallError extends Error {
  constructor(readonly actorType: string, readonly actorId: string, readonly method: string, readonly status: number, body: string) {
    super(`${actorType}/${actorId}.${method} failed with ${status}${body ? `: ${body.slice(0, 300)}` : ''}`);
    this.name = 'ActorCallError';
  }
}

export async function invokeActor<T>(settings: SidecarSettings, actorType: string, actorId: string, method: string, body?: unknown): Promise<T> {
  const correlationId = currentCorrelationId();
  const { status, text } = await httpRequest(actorUrl(settings, actorType, actorId, `method/${encodeURIComponent(method)}`), {
    method: 'PUT',
    headers: { ...sidecarHeaders(settings), 'content-type': 'application/json', ...(correlationId ? { [CORRELATION_HEADER]: correlationId } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs: 30_000,
  });
  if (status < 200 || status >= 300) throw new ActorCallError(actorType, actorId, method, status, text);
  // A method that returns nothing answers with the text "undefined" (SDK 3.18).
  return (text && text !== 'undefined' ? JSON.parse(text) : undefined) as T;
}

/**
 * Registers (or replaces) an actor reminder due at an instant, through the sidecar's HTTP actor API.
 * The SDK's registerActorReminder takes a duration, which the runtime counts from when the call
 * lands: in drill long-d a registration held up 16 s by a sidecar reconnecting to a restarted
 * scheduler moved a hold's expiry 16 s later. An RFC 3339 instant does not move; the SDK cannot send
 * one (it lowercases the due time). An instant already past fires at once.
 */
export async function registerActorReminderAt(settings: SidecarSettings, actorType: string, actorId: string, name: string,
  reminder: { dueAt: Date; periodSeconds?: number; data?: string }): Promise<void> {
  const { status, text } = await httpRequest(actorUrl(settings, actorType, actorId, `reminders/${encodeURIComponent(name)}`), {
    method: 'POST',
    headers: { ...sidecarHeaders(settings), 'content-type': 'application/json' },
    body: JSON.stringify({
      dueTime: reminder.dueAt.toISOString(),
      ...(reminder.periodSeconds ? { period: `${reminder.periodSeconds}s` } : {}),
      ...(reminder.data === undefined ? {} : { data: reminder.data }),
    }),
    timeoutMs: 30_000,
  });
  if (status < 200 || status >= 300) throw new ActorCallError(actorType, actorId, `reminder ${name}`, status, text);
}

/** Removes an actor reminder by name through the sidecar's HTTP actor API; one already gone is not an error. */
export async function unregisterActorReminder(settings: SidecarSettings, actorType: string, actorId: string, name: string): Promise<void> {
  const { status, text } = await httpRequest(actorUrl(settings, actorType, actorId, `reminders/${encodeURIComponent(name)}`), {
    method: 'DELETE',
    headers: sidecarHeaders(settings),
    timeoutMs: 30_000,
  });
  if ((status < 200 || status >= 300) && status !== 404) throw new ActorCallError(actorType, actorId, `reminder ${name}`, status, text);
}

/**
 * One key of an actor's state, through the sidecar's HTTP actor API (undefined when absent). The
 * SDK's state manager does the same, but each activation builds its own SDK client, whose first call
 * first asks the sidecar for /v1.0/metadata: one more exchange per actor activated (issue 15).
 */
export async function getActorState<T>(settings: SidecarSettings, actorType: string, actorId: string, key: string): Promise<T | undefined> {
  const { status, text } = await httpRequest(actorUrl(settings, actorType, actorId, `state/${encodeURIComponent(key)}`), {
    method: 'GET',
    headers: sidecarHeaders(settings),
    timeoutMs: 30_000,
  });
  if (status === 204 || (status >= 200 && status < 300 && text === '')) return undefined;
  if (status < 200 || status >= 300) throw new ActorCallError(actorType, actorId, `state ${key}`, status, text);
  return JSON.parse(text) as T;
}

/** Writes keys of an actor's state in one transaction (upsert each value; undefined deletes the key). */
export async function saveActorState(settings: SidecarSettings, actorType: string, actorId: string, values: Record<string, unknown>): Promise<void> {
  const operations = Object.entries(values).map(([key, value]) => (value === undefined ? { operation: 'delete', request: { key } } : { operation: 'upsert', request: { key, value } }));
  const { status, text } = await httpRequest(actorUrl(settings, actorType, actorId, 'state'), {
    method: 'POST',
    headers: { ...sidecarHeaders(settings), 'content-type': 'application/json' },
    body: JSON.stringify(operations),
    timeoutMs: 30_000,
  });
  if (status < 200 || status >= 300) throw new ActorCallError(actorType, actorId, 'state', status, text);
}
