import { createHmac } from 'node:crypto';
import { AppError } from '@holdfast/shared';
import { refundNotice, verifyWebhook } from './payment-webhooks';

const SECRET = 'whsec_unit';
const now = 1_800_000_000;
const sign = (body: string, t = now, secret = SECRET) => `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
const event = { id: 'evt_1', object: 'event', type: 'charge.refunded', data: { object: { id: 're_1', amount: 500, currency: 'eur', metadata: { bookingId: '6f1c1b8e-8a53-4b0e-9a59-9b1d8a3c2f10' } } } };
const body = JSON.stringify(event);

function rejection(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('payment webhook verification', () => {
  it('when the signature matches and is recent, then the event comes back whole', () => {
    expect(verifyWebhook(Buffer.from(body), sign(body), SECRET, 300, (now + 10) * 1000)).toEqual({ id: 'evt_1', type: 'charge.refunded', payload: event });
  });

  it('when the header is missing, the secret differs or the body was altered, then it is a 400 WEBHOOK_SIGNATURE_INVALID with a reason', () => {
    expect(rejection(() => verifyWebhook(Buffer.from(body), undefined, SECRET, 300, now * 1000))).toMatchObject({ status: 400, code: 'WEBHOOK_SIGNATURE_INVALID', extensions: { reason: 'MISSING_HEADER' } });
    expect(rejection(() => verifyWebhook(Buffer.from(body), sign(body, now, 'whsec_other'), SECRET, 300, now * 1000))).toMatchObject({ status: 400, code: 'WEBHOOK_SIGNATURE_INVALID', extensions: { reason: 'SIGNATURE_MISMATCH' } });
    expect(rejection(() => verifyWebhook(Buffer.from(body.replace('500', '50000')), sign(body), SECRET, 300, now * 1000))).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID', extensions: { reason: 'SIGNATURE_MISMATCH' } });
    expect(rejection(() => verifyWebhook(Buffer.from(body), 'garbage', SECRET, 300, now * 1000))).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
  });

  it('when the signature is older than the tolerance, then it is refused as such', () => {
    expect(rejection(() => verifyWebhook(Buffer.from(body), sign(body, now - 301), SECRET, 300, now * 1000))).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID', extensions: { reason: 'TIMESTAMP_OUTSIDE_TOLERANCE' } });
    expect(verifyWebhook(Buffer.from(body), sign(body, now - 301), SECRET, 600, now * 1000).id).toBe('evt_1');
  });

  it('when the signature is dated in the future by more than the tolerance, then it is refused as such; within it, accepted', () => {
    const yearAhead = now + 365 * 86_400;
    expect(rejection(() => verifyWebhook(Buffer.from(body), sign(body, yearAhead), SECRET, 300, now * 1000)))
      .toMatchObject({ status: 400, code: 'WEBHOOK_SIGNATURE_INVALID', extensions: { reason: 'TIMESTAMP_OUTSIDE_TOLERANCE' } });
    expect(rejection(() => verifyWebhook(Buffer.from(body), sign(body, now + 301), SECRET, 300, now * 1000))).toMatchObject({ extensions: { reason: 'TIMESTAMP_OUTSIDE_TOLERANCE' } });
    expect(verifyWebhook(Buffer.from(body), sign(body, now + 300), SECRET, 300, now * 1000).id).toBe('evt_1');
    expect(verifyWebhook(Buffer.from(body), sign(body, now + 301), SECRET, 600, now * 1000).id).toBe('evt_1');
    // A future date does not excuse a bad signature: that is still a mismatch.
    expect(rejection(() => verifyWebhook(Buffer.from(body), sign(body, yearAhead, 'whsec_other'), SECRET, 300, now * 1000))).toMatchObject({ extensions: { reason: 'SIGNATURE_MISMATCH' } });
  });

  it('when a correctly signed body is not an event, then it is a 400 WEBHOOK_PAYLOAD_INVALID', () => {
    expect(rejection(() => verifyWebhook(Buffer.from('not json'), sign('not json'), SECRET, 300, now * 1000))).toMatchObject({ status: 400, code: 'WEBHOOK_PAYLOAD_INVALID' });
    expect(rejection(() => verifyWebhook(Buffer.from('{"object":"event"}'), sign('{"object":"event"}'), SECRET, 300, now * 1000))).toMatchObject({ code: 'WEBHOOK_PAYLOAD_INVALID' });
  });
});

describe('refund notice', () => {
  it('when charge.refunded names a booking, then the refund and the booking are read from it', () => {
    expect(refundNotice(event)).toEqual({ ok: true, value: { refundId: 're_1', bookingId: '6f1c1b8e-8a53-4b0e-9a59-9b1d8a3c2f10', amount: 500, currency: 'eur' } });
  });

  it('when the booking id is missing or not a UUID, then it says what is wrong', () => {
    const without = { ...event, data: { object: { id: 're_1', metadata: {} } } };
    expect(refundNotice(without)).toMatchObject({ ok: false, error: expect.stringContaining('data.object.metadata.bookingId') });
    const notUuid = { ...event, data: { object: { id: 're_1', metadata: { bookingId: 'b-1' } } } };
    expect(refundNotice(notUuid)).toMatchObject({ ok: false });
  });
});
