import { emailJobName, nextStep, retryDelaySeconds } from './email-schedule';

describe('the email schedule (seed 001: 5 attempts, exponential from 60 s)', () => {
  const schedule = { maxAttempts: 5, baseSeconds: 60 };

  it('when attempts fail, then the waits are 60, 120, 240 and 480 s, and the fifth failure goes to the dead letters', () => {
    const steps = [1, 2, 3, 4, 5].map((attempt) => nextStep('transient', attempt, schedule));
    expect(steps).toEqual([
      { step: 'retry', nextAttempt: 2, delaySeconds: 60 },
      { step: 'retry', nextAttempt: 3, delaySeconds: 120 },
      { step: 'retry', nextAttempt: 4, delaySeconds: 240 },
      { step: 'retry', nextAttempt: 5, delaySeconds: 480 },
      { step: 'dead-letter' },
    ]);
    expect(retryDelaySeconds(1, 2)).toBe(2);
    expect(retryDelaySeconds(10, 1, 2)).toBe(2);
  });

  it('when the provider refuses (4xx) or accepts, then there is no retry', () => {
    expect(nextStep('refused', 1, schedule)).toEqual({ step: 'refused' });
    expect(nextStep('sent', 3, schedule)).toEqual({ step: 'sent' });
  });

  it('when one attempt is allowed, then its failure is the last', () => {
    expect(nextStep('transient', 1, { maxAttempts: 1, baseSeconds: 60 })).toEqual({ step: 'dead-letter' });
  });

  it('when a job is named, then the name is a valid scheduler job name per notification and attempt', () => {
    expect(emailJobName('0b5e6a57-2d8a-4a0e-9d0f-2b1b6f7c9a11', 3)).toBe('email-0b5e6a57-2d8a-4a0e-9d0f-2b1b6f7c9a11-3');
  });
});
