/** When a session stops being valid: ended by sign-out, or idle longer than the configured minutes. */
export type SessionState = 'active' | 'ended' | 'expired';

export interface SessionTimes {
  lastSeenAt: Date;
  endedAt: Date | null;
}

export function sessionState(session: SessionTimes, now: Date, idleMinutes: number): SessionState {
  if (session.endedAt) return 'ended';
  return now.getTime() - session.lastSeenAt.getTime() > idleMinutes * 60_000 ? 'expired' : 'active';
}

/**
 * Whether to write last_seen_at again: not on every request (a page load brings several), but
 * often enough that idle expiry is off by at most a few seconds.
 */
export function shouldTouch(lastSeenAt: Date, now: Date, idleMinutes: number): boolean {
  const slackMs = Math.min(15_000, (idleMinutes * 60_000) / 20);
  return now.getTime() - lastSeenAt.getTime() >= slackMs;
}
