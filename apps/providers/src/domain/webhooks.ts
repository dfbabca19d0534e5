/**
 * The webhooks the simulated payment provider sends to its account's endpoint, as Stripe does: an
 * event (`evt_…`, `object: "event"`, `data.object` the resource), signed in `Stripe-Signature`
 * (`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`), sent a little after the
 * API call that caused it, retried with exponential backoff on a non-2xx answer or a network
 * error, every attempt recorded. Each attempt is signed anew (a fresh `t`), so a late retry is not
 * refused as too old; the body, and so the event id, stay the same: the receiver deduplicates by id.
 * Time, ids and the network are injected: the tests drive it without timers or sockets.
 */
import { createHmac } from 'node:crypto';

export interface WebhookEvent {
  id: string;
  object: 'event';
  type: string;
  /** Unix seconds. */
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  data: { object: Record<string, unknown> };
}

export interface WebhookSettings {
  url: string;
  secret: string;
  /** Before the first attempt (the API call has been answered by then). */
  delayMs: number;
  /** Automatic attempts in all, the first included; a manual resend is one more. */
  maxAttempts: number;
  /** Backoff: base × 2^(n-1) after the n-th failed attempt, at most retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long an attempt waits for the endpoint's answer. */
  timeoutMs: number;
}

export interface WebhookAttempt {
  at: string;
  /** The endpoint's HTTP status; null when it could not be reached or did not answer in time. */
  status: number | null;
  error: string | null;
  /** The start of the endpoint's answer, for whoever debugs it. */
  response: string | null;
  ms: number;
  /** True for POST /admin/webhooks/:eventId/resend. */
  manual: boolean;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'retrying' | 'failed';

export interface WebhookDelivery {
  event: WebhookEvent;
  /** The exact body every attempt sends (and signs). */
  body: string;
  url: string;
  createdAt: string;
  status: DeliveryStatus;
  attempts: WebhookAttempt[];
  nextAttemptAt: string | null;
}

/** Sends one signed body; resolves with the status and the answer's text, rejects on a network error or timeout. */
export type WebhookPost = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<{ status: number; text: string }>;

export interface WebhookClock {
  now(): number;
  /** Runs `fn` after `ms`; the returned function cancels it. */
  schedule(fn: () => void, ms: number): () => void;
}

export const systemClock: WebhookClock = {
  now: () => Date.now(),
  schedule: (fn, ms) => {
    // unref: a pending retry does not keep a stopping process alive.
    const timer = setTimeout(fn, ms).unref();
    return () => clearTimeout(timer);
  },
};

/** The `Stripe-Signature` header for `payload` at `timestampSeconds` (Stripe's v1 scheme). */
export function signatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}

/** How long to wait after the n-th failed automatic attempt (n from 1). */
export function retryDelayMs(failedAttempts: number, settings: Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>): number {
  return Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, failedAttempts - 1));
}

/** Stripe's event envelope around `object`. */
export function buildEvent(input: { id: string; type: string; object: Record<string, unknown>; createdMs: number; idempotencyKey?: string | null }): WebhookEvent {
  return {
    id: input.id, object: 'event', type: input.type, created: Math.floor(input.createdMs / 1000), livemode: false, pending_webhooks: 1,
    request: { id: null, idempotency_key: input.idempotencyKey ?? null }, data: { object: input.object },
  };
}

/** A delivery as GET /admin/webhooks shows it. */
export function deliveryView(delivery: WebhookDelivery) {
  const last = delivery.attempts.at(-1);
  return {
    eventId: delivery.event.id, type: delivery.event.type, objectId: delivery.event.data.object.id ?? null, url: delivery.url,
    createdAt: delivery.createdAt, status: delivery.status, attempts: delivery.attempts.length,
    lastStatus: last?.status ?? null, lastError: last?.error ?? null, nextAttemptAt: delivery.nextAttemptAt,
    attemptLog: delivery.attempts, event: delivery.event,
  };
}

const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

export class WebhookSender {
  private deliveries = new Map<string, WebhookDelivery>();
  private pending = new Map<string, () => void>();

