/**
 * The shows section's rules, pure: seat counts, upcoming and past, the create form's fields turned
 * into booking's POST /api/admin/shows body, what the cancel dialog promises, when a cancellation
 * is done. No express, no apps client: the routes adapt, this decides.
 */
import { z } from 'zod';

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD';
export const SEAT_STATUSES: readonly SeatStatus[] = ['AVAILABLE', 'HELD', 'SOLD'];

export interface SeatView { id: string; label: string; section: string; row: string; number: number; status: SeatStatus }
export interface SeatCounts { sold: number; held: number; available: number; total: number }

/** booking's GET /api/shows/:id/seats, as far as the console reads it. */
export const seatsAnswerSchema = z.object({
  seats: z.array(z.object({
    id: z.string(), label: z.string(), section: z.string(), row: z.string(), number: z.number(),
    status: z.enum(['AVAILABLE', 'HELD', 'SOLD']).catch('AVAILABLE'),
  })),
});

export const showSummarySchema = z.object({
  showId: z.string(), title: z.string(), startsAt: z.string(), status: z.string(),
  venue: z.union([z.string(), z.object({ name: z.string() }).transform((v) => v.name)]),
});
export type ShowSummary = z.infer<typeof showSummarySchema>;

export function seatCounts(seats: ReadonlyArray<{ status: SeatStatus }>): SeatCounts {
  const counts: SeatCounts = { sold: 0, held: 0, available: 0, total: seats.length };
  for (const seat of seats) {
    if (seat.status === 'SOLD') counts.sold++;
    else if (seat.status === 'HELD') counts.held++;
    else counts.available++;
  }
  return counts;
}

/** Words, not colour alone: the seat's accessible name and its visible mark. */
export const statusWord = (status: SeatStatus): string => status.toLowerCase();
export const seatName = (seat: Pick<SeatView, 'label' | 'status'>): string => `${seat.label} ${statusWord(seat.status)}`;

/** Upcoming soonest first, past most recent first. */
export function splitShows<T extends { startsAt: string }>(shows: readonly T[], now: Date): { upcoming: T[]; past: T[] } {
  const at = (s: T) => new Date(s.startsAt).getTime();
  return {
    upcoming: shows.filter((s) => at(s) > now.getTime()).sort((a, b) => at(a) - at(b)),
    past: shows.filter((s) => at(s) <= now.getTime()).sort((a, b) => at(b) - at(a)),
  };
}

/** A seat map laid out as sections of rows, in the venue's own order. */
export function seatRows(seats: readonly SeatView[]): Array<{ section: string; rows: Array<{ row: string; seats: SeatView[] }> }> {
  const sections: Array<{ section: string; rows: Array<{ row: string; seats: SeatView[] }> }> = [];
  for (const seat of seats) {
    let section = sections.find((s) => s.section === seat.section);
    if (!section) sections.push((section = { section: seat.section, rows: [] }));
    let row = section.rows.find((r) => r.row === seat.row);
    if (!row) section.rows.push((row = { row: seat.row, seats: [] }));
    row.seats.push(seat);
  }
  for (const section of sections) for (const row of section.rows) row.seats.sort((a, b) => a.number - b.number);
  return sections;
}

/** A show can be cancelled from the console while it is on sale and has not started. */
export const canCancel = (show: { status: string; startsAt: string }, now: Date): boolean =>
  show.status !== 'CANCELLED' && new Date(show.startsAt).getTime() > now.getTime();

/** booking refunds every booking when more tickets were sold than its threshold (SHOW_CANCEL_REFUND_THRESHOLD). */
export function refundPromise(ticketsSold: number, threshold: number): { refunds: boolean; sentence: string } {
  const tickets = `${ticketsSold} ticket${ticketsSold === 1 ? '' : 's'} sold`;
  return ticketsSold > threshold
    ? { refunds: true, sentence: `${tickets}: more than ${threshold}, so every booking will be refunded.` }
    : { refunds: false, sentence: `${tickets}: not more than ${threshold}, so no refunds will be issued (customers are told by SMS and email).` };
}

/** The typed confirmation: the show's title, ignoring surrounding spaces and case. */
export const confirmationMatches = (title: string, typed: string): boolean =>
  typed.trim().toLocaleLowerCase() === title.trim().toLocaleLowerCase();

export const cancelFormSchema = z.object({
  reason: z.string().trim().min(1, 'Give a reason: customers are told why.').max(500, 'The reason may be at most 500 characters.'),
  confirmTitle: z.string().trim().min(1, "Type the show's title to confirm."),
});

