import { afterExpire, bucketOfReminder, dueHolds, sweepBucketEnd, sweepMayEnd, SWEEP_PERIOD_SECONDS, sweepReminderName, UNRECORDED_GRACE_MS, type DueHold } from './hold-expiry';
import type { ShowSeats } from './seat-allocation';

describe('hold expiry by sweep', () => {
  it('when holds expire within one second, then they share the sweep of that second, due at its end and never before an expiry', () => {
    expect(sweepBucketEnd(10_001)).toBe(11_000);
    expect(sweepBucketEnd(10_999)).toBe(11_000);
    expect(sweepBucketEnd(11_000)).toBe(11_000);
    expect(sweepBucketEnd(11_001)).toBe(12_000);
  });

  it('when a sweep reminder fires, then its name gives back its second, and no other name does', () => {
    expect(bucketOfReminder(sweepReminderName(1_733_300_000_000))).toBe(1_733_300_000_000);
    expect(bucketOfReminder('expire-0a1b2c')).toBeUndefined();
    expect(bucketOfReminder('sweep-')).toBeUndefined();
  });

  it('when the show holds seats for holds due and not due, then only the due ones are listed, each with its held seats', () => {
    const seats: ShowSeats = {
      'A-2': { holdId: 'due', kind: 'HELD' }, 'A-1': { holdId: 'due', kind: 'HELD' },
      'B-1': { holdId: 'later', kind: 'HELD' },
      'C-1': { holdId: 'sold', kind: 'SOLD' },
    };
    const expiries = new Map([['due', 5_000], ['later', 9_000], ['sold', 4_000]]);
    expect(dueHolds(seats, expiries, 5_000)).toEqual([{ holdId: 'due', seatIds: ['A-1', 'A-2'], expiresAt: new Date(5_000).toISOString() }]);
  });

  it('when a hold holds no seat any more (confirmed or released), then its expiry is forgotten', () => {
    const seats: ShowSeats = { 'C-1': { holdId: 'sold', kind: 'SOLD' } };
    const expiries = new Map([['sold', 4_000], ['released', 4_000], ['later', 9_000]]);
    expect(dueHolds(seats, expiries, 10_000)).toEqual([]);
    expect([...expiries.keys()]).toEqual([]);
  });

  describe('after the HoldActor answered', () => {
    const held: DueHold = { holdId: 'h1', seatIds: ['A-1'], expiresAt: new Date(10_000).toISOString() };

    it('when it expired the hold, then the sweep is done with it (its own turn gave the seats back)', () => {
      expect(afterExpire('EXPIRED', held, 10_000)).toBe('done');
    });

    it('when the hold was confirmed but the show still holds its seats, then they are sold, not released', () => {
      expect(afterExpire('CONFIRMED', held, 10_000)).toBe('sell');
      expect(afterExpire('CONFIRMED', undefined, 10_000)).toBe('done');
    });

    it('when the hold had ended otherwise but the show still holds its seats, then they are released', () => {
      expect(afterExpire('ENDED', held, 10_000)).toBe('release');
      expect(afterExpire('ENDED', undefined, 10_000)).toBe('done');
    });

    it('when the hold is not due by the HoldActor\'s clock, then the next firing tries again', () => {
      expect(afterExpire('NOT_DUE', held, 10_000)).toBe('retry');
    });

    it('when nothing recorded the hold, then its seats go back only once it can no longer be recorded', () => {
      expect(afterExpire('NOT_FOUND', held, 10_000 + UNRECORDED_GRACE_MS - 1)).toBe('retry');
      expect(afterExpire('NOT_FOUND', held, 10_000 + UNRECORDED_GRACE_MS)).toBe('release');
      expect(afterExpire('NOT_FOUND', undefined, 10_000)).toBe('done');
    });
  });
});

describe('the end of a sweep reminder', () => {
  it('when its firing left nothing, then it goes only once its second ended SWEEP_PERIOD_SECONDS ago (a late grant for that second may still land)', () => {
    const bucketEnd = 20_000;
    expect(sweepMayEnd(bucketEnd, bucketEnd)).toBe(false);
    expect(sweepMayEnd(bucketEnd, bucketEnd + SWEEP_PERIOD_SECONDS * 1000 - 1)).toBe(false);
    expect(sweepMayEnd(bucketEnd, bucketEnd + SWEEP_PERIOD_SECONDS * 1000)).toBe(true);
  });
});
