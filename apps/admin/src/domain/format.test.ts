import { formatDuration, formatMoney, formatTime } from './format';

describe('formatting', () => {
  it('formats money with its currency, and a non-number as a dash', () => {
    expect(formatMoney(1234.5, 'USD')).toBe('US$1,234.50');
    expect(formatMoney('109.97', 'EUR')).toBe('€109.97');
    expect(formatMoney('x')).toBe('—');
    expect(formatMoney(45, 'not a currency')).toBe('45.00 not a currency');
  });

  it('formats times in UTC by default', () => {
    expect(formatTime('2026-12-02T12:03:04Z')).toBe('02 Dec 2026, 12:03:04 UTC');
    expect(formatTime(null)).toBe('—');
  });

  it('says durations in words', () => {
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatDuration(-1)).toBe('0 s');
  });
});