  constructor(
    readonly settings: WebhookSettings,
    private readonly post: WebhookPost,
    private readonly newId: (prefix: string) => string,
    private readonly clock: WebhookClock = systemClock,
    private readonly capacity = 10_000,
  ) {}

  /** Records the event and schedules its first attempt after `delayMs`. */
  enqueue(type: string, object: Record<string, unknown>, idempotencyKey?: string | null): WebhookDelivery {
    const now = this.clock.now();
    const event = buildEvent({ id: this.newId('evt'), type, object, createdMs: now, idempotencyKey });
    const delivery: WebhookDelivery = {
      event, body: JSON.stringify(event), url: this.settings.url, createdAt: new Date(now).toISOString(), status: 'pending', attempts: [], nextAttemptAt: null,
    };
    this.deliveries.set(event.id, delivery);
    if (this.deliveries.size > this.capacity) this.forget(this.deliveries.keys().next().value!);
    this.scheduleAttempt(delivery, this.settings.delayMs);
    return delivery;
  }

  /** One more attempt now, whatever came before (Stripe's "resend"): the same event, the same id. */
  async resend(eventId: string): Promise<WebhookDelivery | undefined> {
    const delivery = this.deliveries.get(eventId);
    if (!delivery) return undefined;
    const attempt = await this.attempt(delivery, true);
    if (isSuccess(attempt.status)) {
      this.cancelPending(eventId);
      delivery.status = 'delivered';
      delivery.nextAttemptAt = null;
    }
    return delivery;
  }

  get(eventId: string): WebhookDelivery | undefined {
    return this.deliveries.get(eventId);
  }

  list(filter: { type?: string; objectId?: string; status?: string } = {}): WebhookDelivery[] {
    return [...this.deliveries.values()].filter((d) =>
      (!filter.type || d.event.type === filter.type) &&
      (!filter.objectId || d.event.data.object.id === filter.objectId) &&
      (!filter.status || d.status === filter.status));
  }

  /** Forgets every delivery and cancels their pending retries. */
  clear(): void {
    for (const id of [...this.deliveries.keys()]) this.forget(id);
  }

  private forget(eventId: string): void {
    this.cancelPending(eventId);
    this.deliveries.delete(eventId);
  }

  private cancelPending(eventId: string): void {
    this.pending.get(eventId)?.();
    this.pending.delete(eventId);
  }

  private scheduleAttempt(delivery: WebhookDelivery, delayMs: number): void {
    const id = delivery.event.id;
    delivery.nextAttemptAt = new Date(this.clock.now() + delayMs).toISOString();
    this.pending.set(id, this.clock.schedule(() => {
      this.pending.delete(id);
      void this.automaticAttempt(delivery);
    }, delayMs));
  }

  private async automaticAttempt(delivery: WebhookDelivery): Promise<void> {
    if (this.deliveries.get(delivery.event.id) !== delivery) return;
    delivery.nextAttemptAt = null;
    const attempt = await this.attempt(delivery, false);
    if (isSuccess(attempt.status)) {
      delivery.status = 'delivered';
      return;
    }
    // A manual resend may have succeeded meanwhile.
    if (delivery.status === 'delivered') return;
    const automatic = delivery.attempts.filter((a) => !a.manual).length;
    if (automatic >= this.settings.maxAttempts) {
      delivery.status = 'failed';
      return;
    }
    delivery.status = 'retrying';
    this.scheduleAttempt(delivery, retryDelayMs(automatic, this.settings));
  }

  private async attempt(delivery: WebhookDelivery, manual: boolean): Promise<WebhookAttempt> {
    const started = this.clock.now();
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': signatureHeader(delivery.body, this.settings.secret, Math.floor(started / 1000)),
    };
    let attempt: WebhookAttempt;
    try {
      const answer = await this.post(delivery.url, delivery.body, headers, this.settings.timeoutMs);
      attempt = { at: new Date(started).toISOString(), status: answer.status, error: null, response: answer.text.slice(0, 500) || null, ms: this.clock.now() - started, manual };
    } catch (error) {
      attempt = { at: new Date(started).toISOString(), status: null, error: error instanceof Error ? error.message : String(error), response: null, ms: this.clock.now() - started, manual };
    }
    delivery.attempts.push(attempt);
    return attempt;
  }
}
