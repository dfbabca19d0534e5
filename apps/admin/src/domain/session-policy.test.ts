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

describe('session lifetime and polling', () => {
  it('expires a session older than its absolute lifetime however recently it was used', () => {
    const hours = (h: number) => ago(h * 3_600_000);
    expect(sessionState({ createdAt: hours(12), lastSeenAt: ago(1_000), endedAt: null }, now, 30, 12)).toBe('active');
    expect(sessionState({ createdAt: new Date(hours(12).getTime() - 1), lastSeenAt: ago(1_000), endedAt: null }, now, 30, 12)).toBe('expired');
    expect(sessionState({ createdAt: hours(13), lastSeenAt: ago(1_000), endedAt: ago(500) }, now, 30, 12)).toBe('ended');
  });

  it('never refreshes last_seen_at for a poll, so a session whose only requests are polls goes idle', () => {
    expect(shouldTouch(ago(29 * 60_000), now, 30, 'poll')).toBe(false);
    expect(shouldTouch(ago(29 * 60_000), now, 30, 'person')).toBe(true);
    // Polled every 500 ms for 31 minutes after the last click: still expired.
    let lastSeenAt = ago(31 * 60_000);
    for (let t = 31 * 60_000; t > 0; t -= 500) if (shouldTouch(lastSeenAt, ago(t), 30, 'poll')) lastSeenAt = ago(t);
    expect(sessionState({ lastSeenAt, endedAt: null }, now, 30)).toBe('expired');
  });
});
