/**
 * The payment, inventory, shipping and notification providers, over HTTP as the real ones would be
 * called (locally the providers app; PROVIDERS_URL points elsewhere). Every call carries an
 * idempotency key and the order's correlation id. Errors are sorted for the workflow's retries:
 * a 4xx means the request itself is wrong (or refused for good) and is never retried.
 */
import { CORRELATION_HEADER, httpRequest, isRefusalStatus, NonRetryableError } from '@holdfast/shared';

/** A provider's refusal that retrying cannot change (402 declined, 409 out of stock, 400 bad address...). */
export class ProviderRefusal extends NonRetryableError {
  constructor(readonly operation: string, readonly status: number, detail: string) {
    super(`${operation} refused (${status}): ${detail}`);
    this.name = 'ProviderRefusal';
  }
}

/** 5xx, 408, 429, a timeout or no connection: the outcome is unknown, a retry with the same key is safe. */
export class ProviderUnavailable extends Error {
  constructor(readonly operation: string, detail: string) {
    super(`${operation} unavailable: ${detail}`);
    this.name = 'ProviderUnavailable';
  }
}

export interface CallContext {
  idempotencyKey: string;
  correlationId: string;
}

export interface LabelStatus {
  labelId: string;
  status: 'in_progress' | 'created' | 'cancelled' | string;
  progress: number;
  trackingNumber?: string;
}

export function createProvidersClient(baseUrl: string, timeoutMs: number) {
  async function call<T>(operation: string, method: 'POST' | 'GET', path: string, body: unknown, context: Partial<CallContext>): Promise<T> {
    let status: number;
    let text: string;
    try {
      ({ status, text } = await httpRequest(`${baseUrl}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(context.idempotencyKey ? { 'idempotency-key': context.idempotencyKey } : {}),
          ...(context.correlationId ? { [CORRELATION_HEADER]: context.correlationId } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
      }));
    } catch (error) {
      throw new ProviderUnavailable(operation, error instanceof Error ? error.message : String(error));
    }
    if (status >= 200 && status < 300) return (text ? JSON.parse(text) : {}) as T;
    const detail = errorMessage(text) ?? `status ${status}`;
    if (isRefusalStatus(status)) throw new ProviderRefusal(operation, status, detail);
    throw new ProviderUnavailable(operation, `${status} ${detail}`);
  }

  return {
    authorize: (input: { amount: number; currency: string; reference: string }, ctx: CallContext) =>
      call<{ authorizationId: string }>('payment.authorize', 'POST', '/payment/authorize', input, ctx),
    capture: (input: { authorizationId: string; amount: number }, ctx: CallContext) =>
      call<{ captureId: string }>('payment.capture', 'POST', '/payment/capture', input, ctx),
    releaseAuthorization: (input: { authorizationId: string }, ctx: CallContext) =>
      call<{ status: string }>('payment.release', 'POST', '/payment/release', input, ctx),
    refund: (input: { captureId: string }, ctx: CallContext) =>
      call<{ refundId: string }>('payment.refund', 'POST', '/payment/refund', input, ctx),
    reserve: (input: { reference: string; items: Array<{ sku: string; quantity: number }> }, ctx: CallContext) =>
      call<{ reservationId: string }>('inventory.reserve', 'POST', '/inventory/reserve', input, ctx),
    releaseReservation: (input: { reservationId: string }, ctx: CallContext) =>
      call<{ status: string }>('inventory.release', 'POST', '/inventory/release', input, ctx),
    /** Seed 003's STOCK_RELEASE: locked stock of one product given back by quantity. */
    releaseStock: (input: { productId: string; quantity: number }, ctx: CallContext) =>
      call<{ stockReleaseId: string; status: string }>('inventory.release-stock', 'POST', '/inventory/release-stock', input, ctx),
    createLabel: (input: { reference: string; address: Record<string, unknown> }, ctx: CallContext) =>
      call<LabelStatus>('shipping.create-label', 'POST', '/shipping/create-label', input, ctx),
    labelStatus: (labelId: string, ctx: Pick<CallContext, 'correlationId'>) =>
      call<{ id: string; status: string; progress?: number }>('shipping.status', 'GET', `/shipping/${encodeURIComponent(labelId)}/status`, undefined, ctx),
    cancelLabel: (input: { labelId: string }, ctx: CallContext) =>
      call<{ status: string }>('shipping.cancel', 'POST', '/shipping/cancel', input, ctx),
    notify: (input: { channel: 'email' | 'whatsapp'; recipient: string; message: string; reference: string }, ctx: CallContext) =>
      call<{ notificationId: string }>('notification.send', 'POST', '/notification/send', input, ctx),
  };
}
export type ProvidersClient = ReturnType<typeof createProvidersClient>;

function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { type?: string; message?: string } };
    return body.error ? [body.error.type, body.error.message].filter(Boolean).join(': ') : undefined;
  } catch {
    return text ? text.slice(0, 200) : undefined;
  }
}
