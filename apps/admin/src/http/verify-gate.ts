/**
 * A cap on argon2 verifications running at once in this process: each costs ~19 MiB and tens of
 * milliseconds of a core, so a burst of sign-ins (one name or many) must not take the machine.
 * Up to `concurrency` run; a few more wait their turn; beyond that the caller is told to come back.
 */
export interface VerifyGate {
  /** Runs `task` when a slot is free; undefined (task not run) when too many already wait. */
  run<T>(task: () => Promise<T>): Promise<{ value: T } | undefined>;
  readonly running: number;
  readonly waiting: number;
}

export function createVerifyGate(concurrency: number, maxWaiting = concurrency * 4): VerifyGate {
  let running = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    const next = queue.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else running -= 1;
  };
  return {
    async run<T>(task: () => Promise<T>) {
      if (running >= concurrency) {
        if (queue.length >= maxWaiting) return undefined;
        await new Promise<void>((resolve) => queue.push(resolve));
      } else {
        running += 1;
      }
      try {
        return { value: await task() };
      } finally {
        release();
      }
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
}
