/**
 * Which dead letters the reprocessing job replays on its own (seed 004's "Dead Letter Queue
 * Processing": every 15 minutes, recent transient failures retried, old ones moved to manual
 * review). Pure: no Dapr, no Prisma.
 *
 * - TRANSIENT: the subscriber gave up on something that may pass (a provider's 5xx, 408, 429, a
 *   timeout, a connection error, an open circuit: retries spent). Replayed, at most
 *   `maxAutoReplays` times, while younger than `maxAgeMs` (24 h).
 * - REFUSED (a provider's 4xx other than 408/429: bad recipient, unknown payment) and INVALID (event
 *   data that failed validation): a replay sends the same thing and meets the same answer, so a
 *   person decides (they can still replay by hand once the cause is fixed).
 * - Anything older than `maxAgeMs`, or with its automatic replays spent: MANUAL_REVIEW.
 */
import { outcomeOfStatus, statusFromBindingError } from './outcome';

export type FailureKind = 'TRANSIENT' | 'REFUSED' | 'INVALID';

export interface AutoReplayRules {
  maxAutoReplays: number;
  maxAgeMs: number;
}

export type AutoReplayDecision = { action: 'replay' } | { action: 'manual-review'; reason: string };

export function autoReplayDecision(
  letter: { failureKind: string | null; autoReplays: number; firstFailedAt: Date },
  rules: AutoReplayRules,
  now: Date,
): AutoReplayDecision {
  const kind = (letter.failureKind ?? 'TRANSIENT') as FailureKind;
  if (kind === 'REFUSED') return { action: 'manual-review', reason: 'the provider refused it (4xx): a replay would be refused again' };
  if (kind === 'INVALID') return { action: 'manual-review', reason: 'its event data is invalid: a replay would fail validation again' };
  if (now.getTime() - letter.firstFailedAt.getTime() > rules.maxAgeMs) return { action: 'manual-review', reason: `failed more than ${Math.round(rules.maxAgeMs / 3_600_000)} h ago` };
  if (letter.autoReplays >= rules.maxAutoReplays) return { action: 'manual-review', reason: `still failing after ${letter.autoReplays} automatic replays` };
  return { action: 'replay' };
}

/**
 * The failure kind of a notification's dead letter from its sends' rows: a send still PENDING gave
 * up on transient failures; one FAILED was refused; no row at all means the handler never got as
 * far as opening one (invalid data).
 */
export function failureKindOfSends(statuses: readonly string[]): FailureKind {
  if (statuses.includes('PENDING')) return 'TRANSIENT';
  if (statuses.includes('FAILED')) return 'REFUSED';
  return 'INVALID';
}

/** The failure kind of a refund's dead letter from its job's last error (the binding's error text carries the gateway's status). */
export function failureKindOfRefund(job: { lastError: string | null } | null): FailureKind {
  if (!job) return 'INVALID';
  const status = job.lastError ? statusFromBindingError(job.lastError) : undefined;
  return outcomeOfStatus(status, job.lastError ?? '').kind === 'refused' ? 'REFUSED' : 'TRANSIENT';
}
