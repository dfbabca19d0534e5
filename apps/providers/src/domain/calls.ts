/** What the outside world saw: every call received, in order, bounded in memory. */
export interface RecordedCall {
  seq: number;
  at: string;
  domain: string;
  operation: string;
  idempotencyKey: string | null;
  correlationId: string | null;
  request: unknown;
  /** `ok`, `timeout` or the HTTP status answered. */
  outcome: string;
  status: number;
  /** True when an earlier success with the same idempotency key was answered again, with no new effect. */
  replayed: boolean;
}

export class CallLog {
  private calls: RecordedCall[] = [];
  private nextSeq = 1;

  constructor(private readonly capacity = 50_000) {}

  record(call: Omit<RecordedCall, 'seq' | 'at'>, now = new Date()): RecordedCall {
    const entry = { seq: this.nextSeq++, at: now.toISOString(), ...call };
    this.calls.push(entry);
    if (this.calls.length > this.capacity) this.calls.splice(0, this.calls.length - this.capacity);
    return entry;
  }

  list(filter: { domain?: string; operation?: string; idempotencyKey?: string } = {}): RecordedCall[] {
    return this.calls.filter((c) =>
      (!filter.domain || c.domain === filter.domain) &&
      (!filter.operation || c.operation === filter.operation) &&
      (!filter.idempotencyKey || c.idempotencyKey === filter.idempotencyKey));
  }

  clear(): void {
    this.calls = [];
  }
}

/**
 * Remembers the first successful answer per operation and idempotency key, as Stripe does, so a
 * retried request gets the same answer and causes no second effect. Failures are not remembered:
 * a retry after a 500 or a timeout is a fresh attempt.
 */
export class IdempotencyStore<T> {
  private answers = new Map<string, T>();

  private static key(operation: string, idempotencyKey: string) {
    return `${operation}\u0000${idempotencyKey}`;
  }

  get(operation: string, idempotencyKey: string | null): T | undefined {
    return idempotencyKey ? this.answers.get(IdempotencyStore.key(operation, idempotencyKey)) : undefined;
  }

  remember(operation: string, idempotencyKey: string | null, answer: T): void {
    if (idempotencyKey) this.answers.set(IdempotencyStore.key(operation, idempotencyKey), answer);
  }

  clear(): void {
    this.answers.clear();
  }
}
