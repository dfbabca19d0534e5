/**
 * An HTTP output binding to the providers app under the resiliency policy in components/: a failing
 * call is retried the configured number of times, as the providers app's record of calls shows.
 */
import { randomUUID } from 'node:crypto';
import { COMPONENTS } from '@holdfast/shared';
import { startSkeletonStack, type SkeletonStack } from '../support/app-stack';
import { recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { configuredMaxRetries } from '../support/resiliency';

let stack: SkeletonStack;

beforeAll(async () => {
  stack = await startSkeletonStack({ logName: 'bindings' });
});
afterAll(async () => stack?.stop());
beforeEach(() => resetProviders());

const sendSms = (idempotencyKey: string) =>
  stack.app<{ sent: boolean }>('POST', '/skeleton/sms', { to: '+4915112345678', body: 'Your tickets are ready', idempotencyKey });

describe('the sms-gateway output binding on a real sidecar', () => {
  it('when the gateway answers, then one call carries the body and the idempotency key', async () => {
    const key = randomUUID();
    expect((await sendSms(key)).body.sent).toBe(true);
    const calls = await recordedCalls({ domain: 'sms', operation: 'send', idempotencyKey: key });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ outcome: 'ok', request: { to: '+4915112345678', body: 'Your tickets are ready' } });
  });

  it('when the gateway fails twice, then the resiliency policy retries and the third call succeeds', async () => {
    await setChaos({ 'sms.send': { outcomes: { ok: 1 }, sequence: ['503', '503'] } });
    const key = randomUUID();
    expect((await sendSms(key)).body.sent).toBe(true);
    expect((await recordedCalls({ domain: 'sms', operation: 'send', idempotencyKey: key })).map((c) => c.outcome)).toEqual(['503', '503', 'ok']);
  });

  it('when the gateway keeps failing, then it is called exactly 1 + maxRetries times and the caller gets the error', async () => {
    await setChaos({ 'sms.send': { outcomes: { '500': 1 } } });
    const key = randomUUID();
    const response = await sendSms(key);
    expect(response.status).toBe(502);
    expect(response.body.sent).toBe(false);
    const calls = await recordedCalls({ domain: 'sms', operation: 'send', idempotencyKey: key });
    expect(calls).toHaveLength(1 + configuredMaxRetries(COMPONENTS.smsBinding, 'outbound'));
    expect(calls.every((c) => c.outcome === '500')).toBe(true);
  });
});
