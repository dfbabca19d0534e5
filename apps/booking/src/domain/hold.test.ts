import { buildSnapshot, canTransition, MAX_POLICY_RECOVERIES, reconcilePolicy, snapshotProblems } from './hold';
import { policyChanges, policyHash, policySchema } from './policy';

const seats = [{ id: 'A-2', zone: 'front', adjacentIds: ['A-1', 'A-3'] }, { id: 'A-1', zone: 'front', adjacentIds: ['A-2'] }];

describe('hold rules', () => {
  it('when a snapshot is built, then it is complete and independent of seat order', () => {
    const a = buildSnapshot(3, 'hash', seats);
    expect(snapshotProblems(a, ['A-1', 'A-2'])).toEqual([]);
    expect(buildSnapshot(3, 'hash', [...seats].reverse())).toEqual(a);
  });

  it('when a snapshot lacks parts, then each missing part is named', () => {
    expect(snapshotProblems({ policyVersion: 2, seatIds: ['A-1'] }, ['A-1', 'A-2'])).toEqual([
      'policyHash is missing', 'zoneIds are missing', 'adjacencyHash is missing', 'seatIds do not match the held seats',
    ]);
    expect(snapshotProblems(undefined, ['A-1'])).toEqual(['snapshot is missing']);
  });

  it('when a hold has ended, then it cannot move again; an active one can end once', () => {
    expect(canTransition('ACTIVE', 'CONFIRMED')).toBe(true);
    expect(canTransition('EXPIRED', 'CONFIRMED')).toBe(false);
    expect(canTransition('CONFIRMED', 'EXPIRED')).toBe(false);
  });
});

describe('policy', () => {
  it('when two policies differ only in key order, then they are the same policy', () => {
    const a = policySchema.parse({ zonePrices: { front: 5000, upper: 3000 } });
    const b = policySchema.parse({ zonePrices: { upper: 3000, front: 5000 } });
    expect(policyHash(a)).toBe(policyHash(b));
    expect(policyHash(a)).not.toBe(policyHash({ ...a, maxSeatsPerHold: 4 }));
  });
});

describe('policy drift', () => {
  const hold = { policyVersion: 1, snapshot: { policyHash: 'h1' } };

  it('when the policy is unchanged, then nothing happens', () => {
    expect(reconcilePolicy(hold, { policyVersion: 1, policyHash: 'h1' })).toEqual({ action: 'none' });
  });

  it('when the policy changed, then the hold is re-quoted, twice at most, then escalated with both hashes', () => {
    expect(reconcilePolicy(hold, { policyVersion: 2, policyHash: 'h2' })).toEqual({ action: 'requote', recovery: 1 });
    expect(reconcilePolicy({ ...hold, policyRecoveries: 1 }, { policyVersion: 2, policyHash: 'h2' })).toEqual({ action: 'requote', recovery: 2 });
    expect(reconcilePolicy({ ...hold, policyRecoveries: MAX_POLICY_RECOVERIES }, { policyVersion: 4, policyHash: 'h4' }))
      .toEqual({ action: 'escalate', oldPolicyHash: 'h1', newPolicyHash: 'h4' });
  });

  it('when re-quoting is turned off (FEATURE_POLICY_REQUOTE_ENABLED=false), then any drift is refused at once, and no drift is still nothing', () => {
    expect(reconcilePolicy(hold, { policyVersion: 2, policyHash: 'h2' }, { requote: false })).toEqual({ action: 'reject', oldPolicyHash: 'h1', newPolicyHash: 'h2' });
    expect(reconcilePolicy(hold, { policyVersion: 1, policyHash: 'h1' }, { requote: false })).toEqual({ action: 'none' });
  });

  it('when two policies differ, then the diff names each changed term with its old and new value', () => {
    const before = policySchema.parse({ zonePrices: { front: 6000, upper: 3500 } });
    const after = policySchema.parse({ zonePrices: { front: 8000, balcony: 2000 }, maxSeatsPerHold: 4 });
    expect(policyChanges(before, after)).toEqual([
      { path: 'maxSeatsPerHold', from: 10, to: 4 },
      { path: 'zonePrices.balcony', to: 2000 },
      { path: 'zonePrices.front', from: 6000, to: 8000 },
      { path: 'zonePrices.upper', from: 3500 },
    ]);
    expect(policyChanges(before, before)).toEqual([]);
  });
});
