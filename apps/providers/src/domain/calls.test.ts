import { CallLog, IdempotencyStore } from './calls';

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

  it('when the kept request bodies pass the byte bound, then the oldest calls are dropped until they fit, the newest always kept', () => {
    const log = new CallLog(100, 50);
    log.record(call('email', 'send', '1'), undefined, 20);
    log.record(call('email', 'send', '2'), undefined, 20);
    log.record(call('email', 'send', '3'), undefined, 20);
    expect(log.list().map((c) => c.idempotencyKey)).toEqual(['2', '3']);
    log.record(call('email', 'send', 'big'), undefined, 80);
    expect(log.list().map((c) => c.idempotencyKey)).toEqual(['big']);
    log.record(call('sms', 'send', '4'), undefined, 0);
    expect(log.list().map((c) => c.idempotencyKey)).toEqual(['4']);
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
