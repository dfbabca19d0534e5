/**
 * The design document's search attributes (seed 002: orderId, customerId, orderStatus,
 * totalAmount, createdAt "rango de fechas") as the read model's filters. Pure.
 */
import { ORDER_STATUSES, type OrderStatus } from './order';

/** PostgreSQL's timestamptz reaches years 1 to 9999; JavaScript dates reach further. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export interface DateRange {
  from?: Date;
  to?: Date;
}

/** One bound: a date (YYYY-MM-DD, the whole UTC day: its start as `from`, its end as `to`) or a date-time. */
function bound(text: string, end: boolean): Date {
  const trimmed = text.trim();
  const ms = Date.parse(DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00.000Z` : trimmed);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(trimmed)) throw new Error(`${text} is not a date (YYYY-MM-DD) or an ISO 8601 date-time`);
  const at = end && DATE_ONLY.test(trimmed) ? ms + DAY_MS - 1 : ms;
  if (at < EARLIEST || at > LATEST) throw new Error(`${text} is outside years 1 to 9999`);
  return new Date(at);
}

/**
 * `createdAt` as a search value: a date (`2026-01-28`, that UTC day) or a range `from..to` (each
 * side a date or a date-time, inclusive; either side may be left out: `2026-01-01..`). Throws a
 * sentence when the value is neither.
 */
export function createdAtRange(text: string): DateRange {
  const parts = text.split('..');
  if (parts.length > 2) throw new Error('a date, or a range from..to');
  if (parts.length === 1) {
    if (!DATE_ONLY.test(text.trim())) throw new Error('a date (YYYY-MM-DD), or a range from..to of dates or date-times');
    return { from: bound(text, false), to: bound(text, true) };
  }
  const [fromText, toText] = parts.map((p) => p.trim());
  if (!fromText && !toText) throw new Error('a range needs at least one end');
  const range: DateRange = { from: fromText ? bound(fromText, false) : undefined, to: toText ? bound(toText, true) : undefined };
  if (range.from && range.to && range.from > range.to) throw new Error('the range ends before it starts');
  return range;
}

/** Both ranges at once (the document's createdAt and the earlier from/to): the later start, the earlier end. */
export function intersect(a: DateRange, b: DateRange): DateRange {
  const later = (x?: Date, y?: Date) => (!x ? y : !y ? x : x > y ? x : y);
  const earlier = (x?: Date, y?: Date) => (!x ? y : !y ? x : x < y ? x : y);
  return { from: later(a.from, b.from), to: earlier(a.to, b.to) };
}

/** The document's `orderStatus` values: ours, plus its `pending` (an order waiting: for a manager, or for its down payment). */
export const SEARCH_STATUSES = [...ORDER_STATUSES, 'pending'] as const;
export type SearchStatus = (typeof SEARCH_STATUSES)[number];

export function statusesOf(status: SearchStatus): OrderStatus[] {
  if (status !== 'pending') return [status];
  return ORDER_STATUSES.filter((s) => (['awaiting_approval', 'pending_dp'] as readonly string[]).includes(s));
}
