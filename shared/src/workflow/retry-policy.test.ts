import { retryDelayMs, retryPolicySchema, retrySchedule } from './retry-policy';

describe('activity retry policy', () => {
  const payment = retryPolicySchema.parse({ maxAttempts: 4, firstRetryIntervalMs: 1000, backoffCoefficient: 2 });

  it('when an activity keeps failing, then the waits double: 1 s, 2 s, 4 s for 3 retries', () => {
    expect(retrySchedule(payment)).toEqual([1000, 2000, 4000]);
  });

  it('when the backoff would pass the cap, then the wait stays at maxRetryIntervalMs', () => {
    const capped = { ...payment, maxAttempts: 6, maxRetryIntervalMs: 3000 };
    expect(retrySchedule(capped)).toEqual([1000, 2000, 3000, 3000, 3000]);
  });

  it('when maxAttempts is 1, then there is no retry at all', () => {
    expect(retrySchedule({ ...payment, maxAttempts: 1 })).toEqual([]);
  });

  it('when a coefficient is 1, then the interval is constant', () => {
    expect(retryDelayMs({ ...payment, backoffCoefficient: 1 }, 5)).toBe(1000);
  });

  it('when a policy has no attempts, then it is rejected', () => {
    expect(() => retryPolicySchema.parse({ maxAttempts: 0, firstRetryIntervalMs: 10 })).toThrow();
  });
});
