/**
 * The payment provider, over HTTP as the real one would be called: every call carries an
 * idempotency key derived from the hold and the step, and the request's correlation id.
 */
import { CORRELATION_HEADER, currentCorrelationId, httpRequest, isRefusalStatus, type HttpResponse } from '@holdfast/shared';

export type PaymentOutcome<T> =
  | { ok: true; value: T }
  /** The card or account said no (402): the customer may try another. */
  | { ok: false; kind: 'declined'; status: number }
  /** The provider refused the request itself (other 4xx): retrying will not help. */
  | { ok: false; kind: 'rejected'; status: number }
  /** 5xx, timeout or no connection: the outcome is unknown, a retry with the same key is safe. */
  | { ok: false; kind: 'unavailable'; status?: number };

export interface PaymentsClient {
  authorize(input: { amount: number; currency: string; token: string; reference: string }, idempotencyKey: string): Promise<PaymentOutcome<{ authorizationId: string }>>;
  capture(input: { authorizationId: string; amount: number }, idempotencyKey: string): Promise<PaymentOutcome<{ captureId: string }>>;
  release(input: { authorizationId: string }, idempotencyKey: string): Promise<PaymentOutcome<unknown>>;
  refund(input: { captureId: string; amount: number }, idempotencyKey: string): Promise<PaymentOutcome<{ refundId: string }>>;
}

export function createPaymentsClient(baseUrl: string, timeoutMs = 5_000): PaymentsClient {
  async function call<T>(path: string, body: unknown, idempotencyKey: string): Promise<PaymentOutcome<T>> {
    let response: HttpResponse;
    try {
      response = await httpRequest(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, [CORRELATION_HEADER]: currentCorrelationId() ?? idempotencyKey },
        body: JSON.stringify(body),
        timeoutMs,
      });
    } catch {
      return { ok: false, kind: 'unavailable' };
    }
    if (response.status >= 200 && response.status < 300) return { ok: true, value: JSON.parse(response.text) as T };
    if (response.status === 402) return { ok: false, kind: 'declined', status: 402 };
    if (isRefusalStatus(response.status)) return { ok: false, kind: 'rejected', status: response.status };
    return { ok: false, kind: 'unavailable', status: response.status };
  }
  return {
    authorize: (input, key) => call('/payment/authorize', input, key),
    capture: (input, key) => call('/payment/capture', input, key),
    release: (input, key) => call('/payment/release', input, key),
    refund: (input, key) => call('/payment/refund', input, key),
  };
}
