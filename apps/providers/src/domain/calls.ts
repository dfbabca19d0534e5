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
  /** The request bodies' sizes as they came (Content-Length), in the calls' order. */
  private sizes: number[] = [];
  private bytes = 0;
  private nextSeq = 1;

  /**
   * At most `capacity` calls and `maxBytes` of request bodies (an email's carries its attachments,
   * about 20 KB: 50,000 of them did not fit in the app's heap); the oldest go first.
   */
  constructor(private readonly capacity = 50_000, private readonly maxBytes = 64 * 1024 * 1024) {}

  record(call: Omit<RecordedCall, 'seq' | 'at'>, now = new Date(), requestBytes = 0): RecordedCall {
    const entry = { seq: this.nextSeq++, at: now.toISOString(), ...call };
    this.calls.push(entry);
    this.sizes.push(requestBytes);
    this.bytes += requestBytes;
    let drop = Math.max(0, this.calls.length - this.capacity);
    let dropped = 0;
    for (let i = 0; i < drop; i++) dropped += this.sizes[i]!;
    while (this.bytes - dropped > this.maxBytes && drop < this.calls.length - 1) dropped += this.sizes[drop++]!;
    if (drop > 0) {
      this.calls.splice(0, drop);
      this.sizes.splice(0, drop);
      this.bytes -= dropped;
    }
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
    this.sizes = [];
    this.bytes = 0;
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