const ROW_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The create form as posted (strings); `startsAt` is a datetime-local value read as UTC. */
export const createShowFormSchema = z.object({
  title: z.string().trim().min(1, 'Give the show a title.').max(200, 'A title may be at most 200 characters.'),
  venueName: z.string().trim().min(1, 'Name the venue.').max(200, "A venue's name may be at most 200 characters."),
  startsAt: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'Give the start as a date and time.'),
  sectionName: z.string().trim().min(1, 'Name the seating section.').max(50).regex(/^[A-Za-z0-9 ]+$/, "A section's name takes letters, digits and spaces."),
  zone: z.string().trim().min(1, 'Name the price zone.').max(50),
  rows: z.coerce.number({ message: 'Give the number of rows.' }).int('Rows are a whole number.').min(1, 'A venue needs at least one row.').max(26, 'At most 26 rows (A to Z).'),
  seatsPerRow: z.coerce.number({ message: 'Give the seats per row.' }).int('Seats per row are a whole number.').min(1, 'A row needs at least one seat.').max(500, 'At most 500 seats per row.'),
  price: z.coerce.number({ message: 'Give the price of a seat.' }).positive('A seat costs more than nothing.').max(10_000, 'A seat costs at most 10,000.00.'),
});
export type CreateShowForm = z.infer<typeof createShowFormSchema>;

export interface CreateShowBody {
  title: string;
  startsAt: string;
  venue: { name: string; sections: Array<{ name: string; zone: string; rows: Array<{ label: string; seats: number }> }> };
  policy: { currency: 'EUR'; defaultPrice: number; zonePrices: Record<string, number> };
}

/** The form, checked, as booking's body, or the sentences that say what to fix (one per field). */
export function createShowBody(raw: unknown, now: Date): { ok: true; body: CreateShowBody } | { ok: false; errors: Record<string, string> } {
  const parsed = createShowFormSchema.safeParse(raw);
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      errors[field] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const form = parsed.data;
  const startsAt = new Date(`${form.startsAt.length === 16 ? `${form.startsAt}:00` : form.startsAt}Z`);
  if (Number.isNaN(startsAt.getTime())) return { ok: false, errors: { startsAt: 'Give the start as a date and time.' } };
  if (startsAt.getTime() <= now.getTime()) return { ok: false, errors: { startsAt: 'The start must be in the future.' } };
  const cents = Math.round(form.price * 100);
  return {
    ok: true,
    body: {
      title: form.title, startsAt: startsAt.toISOString(),
      venue: { name: form.venueName, sections: [{ name: form.sectionName, zone: form.zone, rows: ROW_LETTERS.slice(0, form.rows).split('').map((label) => ({ label, seats: form.seatsPerRow })) }] },
      policy: { currency: 'EUR', defaultPrice: cents, zonePrices: { [form.zone]: cents } },
    },
  };
}

/** booking's GET /api/admin/shows/:id/cancellation, as far as the progress panel reads it. */
export const cancellationAnswerSchema = z.object({
  ticketsSold: z.number(), bookings: z.number(), refundThreshold: z.number(), reason: z.string(), cancelledAt: z.string(),
  smsQueued: z.number(), emailsQueued: z.number(), refundsQueued: z.number(),
  delivery: z.object({
    messages: z.object({
      sms: z.object({ queued: z.number(), sent: z.number(), failed: z.number(), pending: z.number() }),
      email: z.object({ queued: z.number(), sent: z.number(), failed: z.number(), pending: z.number() }),
    }),
    refunds: z.object({ queued: z.number(), processed: z.number(), failed: z.number(), manualReview: z.number(), pending: z.number() }),
  }),
  cleanup: z.object({ status: z.string() }),
});
export type CancellationAnswer = z.infer<typeof cancellationAnswerSchema>;

export interface CancellationProgress {
  done: boolean;
  /** One sentence for the live region. */
  state: string;
  sms: { sent: number; failed: number; queued: number };
  email: { sent: number; failed: number; queued: number };
  refunds: { processed: number; failed: number; manualReview: number; queued: number };
  cleanup: string;
}

/**
 * Done when every queued SMS, email and refund has settled (sent, processed or failed: a failure is
 * an answer, it waits in the dead letters or manual review) and booking's clean-up workflow completed.
 */
export function cancellationProgress(answer: CancellationAnswer): CancellationProgress {
  const { sms, email } = answer.delivery.messages;
  const refunds = answer.delivery.refunds;
  const settled = sms.pending === 0 && email.pending === 0 && refunds.pending === 0;
  const cleanup = answer.cleanup.status;
  const done = settled && cleanup === 'COMPLETED';
  const state = done ? 'Done.' : cleanup === 'FAILED' ? 'The clean-up failed; cancelling the show again restarts it.' : 'In progress.';
  return {
    done, state, cleanup,
    sms: { sent: sms.sent, failed: sms.failed, queued: sms.queued },
    email: { sent: email.sent, failed: email.failed, queued: email.queued },
    refunds: { processed: refunds.processed, failed: refunds.failed, manualReview: refunds.manualReview, queued: refunds.queued },
  };
}
