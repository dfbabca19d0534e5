/**
 * What a failed provider call means for the message: retrying cannot fix a refusal (a 4xx other
 * than 408/429: bad recipient, bad address, unknown payment), so it is recorded FAILED and the
 * message given up (DROP, to the dead-letter store); anything else (5xx, timeouts, connection
 * errors, an open circuit) is worth another delivery (RETRY). Pure: no Dapr, no HTTP client.
 */
export type SendOutcome =
  | { kind: 'sent'; providerId: string | null }
  | { kind: 'refused'; status: number; reason: string }
  /** `status`: the provider's HTTP status when it answered (5xx, 408, 429); absent when it did not. */
  | { kind: 'transient'; reason: string; status?: number };

const REFUSAL = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** Classifies an HTTP status a provider answered (undefined: no answer at all). */
export function outcomeOfStatus(status: number | undefined, reason: string): Exclude<SendOutcome, { kind: 'sent' }> {
  if (status !== undefined && REFUSAL(status)) return { kind: 'refused', status, reason };
  return status !== undefined ? { kind: 'transient', reason, status } : { kind: 'transient', reason };
}

/**
 * Dapr's HTTP output binding reports a provider's non-2xx answer only inside its error text
 * ("error invoking output binding sms-gateway: received status code 400"): the status is read back from it.
 */
export function statusFromBindingError(message: string): number | undefined {
  const match = /received status code (\d{3})/.exec(message);
  return match ? Number(match[1]) : undefined;
}

export type DeliveryStatus = 'SUCCESS' | 'RETRY' | 'DROP';

/**
 * One answer for a message that asked for several sends (a notice by SMS and email): retry while
 * any send may still succeed; else give up if any was refused; else done. Sends that succeeded are
 * not repeated on the next delivery (they are recorded SENT, and the provider sees an idempotency key).
 */
export function combineOutcomes(outcomes: Array<SendOutcome['kind'] | 'skipped'>): DeliveryStatus {
  if (outcomes.includes('transient')) return 'RETRY';
  if (outcomes.includes('refused')) return 'DROP';
  return 'SUCCESS';
}
