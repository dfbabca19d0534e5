/**
 * When a session stops being valid: ended by sign-out, idle longer than the configured minutes,
 * or open longer than its absolute lifetime. Only what a person does counts as activity: a page's
 * own polling (seat map, progress, charts) never keeps a session alive.
 */
export type SessionState = 'active' | 'ended' | 'expired';

export interface SessionTimes {
  /** When it was signed in (the absolute lifetime counts from here). */
  createdAt?: Date;
  lastSeenAt: Date;
  endedAt: Date | null;
}

/** Where a request came from: a person (a page, a form, a click) or a page's own timer. */
export type RequestOrigin = 'person' | 'poll';

export function sessionState(session: SessionTimes, now: Date, idleMinutes: number, maxHours = Number.POSITIVE_INFINITY): SessionState {
  if (session.endedAt) return 'ended';
  if (session.createdAt && now.getTime() - session.createdAt.getTime() > maxHours * 3_600_000) return 'expired';
  return now.getTime() - session.lastSeenAt.getTime() > idleMinutes * 60_000 ? 'expired' : 'active';
}

/**
 * Whether to write last_seen_at again: never for a poll (a page left open would otherwise keep
 * its session for ever); for a person not on every request (a page load brings several), but
 * often enough that idle expiry is off by at most a few seconds.
 */
export function shouldTouch(lastSeenAt: Date, now: Date, idleMinutes: number, origin: RequestOrigin = 'person'): boolean {
  if (origin === 'poll') return false;
  const slackMs = Math.min(15_000, (idleMinutes * 60_000) / 20);
  return now.getTime() - lastSeenAt.getTime() >= slackMs;
}
