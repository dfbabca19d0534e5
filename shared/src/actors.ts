/**
 * Calls an actor method through the app's own sidecar (Dapr's HTTP actor API). Used instead of the
 * SDK's ActorProxy, whose proxies answer to `then` (awaiting one invokes a method called "then").
 * Actor methods report business outcomes in their result; a thrown error reaches us as a 500 with
 * an empty body, so it can only mean "something broke".
 */
import { sidecarHeaders, sidecarUrl, type SidecarSettings } from './sidecar';
import { CORRELATION_HEADER, currentCorrelationId } from './correlation';
import { httpRequest } from './http-client';

export class ActorCallError extends Error {
  constructor(readonly actorType: string, readonly actorId: string, readonly method: string, readonly status: number, body: string) {
    super(`${actorType}/${actorId}.${method} failed with ${status}${body ? `: ${body.slice(0, 300)}` : ''}`);
    this.name = 'ActorCallError';
  }
}

export async function invokeActor<T>(settings: SidecarSettings, actorType: string, actorId: string, method: string, body?: unknown): Promise<T> {
  const correlationId = currentCorrelationId();
  const { status, text } = await httpRequest(sidecarUrl(settings, `/v1.0/actors/${encodeURIComponent(actorType)}/${encodeURIComponent(actorId)}/method/${encodeURIComponent(method)}`), {
    method: 'PUT',
    headers: { ...sidecarHeaders(settings), 'content-type': 'application/json', ...(correlationId ? { [CORRELATION_HEADER]: correlationId } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs: 30_000,
  });
  if (status < 200 || status >= 300) throw new ActorCallError(actorType, actorId, method, status, text);
  // A method that returns nothing answers with the text "undefined" (SDK 3.18).
  return (text && text !== 'undefined' ? JSON.parse(text) : undefined) as T;
}
