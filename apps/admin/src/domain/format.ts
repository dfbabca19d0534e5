/** Money and time as pages show them: one way everywhere, in the console's locale and time zone. */
export interface FormatOptions {
  locale?: string;
  timeZone?: string;
}

const DEFAULTS = { locale: 'en-GB', timeZone: 'UTC' };

export function formatMoney(amount: number | string, currency = 'USD', options: FormatOptions = {}): string {
  const value = typeof amount === 'string' ? Number(amount) : amount;
  if (!Number.isFinite(value)) return '—';
  try {
    return new Intl.NumberFormat(options.locale ?? DEFAULTS.locale, { style: 'currency', currency }).format(value);
  } catch {
    // A currency Intl does not know (an app's typo) still shows its amount rather than failing the page.
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function formatTime(at: Date | string | null | undefined, options: FormatOptions = {}): string {
  if (at === null || at === undefined) return '—';
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(options.locale ?? DEFAULTS.locale, {
    year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: options.timeZone ?? DEFAULTS.timeZone, timeZoneName: 'short',
  }).format(date);
}

/** A duration in words for countdowns and ages: "1 h 5 min", "42 s", "0 s" for anything not positive. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0 s';
  const seconds = Math.floor(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}
