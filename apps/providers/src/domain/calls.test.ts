import { CallLog, IdempotencyStore, type RecordedCall } from './calls';

const call = (domain: string, operation: string, key: string | null) =>
  ({ domain, operation, idempotencyKey: key, correlationId: null, request: {}, outcome: 'ok', status: 200, replayed: false });

describe('call log', () => {
  it('when calls are filtered, then only matching ones come back, in order', () => {
    const log = new CallLog();
    log.record(call('payment', 'authorize', 'a'));
    log.record(call('sms', 'send', 'b'));
    log.record(call('payment', 'capture', 'a'));
    expect(log.list({ domain: 'payment' }).map((c) => c.operation)).toEqual(['authorize', 'capture']);
    expect(log.list({ idempotencyKey: 'b' })).toHaveLength(1);
    expect(log.list().map((c) => c.seq)).toEqual([1, 2, 3]);
  });

  it('when the log is over capacity, then the oldest calls are dropped', () => {
    const log = new CallLog(2);
    for (const key of ['1', '2', '3']) log.record(call('sms', 'send', key));
    expect(log.list().map((c) => c.idempotencyKey)).toEqual(['2', '3']);
  });

  it('when the kept request bodies pass the byte bound, then the oldest calls lose their long strings until they fit, every call and the newest body kept whole', () => {
    const log = new CallLog(100, 50);
    const content = 'x'.repeat(300);
    const email = (key: string) => ({ ...call('email', 'send', key), request: { subject: `s${key}`, attachments: [{ filename: 'a.pdf', content }] } });
    const kept = (c: RecordedCall) => (c.request as { attachments: Array<{ content: string }> }).attachments[0]!.content === content;
    log.record(email('1'), undefined, 20);
    log.record(email('2'), undefined, 20);
    log.record(email('3'), undefined, 20);
    expect(log.list().map((c) => c.idempotencyKey)).toEqual(['1', '2', '3']);
    expect(log.list().map(kept)).toEqual([false, true, true]);
    expect(log.list()[0]!.request).toEqual({ subject: 's1', attachments: [{ filename: 'a.pdf', content: '(300 characters, dropped from the call log)' }] });
    log.record(email('big'), undefined, 80);
    expect(log.list().map((c) => c.idempotencyKey)).toEqual(['1', '2', '3', 'big']);
    expect(log.list().map(kept)).toEqual([false, false, false, true]);
    log.record(email('4'), undefined, 0);
    expect(log.list().map(kept)).toEqual([false, false, false, false, true]);
  });

  it('when calls pass the capacity after bodies were trimmed, then the oldest calls go and the byte count stays right', () => {
    const log = new CallLog(3, 50);
    const content = 'y'.repeat(300);
    const email = (key: string) => ({ ...call('email', 'send', key), request: { content } });
    const kept = (c: RecordedCall) => (c.request as { content: string }).content === content;
    for (const key of ['1', '2', '3', '4', '5']) log.record(email(key), undefined, 20);
    expect(log.list().map((c) => c.idempotencyKey)).toEqual(['3', '4', '5']);
    expect(log.list().map(kept)).toEqual([false, true, true]);
    log.record(email('6'), undefined, 10);
    expect(log.list().map(kept)).toEqual([true, true, true]);
  });

  it('when thousands of calls pass through a small log, then it keeps the newest, in order, with the byte bound still right (the oldest leave without moving the rest)', () => {
    const log = new CallLog(100, 50);
    const content = 'z'.repeat(300);
    const kept = (c: RecordedCall) => (c.request as { content: string }).content === content;
    for (let i = 1; i <= 5_000; i++) log.record({ ...call('email', 'send', String(i)), request: { content } }, undefined, 20);
    expect(log.list().map((c) => c.idempotencyKey)).toEqual(Array.from({ length: 100 }, (_, i) => String(4_901 + i)));
    expect(log.list().map((c) => c.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 4_901 + i));
    // 20 bytes each under a bound of 50: the two newest keep their bodies whole.
    expect(log.list().map(kept)).toEqual([...Array<boolean>(98).fill(false), true, true]);
    expect(log.list({ idempotencyKey: '4950' })).toHaveLength(1);
    expect(log.list({ idempotencyKey: '4900' })).toHaveLength(0);
  });
});

describe('idempotency store', () => {
  it('when a key was answered, then the same operation gets that answer and another operation does not', () => {
    const store = new IdempotencyStore<string>();
    store.remember('payment.authorize', 'k1', 'auth_1');
    expect(store.get('payment.authorize', 'k1')).toBe('auth_1');
    expect(store.get('payment.capture', 'k1')).toBeUndefined();
  });

  it('when a request has no key, then nothing is remembered', () => {
    const store = new IdempotencyStore<string>();
    store.remember('sms.send', null, 'x');
    expect(store.get('sms.send', null)).toBeUndefined();
  });
});
