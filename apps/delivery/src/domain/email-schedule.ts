/**
 * Seed 001's durable email queue, as rules: each email is tried up to `maxAttempts` times (5), the
 * n-th retry waiting `baseSeconds * 2^(n-1)` (60, 120, 240, 480 s); a refusal (a 4xx other than
 * 408/429) is final at once; after the last failed attempt the email goes to the dead letters.
 * Pure: the queue (handlers/email-queue.ts) waits with Dapr scheduler jobs, not here.
 */
import type { SendOutcome } from './outcome';

/**
 * Seed 001's job types: what the email is. `confirmed` is the ticket email (one email, not two);
 * `show_cancelled` is the cancellation notice's email (seed 000), on the same queue.
 */
export const EMAIL_KINDS = ['request_received', 'confirmed', 'policy_escalation', 'show_cancelled'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

export interface EmailSchedule {
  maxAttempts: number;
  baseSeconds: number;
  /** No wait longer than this (with seed 001's 5 attempts from 60 s the longest is 480 s, below any sensible cap). */
  maxDelaySeconds?: number;
}

/** Seconds to wait after failed attempt `attempt` (1-based) before the next one. */
export function retryDelaySeconds(attempt: number, baseSeconds: number, maxDelaySeconds = Number.POSITIVE_INFINITY): number {
  return Math.min(baseSeconds * 2 ** (attempt - 1), maxDelaySeconds);
}

export type NextStep =
  | { step: 'sent' }
  | { step: 'refused' }
  | { step: 'retry'; nextAttempt: number; delaySeconds: number }
  | { step: 'dead-letter' };

/** What follows attempt `attempt` (1-based, within the current round) that ended with `outcome`. */
export function nextStep(outcome: SendOutcome['kind'], attempt: number, schedule: EmailSchedule): NextStep {
  if (outcome === 'sent') return { step: 'sent' };
  if (outcome === 'refused') return { step: 'refused' };
  if (attempt >= schedule.maxAttempts) return { step: 'dead-letter' };
  return { step: 'retry', nextAttempt: attempt + 1, delaySeconds: retryDelaySeconds(attempt, schedule.baseSeconds, schedule.maxDelaySeconds) };
}

/** The scheduler job of one attempt: one name per notification and attempt, so a replayed schedule replaces, never doubles. */
export const emailJobName = (notificationId: string, attempt: number) => `email-${notificationId}-${attempt}`;
