import Stripe from 'stripe';
import { retryDelayMs, signatureHeader, WebhookSender, type WebhookClock, type WebhookPost, type WebhookSettings } from './webhooks';

const settings: WebhookSettings = { url: 'http://booking/webhooks/payments', secret: 'whsec_test_secret', delayMs: 200, maxAttempts: 4, retryBaseMs: 1_000, retryMaxMs: 3_000, timeoutMs: 5_000 };

/** A clock the test moves by hand: scheduled work runs when its time comes. */
function manualClock(start = 1_800_000_000_000) {
  let now = start;
  let timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  const clock: WebhookClock & { advance(ms: number): Promise<void>; waiting(): number[] } = {
    now: () => now,
    schedule: (fn, ms) => {
      const timer = { at: now + ms, fn, cancelled: false };
      timers.push(timer);
      return () => { timer.cancelled = true; };
    },
    advance: async (ms) => {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
        // Let the attempt's promise chain settle before the next timer.
        for (let i = 0; i < 10; i++) await Promise.resolve();
      }
      now = until;
    },
    waiting: () => timers.filter((t) => !t.cancelled).map((t) => t.at - now),
  };
  return clock;
}

function recordingPost(statuses: Array<number | Error>) {
  const sent: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
  const post: WebhookPost = async (url, body, headers) => {
    sent.push({ url, body, headers });
    const next = statuses.shift() ?? 200;
    if (next instanceof Error) throw next;
    return { status: next, text: next < 300 ? '{"received":true}' : 'nope' };
  };
  return { post, sent };
}

let ids = 0;
const newId = (prefix: string) => `${prefix}_${++ids}`;

describe('webhook signature', () => {
  it('when a body is signed, then Stripe\'s own verifier accepts it, and refuses another secret or an altered body', () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'charge.refunded' });
    const t = Math.floor(Date.now() / 1000);
    const header = signatureHeader(payload, 'whsec_abc', t);
    expect(header).toMatch(new RegExp(`^t=${t},v1=[0-9a-f]{64}$`));
    expect(Stripe.webhooks.constructEvent(payload, header, 'whsec_abc', 300).id).toBe('evt_1');
    expect(() => Stripe.webhooks.constructEvent(payload, header, 'whsec_other', 300)).toThrow(/No signatures found/);
    expect(() => Stripe.webhooks.constructEvent(payload.replace('evt_1', 'evt_2'), header, 'whsec_abc', 300)).toThrow(/No signatures found/);
    // The same scheme Stripe's test helper produces.
    expect(header).toBe(Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_abc', timestamp: t }));
  });

  it('when the signature is older than the tolerance, then Stripe\'s verifier refuses it', () => {
    const payload = '{"id":"evt_old","object":"event"}';
    const header = signatureHeader(payload, 'whsec_abc', Math.floor(Date.now() / 1000) - 600);
    expect(() => Stripe.webhooks.constructEvent(payload, header, 'whsec_abc', 300)).toThrow(/tolerance/);
  });
});

describe('webhook backoff', () => {
  it('when attempts keep failing, then the wait doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, settings))).toEqual([1_000, 2_000, 3_000, 3_000, 3_000]);
  });
});

describe('webhook sender', () => {
  it('when an event is queued, then it is sent after the delay, signed, shaped like a Stripe event', async () => {
    const clock = manualClock();
    const { post, sent } = recordingPost([200]);
    const sender = new WebhookSender(settings, post, newId, clock);
    const delivery = sender.enqueue('charge.refunded', { id: 're_1', object: 'refund', amount: 500 }, 'key-1');
    await clock.advance(199);
    expect(sent).toHaveLength(0);
    await clock.advance(1);
    expect(sent).toHaveLength(1);
    const event = Stripe.webhooks.constructEvent(sent[0]!.body, sent[0]!.headers['stripe-signature']!, settings.secret, 300, undefined, clock.now());
    expect(event).toMatchObject({ id: delivery.event.id, object: 'event', type: 'charge.refunded', data: { object: { id: 're_1', amount: 500 } }, request: { idempotency_key: 'key-1' } });
    expect(sender.get(delivery.event.id)).toMatchObject({ status: 'delivered', attempts: [{ status: 200, manual: false }] });
  });

  it('when the endpoint fails or cannot be reached, then it is retried with backoff until the attempts run out, each recorded', async () => {
    const clock = manualClock();
    const { post, sent } = recordingPost([500, new Error('ECONNREFUSED'), 503, 500, 200]);
    const sender = new WebhookSender(settings, post, newId, clock);
    const { event } = sender.enqueue('charge.refunded', { id: 're_2' });
    await clock.advance(200);
    expect(sender.get(event.id)).toMatchObject({ status: 'retrying' });
    expect(clock.waiting()).toEqual([1_000]);
    await clock.advance(1_000 + 2_000 + 3_000);
    const delivery = sender.get(event.id)!;
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, null, 503, 500]);
    expect(delivery.attempts[1]!.error).toBe('ECONNREFUSED');
    expect(delivery.status).toBe('failed');
    expect(clock.waiting()).toEqual([]);
    // Every attempt sends the same body (the same event id), freshly signed.
    expect(new Set(sent.map((s) => s.body)).size).toBe(1);
    expect(new Set(sent.map((s) => s.headers['stripe-signature'])).size).toBe(4);
  });

  it('when an event is resent, then the same event goes once more and a success ends pending retries', async () => {
    const clock = manualClock();
    const { post, sent } = recordingPost([500, 200]);
    const sender = new WebhookSender(settings, post, newId, clock);
    const { event } = sender.enqueue('charge.refunded', { id: 're_3' });
    await clock.advance(200);
    expect(clock.waiting()).toEqual([1_000]);
    const resent = await sender.resend(event.id);
    expect(resent).toMatchObject({ status: 'delivered', attempts: [{ status: 500, manual: false }, { status: 200, manual: true }] });
    expect(clock.waiting()).toEqual([]);
    expect(sent[1]!.body).toBe(sent[0]!.body);
    expect(await sender.resend('evt_unknown')).toBeUndefined();
  });

  it('when deliveries are listed or cleared, then filters apply and clearing cancels their retries', async () => {
    const clock = manualClock();
    const sender = new WebhookSender(settings, recordingPost([]).post, newId, clock, 2);
    sender.enqueue('charge.refunded', { id: 're_a' });
    sender.enqueue('charge.updated', { id: 're_b' });
    sender.enqueue('charge.refunded', { id: 're_c' });
    expect(sender.list().map((d) => d.event.data.object.id)).toEqual(['re_b', 're_c']);
    expect(sender.list({ type: 'charge.refunded' }).map((d) => d.event.data.object.id)).toEqual(['re_c']);
    expect(sender.list({ objectId: 're_b' })).toHaveLength(1);
    expect(clock.waiting()).toHaveLength(2);
    sender.clear();
    expect(sender.list()).toEqual([]);
    expect(clock.waiting()).toEqual([]);
  });
});
