import { RingBuffer, figuresSchema, groupByTopic, hourCapacity, letterSubject, money, readableError, refundTabSchema, resolveFormSchema, sampleOf, type DeadLetter } from './domain';

const letter = (id: string, topic: string, status: string, lastFailedAt: string, data: Record<string, unknown> = {}): DeadLetter =>
  ({ id, topic, status, lastFailedAt, lastError: 'refused: 400', attempts: 1, event: { data } });

describe('dead letters', () => {
  it('groups by topic, newest failure first, and counts what can be replayed', () => {
    const groups = groupByTopic([
      letter('1', 'refund.requested', 'PENDING', '2030-01-01T00:00:01Z'),
      letter('2', 'booking.show-cancelled', 'REPLAYED', '2030-01-01T00:00:01Z'),
      letter('3', 'booking.show-cancelled', 'PENDING', '2030-01-01T00:00:02Z'),
    ]);
    expect(groups.map((g) => [g.topic, g.letters.map((l) => l.id), g.replayable])).toEqual([
      ['booking.show-cancelled', ['3', '2'], 1],
      ['refund.requested', ['1'], 1],
    ]);
  });

  it("names what the letter's event was about", () => {
    expect(letterSubject(letter('1', 't', 'PENDING', '', { bookingId: 'b-1' }))).toBe('booking b-1');
    expect(letterSubject({ ...letter('1', 't', 'PENDING', ''), event: null, eventId: 'e-1' })).toBe('event e-1');
  });
});

describe('delivery figures', () => {
  const figures = figuresSchema.parse({
    channels: [
      { topic: 'booking.confirmed', channel: 'email', pending: 2, delivered: 10, retried: 1, failed: 1, deadLettered: 1, replayed: 0, oldestPendingAgeSeconds: 3 },
      { topic: 'booking.show-cancelled', channel: 'sms', pending: 0, delivered: 5, retried: 0, failed: 2, deadLettered: 2, replayed: 1, oldestPendingAgeSeconds: null },
    ],
    email: { enabled: true },
    outbox: { pending: 4, oldestPendingAgeSeconds: 1 },
    deadLetters: [{ topic: 'booking.confirmed', status: 'PENDING', count: 1 }, { topic: 'x', status: 'REPLAYED', count: 7 }, { topic: 'y', status: 'MANUAL_REVIEW', count: 2 }],
  });

  it('sums the channels into one sample; dead letters count only those waiting for someone', () => {
    expect(sampleOf(figures, new Date('2030-01-01T00:00:00Z'))).toEqual({
      at: '2030-01-01T00:00:00.000Z', delivered: 15, failed: 3, retried: 1, pending: 2, deadLettered: 3, outboxPending: 4,
    });
  });
});

describe('ring buffer', () => {
  it('keeps the newest `capacity` items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    [1, 2, 3, 4, 5].forEach((n) => ring.push(n));
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.length).toBe(3);
  });

  it('holds an hour of 15 s samples and refuses a useless capacity', () => {
    expect(hourCapacity(15)).toBe(241);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('refunds and reviews', () => {
  it('opens on the failed refunds when the tab is unknown', () => {
    expect(refundTabSchema.parse('PROCESSED')).toBe('PROCESSED');
    expect(refundTabSchema.parse('nonsense')).toBe('FAILED');
  });

  it('writes money in major units, the way every page does (formatMoney)', () => {
    expect(money(4500, 'EUR')).toBe('€45.00');
    expect(money(123456, 'USD')).toBe('US$1,234.56');
  });

  it('requires a resolution and reads the retry button', () => {
    expect(resolveFormSchema.parse({ resolution: ' paid at the box office ', retry: 'yes' })).toEqual({ resolution: 'paid at the box office', retry: true });
    expect(resolveFormSchema.safeParse({ resolution: ' ' }).error?.issues[0]?.message).toBe('Say how the review was resolved.');
  });
});

describe('recorded errors', () => {
  it("shows the sidecar's message instead of its JSON", () => {
    expect(readableError('sms-gateway: {"errorCode":"ERR_INVOKE_OUTPUT_BINDING","message":"error invoking output binding sms-gateway: received status code 400"}'))
      .toBe('The SMS gateway answered 400');
    expect(readableError('refused: 400 bad number')).toBe('Refused: 400 bad number');
    expect(readableError('x {broken')).toBe('X broken');
    expect(readableError(null)).toBe('—');
  });
});
