/**
 * Ticket emails end to end: booking commit → outbox → relay → pub/sub (Redis Streams) → delivery
 * app → SendGrid-compatible provider, with the provider failing and the delivery app crashing.
 * "Exactly once" is judged by the provider's own record: one accepted send per message key.
 */
import { randomUUID } from 'node:crypto';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { PDFDocument } from 'pdf-lib';
import { TOPICS } from '@holdfast/shared';
import { eventually } from '../support/app-stack';
import { acceptedByKey, recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { book, createShow, notificationsOf, seatIds, startDeliveryWorld, type ConfirmedBooking, type DeliveryWorld } from '../support/delivery-fixtures';

let world: DeliveryWorld;

beforeAll(async () => {
  // The sweeper republishes a message left PENDING for 150 s (above processingTimeout): see the SIGKILL test.
  // Emails retry on seed 001's queue (scheduler jobs), which gives up after EMAIL_MAX_ATTEMPTS: with half
  // the provider's calls failing, 5 attempts would lose 1 email in 32 to the dead letters by design, so
  // "all 200 arrive" is asked of 20 attempts, 1 s apart at most (docs/contracts.md, seed 001).
  world = await startDeliveryWorld('delivery-tickets', { deliveryEnv: { STUCK_AFTER_SECONDS: '150', STUCK_SWEEP_INTERVAL_SECONDS: '5', EMAIL_MAX_ATTEMPTS: '20', EMAIL_RETRY_MAX_SECONDS: '1' } });
});
afterAll(async () => world?.stop());
beforeEach(() => resetProviders());

interface SentMail {
  personalizations: Array<{ to: Array<{ email: string }> }>;
  subject: string;
  content: Array<{ type: string; value: string }>;
  attachments: Array<{ filename: string; type: string; content: string; disposition: string; content_id?: string }>;
  custom_args: { idempotency_key: string };
}

const ticketKey = (bookingId: string) => `booking-${bookingId}-ticket-email`;

async function waitAllSent(bookings: ConfirmedBooking[], timeoutMs: number) {
  const ids = bookings.map((b) => b.bookingId);
  await eventually(async () => (await notificationsOf(world, ids, TOPICS.bookingConfirmed)).filter((r) => r.status === 'SENT').length, (sent) => sent === bookings.length, timeoutMs, 500);
  return notificationsOf(world, ids, TOPICS.bookingConfirmed);
}

function decodeQr(pngBase64: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(pngBase64, 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

describe('ticket emails through the outbox, pub/sub and SendGrid', () => {
  it('when the email provider fails half of its calls with 500, then all 200 emails arrive, each exactly once, with a PDF and QR codes that decode to the tickets', async () => {
    await setChaos({ 'email.send': { outcomes: { ok: 0.5, '500': 0.5 } } }, 4242);
    const showId = await createShow(world, 'Two Hundred', 5);
    const bookings = await book(world, showId, Array.from({ length: 200 }, (_, i) => seatIds(i, 1)), {}, 16);

    const rows = await waitAllSent(bookings, 120_000);
    expect(rows.every((r) => r.provider_message_id?.startsWith('sg_'))).toBe(true);
    const calls = await recordedCalls({ domain: 'email', operation: 'send' });
    expect(calls.filter((c) => c.outcome === '500').length).toBeGreaterThan(20);

    const accepted = await acceptedByKey('email', 'send');
    for (const booking of bookings) {
      const sends = accepted.get(ticketKey(booking.bookingId)) ?? [];
      expect(sends).toHaveLength(1);
      const mail = sends[0]!.request as SentMail;
      expect(mail.personalizations[0]!.to[0]!.email).toMatch(/@example\.com$/);
      expect(mail.subject).toBe('Your tickets for Two Hundred');
      expect(mail.content.map((c) => c.type).sort()).toEqual(['text/html', 'text/plain']);
      const qr = mail.attachments.filter((a) => a.type === 'image/png');
      expect(qr).toHaveLength(1);
      expect(qr[0]).toMatchObject({ disposition: 'inline', content_id: 'qr-0' });
      expect(mail.content.find((c) => c.type === 'text/html')!.value).toContain('cid:qr-0');
      expect(decodeQr(qr[0]!.content)).toBe(booking.tickets[0]!.qrPayload);
      const pdf = mail.attachments.find((a) => a.type === 'application/pdf')!;
      expect(pdf).toMatchObject({ disposition: 'attachment', filename: `tickets-${booking.bookingId}.pdf` });
      expect((await PDFDocument.load(Buffer.from(pdf.content, 'base64'))).getPageCount()).toBe(1);
    }
  }, 240_000);

  it('when the delivery app is killed with SIGKILL while 100 emails are in flight, then after its restart every email is delivered and none twice', async () => {
    // Slow sends keep many messages in flight at the moment of the kill.
    await setChaos({ 'email.send': { outcomes: { ok: 1 }, latencyMs: 1_500 } });
    const showId = await createShow(world, 'Crash Course', 2);
    const bookings = await book(world, showId, Array.from({ length: 100 }, (_, i) => seatIds(i, 1)), {}, 16);
    const keys = new Set(bookings.map((b) => ticketKey(b.bookingId)));
    await eventually(async () => (await recordedCalls({ domain: 'email', operation: 'send' })).filter((c) => keys.has(c.idempotencyKey ?? '')).length, (received) => received >= 20, 60_000, 100);

    await world.delivery.killApp();
    const sentBeforeRestart = (await notificationsOf(world, bookings.map((b) => b.bookingId), TOPICS.bookingConfirmed)).filter((r) => r.status === 'SENT').length;
    expect(sentBeforeRestart).toBeLessThan(100);
    await world.delivery.startApp();

    // Normally within seconds. A message lost in the crash (it happens: docs/delivery.md) comes back
    // through the stuck-message sweeper after STUCK_AFTER_SECONDS, still once at the provider.
    await waitAllSent(bookings, 330_000);
    const accepted = await acceptedByKey('email', 'send');
    for (const key of keys) expect(accepted.get(key) ?? []).toHaveLength(1);
  }, 480_000);

  it('when a ticket email is sent on its second attempt, then the monitoring endpoint counts it once as delivered and once as retried, and /metrics the same figures', async () => {
    type Figures = { channels: Array<{ topic: string; channel: string; delivered: number; pending: number; retried: number }>; outbox: { pending: number } };
    const ticketsRow = async () => {
      const figures = await world.delivery.invoke<Figures>('GET', '/api/monitoring/delivery', undefined, world.admin);
      expect(figures.status).toBe(200);
      return figures.body.channels.find((c) => c.topic === TOPICS.bookingConfirmed && c.channel === 'email') ?? { delivered: 0, retried: 0 };
    };
    const showId = await createShow(world, 'Second Try', 1);
    const hold = await world.booking.invoke<{ holdId: string }>('POST', `/api/shows/${showId}/holds`, { seatIds: seatIds(0, 1), customerId: 'cust-second-try', customerEmail: 'second.try@example.com' });
    expect(hold.status).toBe(201);
    // The hold's "request received" email settles first (sent or skipped), so the one failure below is the ticket email's.
    await eventually(async () => (await world.db.query('SELECT status FROM notifications WHERE key = $1', [`hold-${hold.body.holdId}-request-received-email`])).rows[0]?.status,
      (status) => status !== undefined && status !== 'PENDING', 60_000, 250);
    const before = await ticketsRow();

    await setChaos({ 'email.send': { outcomes: { ok: 1 }, sequence: ['500'] } });
    const confirmed = await world.booking.invoke<ConfirmedBooking>('POST', `/api/holds/${hold.body.holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': `confirm-${hold.body.holdId}` });
    expect(confirmed.status).toBe(201);
    const [row] = await waitAllSent([confirmed.body], 60_000);
    expect(row).toMatchObject({ status: 'SENT', attempts: 2 });
    expect((await recordedCalls({ domain: 'email', operation: 'send', idempotencyKey: ticketKey(confirmed.body.bookingId) })).map((c) => c.outcome)).toEqual(['500', 'ok']);

    // This test's own email, counted by the difference: the test database keeps every earlier run's rows.
    const tickets = await ticketsRow();
    expect(tickets.delivered).toBe(before.delivered + 1);
    expect(tickets.retried).toBe(before.retried + 1);
    const metrics = await world.delivery.app<string>('GET', '/metrics');
    expect(metrics.body).toMatch(new RegExp(`holdfast_delivery_messages\\{topic="booking.confirmed",channel="email",state="delivered",app="delivery"\\} ${tickets.delivered}\\b`));
    expect(metrics.body).toMatch(new RegExp(`holdfast_delivery_messages\\{topic="booking.confirmed",channel="email",state="retried",app="delivery"\\} ${tickets.retried}\\b`));
    expect((await world.delivery.invoke('GET', '/api/monitoring/delivery')).status).toBe(401);
    // Bad input is a 400 with a machine-readable code, on every admin route.
    expect((await world.delivery.invoke<{ code: string }>('GET', '/api/admin/dead-letters?status=LOST', undefined, world.admin)).body.code).toBe('VALIDATION_FAILED');
    expect((await world.delivery.invoke<{ code: string }>('POST', '/api/admin/dead-letters/not-a-uuid/replay', undefined, world.admin)).body.code).toBe('VALIDATION_FAILED');
    expect((await world.delivery.invoke<{ code: string }>('POST', '/api/admin/dead-letters/replay', {}, world.admin)).body.code).toBe('VALIDATION_FAILED');
    expect((await world.delivery.invoke<{ code: string }>('POST', `/api/admin/refunds/${randomUUID()}/retry`, undefined, world.admin)).body.code).toBe('REFUND_NOT_FOUND');
  }, 120_000);
});
