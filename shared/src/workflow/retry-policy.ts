/**
 * Activity retry policies for Dapr workflows. @dapr/dapr 3.18's ctx.callActivity takes no retry
 * policy (dapr/js-sdk#840), so workflows retry with durable timers (activity-retry.ts); this file
 * is the pure part: validation and the delay before each retry.
 */
import { z } from 'zod';

export const retryPolicySchema = z.object({
  /** Attempts in all, the first included: 4 means up to 3 retries. */
  maxAttempts: z.number().int().min(1).max(100),
  firstRetryIntervalMs: z.number().int().min(0),
  backoffCoefficient: z.number().min(1).default(2),
  maxRetryIntervalMs: z.number().int().min(0).default(60_000),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/** Delay before retry number `retry` (1 for the first retry): exponential, capped. */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  const delay = policy.firstRetryIntervalMs * policy.backoffCoefficient ** (retry - 1);
  return Math.min(delay, policy.maxRetryIntervalMs);
}

/** The delays a policy will wait between attempts, in order: handy for docs and tests. */
export function retrySchedule(policy: RetryPolicy): number[] {
  return Array.from({ length: policy.maxAttempts - 1 }, (_, i) => retryDelayMs(policy, i + 1));
}
