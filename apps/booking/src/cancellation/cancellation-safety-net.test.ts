import { cancellationJobName, runCancellationSafetyNet, scheduleCancellationSafetyNet } from './cancellation-safety-net';

const bookingId = '3b2f9a54-7a0e-4c1b-9f55-1c2d3e4f5a6b';
const logger = { info: () => undefined };

function deps(status: string | null, record: boolean, existing = false) {
  const started: string[] = [];
  return {
    started,
    deps: {
      bookings: {
        find: async () => (status ? { status } : null),
        cancellationOf: async () => (record ? { bookingId } : null),
      } as never,
      workflows: {
        getWorkflowState: async () => (existing || started.length > 0 ? ({ runtimeStatus: 1 } as never) : undefined),
        scheduleNewWorkflow: async (_name: unknown, _input: unknown, id?: string) => { started.push(String(id)); return String(id); },
      } as never,
      logger,
    },
  };
}

describe('the cancellation safety net (scheduler job)', () => {
  it('when the booking is CANCELLING with its record and no saga, then the job starts the saga once under the route\'s instance id', async () => {
    const d = deps('CANCELLING', true);
    expect(await runCancellationSafetyNet(d.deps, { bookingId })).toBe('started');
    expect(await runCancellationSafetyNet(d.deps, { bookingId })).toBe('running');
    expect(d.started).toEqual([`cancel-${bookingId}`]);
  });

  it('when the saga was started by the route, then the job starts nothing', async () => {
    const d = deps('CANCELLING', true, true);
    expect(await runCancellationSafetyNet(d.deps, { bookingId })).toBe('running');
    expect(d.started).toEqual([]);
  });

  it.each([['CONFIRMED', false], ['CANCELLING', false], ['CANCELLED', true], [null, false]])('when the booking is %s (record: %s), then the job does nothing', async (status, record) => {
    const d = deps(status, record);
    expect(await runCancellationSafetyNet(d.deps, { bookingId })).toBe('nothing-to-do');
    expect(d.started).toEqual([]);
  });

  it('schedules a one-shot job named after the booking, due after the check seconds, retried on failure', async () => {
    const specs: unknown[] = [];
    await scheduleCancellationSafetyNet({ schedule: async (spec) => void specs.push(spec) }, bookingId, 30, 'corr-1');
    expect(specs).toEqual([{ name: cancellationJobName(bookingId), dueTime: '30s', repeats: 1, data: { bookingId, correlationId: 'corr-1' }, failurePolicy: { constant: { interval: '5s', maxRetries: 12 } } }]);
  });
});
