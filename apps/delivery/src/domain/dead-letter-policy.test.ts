/** Which dead letters the reprocessing job replays on its own, and which wait for a person. */
import { autoReplayDecision, failureKindOfRefund, failureKindOfSends } from './dead-letter-policy';

const rules = { maxAutoReplays: 3, maxAgeMs: 24 * 3_600_000 };
const now = new Date('2026-12-02T08:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

describe('autoReplayDecision', () => {
  it('when a transient failure is recent and has replays left, then it is replayed', () => {
    expect(autoReplayDecision({ failureKind: 'TRANSIENT', autoReplays: 2, firstFailedAt: hoursAgo(1) }, rules, now)).toEqual({ action: 'replay' });
    // Letters stored before failure kinds were recorded count as transient.
    expect(autoReplayDecision({ failureKind: null, autoReplays: 0, firstFailedAt: hoursAgo(1) }, rules, now)).toEqual({ action: 'replay' });
  });

  it('when its replays are spent, or it failed over 24 h ago, then it is left for a person', () => {
    expect(autoReplayDecision({ failureKind: 'TRANSIENT', autoReplays: 3, firstFailedAt: hoursAgo(1) }, rules, now)).toMatchObject({ action: 'manual-review', reason: 'still failing after 3 automatic replays' });
    expect(autoReplayDecision({ failureKind: 'TRANSIENT', autoReplays: 0, firstFailedAt: hoursAgo(25) }, rules, now)).toMatchObject({ action: 'manual-review', reason: 'failed more than 24 h ago' });
  });

  it('when the provider refused it or its data is invalid, then it is never replayed on its own', () => {
    expect(autoReplayDecision({ failureKind: 'REFUSED', autoReplays: 0, firstFailedAt: hoursAgo(0) }, rules, now).action).toBe('manual-review');
    expect(autoReplayDecision({ failureKind: 'INVALID', autoReplays: 0, firstFailedAt: hoursAgo(0) }, rules, now).action).toBe('manual-review');
  });

  it('when max attempts is 0, then nothing is replayed on its own', () => {
    expect(autoReplayDecision({ failureKind: 'TRANSIENT', autoReplays: 0, firstFailedAt: hoursAgo(0) }, { ...rules, maxAutoReplays: 0 }, now).action).toBe('manual-review');
  });
});

describe('failure kinds', () => {
  it('when a notice still has a PENDING send, it gave up on transient failures; only FAILED ones: refused; none: invalid data', () => {
    expect(failureKindOfSends(['FAILED', 'PENDING'])).toBe('TRANSIENT');
    expect(failureKindOfSends(['FAILED'])).toBe('REFUSED');
    expect(failureKindOfSends([])).toBe('INVALID');
  });

  it('when a refund gateway answered a 4xx (not 408/429), it was refused; a 5xx, a timeout or no answer is transient', () => {
    expect(failureKindOfRefund({ lastError: 'refund-gateway: error invoking output binding refund-gateway: received status code 400' })).toBe('REFUSED');
    expect(failureKindOfRefund({ lastError: 'refund-gateway: error invoking output binding refund-gateway: received status code 503' })).toBe('TRANSIENT');
    expect(failureKindOfRefund({ lastError: 'refund-gateway: received status code 429' })).toBe('TRANSIENT');
    expect(failureKindOfRefund({ lastError: 'the sidecar did not answer within 45000 ms' })).toBe('TRANSIENT');
    expect(failureKindOfRefund(null)).toBe('INVALID');
  });
});
