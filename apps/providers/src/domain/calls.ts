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

/** Strings longer than this lose their text when a call's body is trimmed. */
const KEPT_STRING = 200;

/** The value with every string longer than KEPT_STRING replaced by a note of its length. */
export function withoutLongStrings(value: unknown): unknown {
  if (typeof value === 'string') return value.length > KEPT_STRING ? `(${value.length} characters, dropped from the call log)` : value;
  if (Array.isArray(value)) return value.map(withoutLongStrings);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutLongStrings(v)]));
  return value;
}

export class CallLog {
  /** Kept calls are calls[head..]: dropping the oldest moves `head`, and the arrays are compacted now and then (a splice per call moved all 20,000). */
  private calls: RecordedCall[] = [];
  /** The kept request bodies' sizes as they came (Content-Length), in the calls' order; 0 once a body is dropped. */
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;
  /** Calls before this index have had their bodies dropped. */
  private firstWithBody = 0;
  private nextSeq = 1;

  /**
   * At most `capacity` calls, and at most `maxBytes` of their request bodies (an email's carries
   * its attachments, about 20 KB): past that the oldest calls keep what they were (time, key,
   * outcome) and their body's shape, its long strings (an attachment's content, an HTML body) cut
   * to a note of their length. Whole calls go only past `capacity`. The newest call always keeps
   * its body whole.
   */
  constructor(private readonly capacity = 20_000, private readonly maxBytes = 16 * 1024 * 1024) {}

  record(call: Omit<RecordedCall, 'seq' | 'at'>, now = new Date(), requestBytes = 0): RecordedCall {
    const entry = { seq: this.nextSeq++, at: now.toISOString(), ...call };
    this.calls.push(entry);
    this.sizes.push(requestBytes);
    this.bytes += requestBytes;
    while (this.calls.length - this.head > this.capacity) {
      this.bytes -= this.sizes[this.head]!;
      this.head++;
    }
    this.firstWithBody = Math.max(this.firstWithBody, this.head);
    if (this.head > 1024 && this.head * 2 > this.calls.length) {
      this.calls = this.calls.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.firstWithBody -= this.head;
      this.head = 0;
    }
    const newest = this.calls.length - 1;
    while (this.bytes > this.maxBytes && this.firstWithBody < newest) {
      const i = this.firstWithBody++;
      const size = this.sizes[i]!;
      if (size === 0) continue;
      this.calls[i] = { ...this.calls[i]!, request: withoutLongStrings(this.calls[i]!.request) };
      this.sizes[i] = 0;
      this.bytes -= size;
    }
    return entry;
  }

  list(filter: { domain?: string; operation?: string; idempotencyKey?: string } = {}): RecordedCall[] {
    const kept: RecordedCall[] = [];
    for (let i = this.head; i < this.calls.length; i++) {
      const c = this.calls[i]!;
      if ((!filter.domain || c.domain === filter.domain) && (!filter.operation || c.operation === filter.operation) && (!filter.idempotencyKey || c.idempotencyKey === filter.idempotencyKey)) kept.push(c);
    }
    return kept;
  }

  clear(): void {
    this.calls = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
    this.firstWithBody = 0;
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
