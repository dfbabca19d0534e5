import { sessionState, shouldTouch } from './session-policy';

const now = new Date('2026-12-02T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('session idle policy', () => {
  it('is active up to the idle minutes, expired after, and ended once signed out', () => {
    expect(sessionState({ lastSeenAt: ago(30 * 60_000), endedAt: null }, now, 30)).toBe('active');
    expect(sessionState({ lastSeenAt: ago(30 * 60_000 + 1), endedAt: null }, now, 30)).toBe('expired');
    expect(sessionState({ lastSeenAt: ago(1_000), endedAt: ago(500) }, now, 30)).toBe('ended');
  });

  it('touches last_seen_at at most every 15 s, sooner with a short idle time', () => {
    expect(shouldTouch(ago(14_000), now, 30)).toBe(false);
    expect(shouldTouch(ago(15_000), now, 30)).toBe(true);
    expect(shouldTouch(ago(3_000), now, 1)).toBe(true);
  });
});
