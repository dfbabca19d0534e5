import { createVerifyGate } from './verify-gate';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('verify gate (ADMIN_SIGNIN_CONCURRENCY)', () => {
  it('runs at most `concurrency` tasks at once, queues a few more, and refuses beyond the queue', async () => {
    const gate = createVerifyGate(2, 1);
    const blockers = [deferred(), deferred(), deferred()];
    let active = 0;
    let peak = 0;
    const task = (i: number) => async () => {
      active += 1;
      peak = Math.max(peak, active);
      await blockers[i]!.promise;
      active -= 1;
      return i;
    };
    const first = gate.run(task(0));
    const second = gate.run(task(1));
    const third = gate.run(task(2));
    await expect(gate.run(task(0))).resolves.toBeUndefined();
    expect([gate.running, gate.waiting]).toEqual([2, 1]);
    blockers[0]!.resolve();
    await expect(first).resolves.toEqual({ value: 0 });
    blockers[1]!.resolve();
    blockers[2]!.resolve();
    await expect(Promise.all([second, third])).resolves.toEqual([{ value: 1 }, { value: 2 }]);
    expect(peak).toBe(2);
    expect([gate.running, gate.waiting]).toEqual([0, 0]);
  });

  it('frees the slot when a task throws', async () => {
    const gate = createVerifyGate(1, 0);
    await expect(gate.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(gate.run(async () => 'ok')).resolves.toEqual({ value: 'ok' });
  });
});
