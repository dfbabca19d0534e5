import { SIGNIN_ATTEMPTS_KEPT_MS, startSigninAttemptsPruning } from './signin-attempts.repository';

describe('pruning admin_signin_attempts', () => {
  afterEach(() => jest.useRealTimers());

  it('deletes attempts older than an hour, every hour, on a timer that never keeps the process up', async () => {
    jest.useFakeTimers();
    const now = new Date('2026-12-02T12:00:00Z');
    const prune = jest.fn(async (_before: Date) => 3);
    const logger = { info: jest.fn(), warn: jest.fn() };
    const setIntervalSpy = jest.spyOn(global, 'setInterval');
    const stop = startSigninAttemptsPruning({ prune }, logger, 60 * 60_000, () => now);
    expect((setIntervalSpy.mock.results[0]!.value as NodeJS.Timeout).hasRef()).toBe(false);
    expect(prune).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(prune).toHaveBeenCalledTimes(1);
    expect(prune.mock.calls[0]![0]).toEqual(new Date(now.getTime() - SIGNIN_ATTEMPTS_KEPT_MS));
    expect(logger.info).toHaveBeenCalledWith({ count: 3 }, 'old sign-in attempts pruned');
    prune.mockRejectedValueOnce(new Error('database away'));
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(logger.warn).toHaveBeenCalledWith({ err: 'database away' }, 'sign-in attempts not pruned');
    stop();
    await jest.advanceTimersByTimeAsync(3 * 60 * 60_000);
    expect(prune).toHaveBeenCalledTimes(2);
  });
});
