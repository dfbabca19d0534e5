/**
 * Issue 13's resend, through the real stack: a sent ticket email resent by an admin is sent again
 * to the same recipient as a new notification (its own id and key, `<key>-resend-1`, resend_of,
 * who asked), through the subscriber's queue like any email, and reaches the providers app once
 * under the new key, the original's one send untouched. The console's X-Holdfast-Actor names who
 * asked; through the gateway the header is ignored. Refusals: not sent yet (409), not an email of
 * the queue (409), unknown (404), malformed (400), no token (401).
 */
import { randomUUID } from 'node:crypto';
import type { TimelinePart } from '@holdfast/shared';
import { eventually } from '../support/app-stack';
import { recordedCalls, resetProviders } from '../support/providers-client';
import { book, createShow, seatIds, startDeliveryWorld, type DeliveryWorld } from '../support/delivery-fixtures';
import { startConsoleSidecar, type ConsoleSidecar } from '../support/console-sidecar';
import { redeliveryQuietMs } from '../support/resiliency';

let world: DeliveryWorld;
let consoleSidecar: ConsoleSidecar;

beforeAll(async () => {
  world = await startDeliveryWorld('resend');
  consoleSidecar = await startConsoleSidecar('resend-console');
});
afterAll(async () => Promise.all([world?.stop(), consoleSidecar?.stop()]));
beforeEach(() => resetProviders());

interface Resend { id: string; key: string; resendOf: string; status: string; requestedBy: string }
type Row = { id: string; key: string; status: string; attempts: number; resend_of: string | null; requested_by: string | null; recipient: string; provider_message_id: string | null };
const rowByKey = async (key: string) => (await world.db.query<Row>('SELECT id, key, status, attempts, resend_of, requested_by, recipient, provider_message_id FROM notifications WHERE key = $1', [key])).rows[0];
const sentOk = async (key: string) => (await recordedCalls({ domain: 'email', operation: 'send', idempotencyKey: key })).filter((c) => c.outcome === 'ok');
const resendPath = (id: string) => `/api/admin/notifications/${id}/resend`;

describe('resending a notification', () => {
  it('when a sent ticket email is resent from the console, then it arrives a second time at the providers under the new key, once, to the same recipient, told in the timeline with who asked', async () => {
    const showId = await createShow(world, `Resend ${Date.now()}`, 1);
    const [confirmed] = await book(world, showId, [seatIds(0, 1)]);
    const bookingId = confirmed!.bookingId;
    const key = `booking-${bookingId}-ticket-email`;
    const original = await eventually(() => rowByKey(key), (row) => row?.status === 'SENT', 60_000, 250);
    const firstSend = await sentOk(key);
    expect(firstSend).toHaveLength(1);

    const resent = await consoleSidecar.invoke<Resend>('delivery', 'POST', resendPath(original!.id), {}, { ...world.admin, 'x-holdfast-actor': 'Alice Admin' });
    expect(resent).toMatchObject({ status: 202, body: { key: `${key}-resend-1`, resendOf: original!.id, status: 'PENDING', requestedBy: 'Alice Admin' } });
    expect(resent.body.id).not.toBe(original!.id);

    const calls = await eventually(() => sentOk(`${key}-resend-1`), (c) => c.length >= 1, 60_000, 250);
    const row = await eventually(() => rowByKey(`${key}-resend-1`), (r) => r?.status === 'SENT', 30_000, 250);
    // Time for a duplicate to show, if there were one: longer than one more redelivery could wait.
    await new Promise((resolve) => setTimeout(resolve, redeliveryQuietMs()));
    expect(await sentOk(`${key}-resend-1`)).toHaveLength(1);
    expect(await sentOk(key)).toHaveLength(1);
    // The same message: recipient and subject as the first send's (SendGrid's request as the providers recorded it).
    const sent = (call: { request: unknown }) => {
      const request = call.request as { personalizations: Array<{ to: Array<{ email: string }> }>; subject?: string };
      return { to: request.personalizations[0]!.to[0]!.email, subject: request.subject };
    };
    expect(sent(calls[0]!)).toEqual(sent(firstSend[0]!));
    expect(sent(calls[0]!).to).toBe(original!.recipient);
    expect(row).toMatchObject({ id: resent.body.id, resend_of: original!.id, requested_by: 'Alice Admin', attempts: 1, recipient: original!.recipient, provider_message_id: expect.stringMatching(/^sg_/) });

    const timeline = await world.delivery.invoke<TimelinePart>('GET', `/api/admin/timeline/bookings/${bookingId}`, undefined, world.admin);
    const own = timeline.body.events.filter((e) => e.links?.[0]?.id === resent.body.id);
    expect(own.map((e) => [e.kind, e.actor, e.attempt, e.status])).toEqual([['email.resend', 'Alice Admin', undefined, undefined], ['email.attempt', undefined, 1, 'SENT']]);
    expect(own[1]!.providerId).toBe(row!.provider_message_id);
    expect(own[0]!.links).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'notification', id: original!.id })]));

    // Through the gateway the actor header is ignored (the token's own name), and a second resend has the next key.
    const again = await world.delivery.invoke<Resend>('POST', resendPath(original!.id), undefined, { ...world.admin, 'x-holdfast-actor': 'Mallory' });
    expect(again).toMatchObject({ status: 202, body: { key: `${key}-resend-2`, requestedBy: 'admin-api-token' } });
    await eventually(() => sentOk(`${key}-resend-2`), (c) => c.length === 1, 60_000, 250);
  }, 180_000);

  it('when the original is not sent yet, or not an email of the queue, then 409 and nothing is queued; unknown 404, malformed 400, no token 401', async () => {
    const pendingId = randomUUID();
    const smsId = randomUUID();
    await world.db.query(
      `INSERT INTO notifications (id, key, channel, topic, event_id, recipient, status, kind, event, updated_at) VALUES
        ($1, $3, 'email', 'booking.confirmed', 'e-pending', 'p@example.com', 'PENDING', 'confirmed', '{"id":"e-pending","data":{}}', now()),
        ($2, $4, 'sms', 'booking.show-cancelled', 'e-sms', '+4915100000000', 'SENT', NULL, NULL, now())`,
      [pendingId, smsId, `resend-test-pending-${pendingId}`, `resend-test-sms-${smsId}`]);
    expect(await world.delivery.invoke('POST', resendPath(pendingId), {}, world.admin)).toMatchObject({ status: 409, body: { code: 'NOTIFICATION_NOT_SENT' } });
    expect(await world.delivery.invoke('POST', resendPath(smsId), {}, world.admin)).toMatchObject({ status: 409, body: { code: 'NOTIFICATION_NOT_RESENDABLE' } });
    expect((await world.db.query('SELECT count(*)::int AS n FROM notifications WHERE resend_of = ANY($1::uuid[])', [[pendingId, smsId]])).rows).toEqual([{ n: 0 }]);
    expect(await world.delivery.invoke('POST', resendPath(randomUUID()), {}, world.admin)).toMatchObject({ status: 404, body: { code: 'NOTIFICATION_NOT_FOUND' } });
    expect(await world.delivery.invoke('POST', resendPath('not-a-uuid'), {}, world.admin)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect((await world.delivery.invoke('POST', resendPath(pendingId), { requestedBy: '<b>' }, world.admin)).status).toBe(400);
    expect((await world.delivery.invoke('POST', resendPath(pendingId), {})).status).toBe(401);
  }, 60_000);
});
