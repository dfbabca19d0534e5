/**
 * The SMS/WhatsApp gateway and the refund gateway, reached through Dapr HTTP output bindings
 * (components/sms-gateway.yaml, components/refund-gateway.yaml): the sidecar applies the outbound
 * retry, timeout and circuit-breaker policies of components/resiliency.yaml to every call.
 */
import { httpRequest, HttpTimeoutError, sidecarHeaders, sidecarUrl, type SidecarSettings } from '@holdfast/shared';
import { outcomeOfStatus, statusFromBindingError, type SendOutcome } from '../domain/outcome';

export interface BindingCall {
  binding: string;
  body: unknown;
  idempotencyKey: string;
  correlationId?: string;
}

export interface BindingsClient {
  /** POSTs `body` to the binding's URL; the provider's id comes from `idField` of its answer. */
  post(call: BindingCall, idField: string): Promise<SendOutcome>;
}

export function createBindingsClient(sidecar: SidecarSettings, timeoutMs: number): BindingsClient {
  return {
    async post(call, idField) {
      let response;
      try {
        response = await httpRequest(sidecarUrl(sidecar, `/v1.0/bindings/${encodeURIComponent(call.binding)}`), {
          method: 'POST',
          headers: { ...sidecarHeaders(sidecar), 'content-type': 'application/json' },
          body: JSON.stringify({
            operation: 'post',
            data: call.body,
            metadata: { path: '', 'Content-Type': 'application/json', 'Idempotency-Key': call.idempotencyKey, ...(call.correlationId ? { 'X-Correlation-Id': call.correlationId } : {}) },
          }),
          timeoutMs,
        });
      } catch (error) {
        const reason = error instanceof HttpTimeoutError ? `the sidecar did not answer within ${timeoutMs} ms` : `the sidecar could not be reached: ${(error as Error).message}`;
        return { kind: 'transient', reason };
      }
      if (response.status >= 200 && response.status < 300) {
        let providerId: string | null = null;
        try {
          const parsed = JSON.parse(response.text) as Record<string, unknown>;
          providerId = typeof parsed[idField] === 'string' ? (parsed[idField] as string) : null;
        } catch {
          // An answer without JSON still means the provider accepted it.
        }
        return { kind: 'sent', providerId };
      }
      // The sidecar answers 500 for a provider's non-2xx (after its retries) and for an open circuit.
      const reason = `${call.binding}: ${response.text.slice(0, 300)}`;
      return outcomeOfStatus(statusFromBindingError(response.text), reason);
    },
  };
}
