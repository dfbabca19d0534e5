/**
 * The /orders search form: its fields (zod, empty fields dropped), the query fulfillment's
 * GET /workflows takes, and the column sort. fulfillment answers newest first by cursor pages;
 * a column sort orders the page it answered. Pure.
 */
import { z } from 'zod';
import type { OrderView } from './order-view';
import { ENTITY_ID_PATTERN, ENTITY_ID_WORDS } from '../../domain/ids';

export const SEARCH_STATUSES = ['pending', 'pending_dp', 'awaiting_approval', 'approved', 'rejected', 'processing', 'shipped', 'failed', 'cancelled'] as const;
export const SORT_COLUMNS = ['orderId', 'customerId', 'status', 'totalAmount', 'createdAt'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export type SortDirection = 'asc' | 'desc';

export const PAGE_SIZES = [10, 25, 50, 100] as const;

/** A form leaves untouched fields as "": those mean "no filter". */
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blank, schema.optional());
const amount = z.coerce.number().nonnegative().max(10_000_000);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date (YYYY-MM-DD)').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real date');

export const searchFormSchema = z.object({
  customer: optional(z.string().trim().max(100)),
  orderId: optional(z.string().trim().regex(ENTITY_ID_PATTERN, ENTITY_ID_WORDS)),
  status: optional(z.enum(SEARCH_STATUSES)),
  minAmount: optional(amount),
  maxAmount: optional(amount),
  from: optional(day),
  to: optional(day),
  sort: optional(z.enum(SORT_COLUMNS)),
  dir: optional(z.enum(['asc', 'desc'])),
  limit: optional(z.coerce.number().int().refine((n) => (PAGE_SIZES as readonly number[]).includes(n), 'a page size of 10, 25, 50 or 100')),
  cursor: optional(z.string().max(300).regex(/^[A-Za-z0-9_-]+$/)),
  page: optional(z.coerce.number().int().min(1).max(100_000)),
})
  .refine((f) => f.minAmount === undefined || f.maxAmount === undefined || f.minAmount <= f.maxAmount, { message: 'the lowest amount is above the highest', path: ['maxAmount'] })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'the range ends before it starts', path: ['to'] });
export type SearchForm = z.infer<typeof searchFormSchema>;

/** The field errors of an invalid form, by field name, as sentences. */
export function formErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    out[field] ??= issue.message;
  }
  return out;
}

/** fulfillment's GET /workflows query for the form (dates as whole UTC days). */
export function fulfillmentQuery(form: SearchForm): string {
  const q = new URLSearchParams();
  if (form.customer) q.set('customerId', form.customer);
  if (form.orderId) q.set('orderId', form.orderId);
  if (form.status) q.set('orderStatus', form.status);
  if (form.minAmount !== undefined) q.set('minAmount', String(form.minAmount));
  if (form.maxAmount !== undefined) q.set('maxAmount', String(form.maxAmount));
  if (form.from) q.set('from', `${form.from}T00:00:00.000Z`);
  if (form.to) q.set('to', `${form.to}T23:59:59.999Z`);
  q.set('limit', String(form.limit ?? 25));
  if (form.cursor) q.set('cursor', form.cursor);
  return `/workflows?${q.toString()}`;
}

/** The console's own /orders link for the form with some fields changed (undefined drops one). */
export function searchHref(form: SearchForm, changes: Partial<Record<keyof SearchForm, string | number | undefined>> = {}): string {
  const merged: Record<string, unknown> = { ...form, ...changes };
  const q = new URLSearchParams();
  for (const key of ['customer', 'orderId', 'status', 'minAmount', 'maxAmount', 'from', 'to', 'sort', 'dir', 'limit', 'cursor', 'page']) {
    const value = merged[key];
    if (value !== undefined && value !== '') q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `/orders?${text}` : '/orders';
}

const compare = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a ?? '').localeCompare(String(b ?? '')));

/** The page's orders by a column; without a column, as fulfillment answered (newest first). */
export function sortOrders<T extends Pick<OrderView, SortColumn>>(orders: readonly T[], sort?: SortColumn, dir: SortDirection = 'asc'): T[] {
  if (!sort) return [...orders];
  const sign = dir === 'desc' ? -1 : 1;
  return orders.map((o, i) => ({ o, i })).sort((x, y) => sign * compare(x.o[sort], y.o[sort]) || x.i - y.i).map(({ o }) => o);
}

export interface SortHeader {
  column: SortColumn;
  /** aria-sort of the column header. */
  ariaSort: 'ascending' | 'descending' | 'none';
  /** The link that sorts by this column (the other direction when it is already the sort). */
  href: string;
}

/** Each column's header link and aria-sort; a new sort keeps the filters and the page it sorts. */
export function sortHeaders(form: SearchForm): SortHeader[] {
  return SORT_COLUMNS.map((column) => {
    const current = form.sort === column;
    const dir = form.dir ?? 'asc';
    const next: SortDirection = current && dir === 'asc' ? 'desc' : 'asc';
    return {
      column,
      ariaSort: current ? (dir === 'asc' ? 'ascending' : 'descending') : 'none',
      href: searchHref(form, { sort: column, dir: next }),
    };
  });
}
