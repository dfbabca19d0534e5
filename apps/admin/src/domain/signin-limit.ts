/**
 * The sign-in limit: at most `limit` failed attempts per user name and per client address within
 * `windowMs`; the next attempt is refused until the oldest failure in the window ages out.
 */
export interface SigninLimitPolicy {
  limit: number;
  windowMs: number;
}

export const SIGNIN_LIMIT: SigninLimitPolicy = { limit: 5, windowMs: 60_000 };

/** Failure times within the window, per key (the repository reads them). */
export interface RecentFailures {
  byName: Date[];
  byAddress: Date[];
}

export type SigninDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export function signinDecision(failures: RecentFailures, now: Date, policy: SigninLimitPolicy = SIGNIN_LIMIT): SigninDecision {
  const waits = [failures.byName, failures.byAddress]
    .map((times) => times.filter((t) => now.getTime() - t.getTime() < policy.windowMs).sort((a, b) => a.getTime() - b.getTime()))
    .filter((times) => times.length >= policy.limit)
    // The attempt is allowed again once enough failures have aged out to go below the limit.
    .map((times) => times[times.length - policy.limit]!.getTime() + policy.windowMs - now.getTime());
  if (waits.length === 0) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) };
}
