/**
 * A booking's whole story in a real browser against the real platform (issue 13, item 6): a seat
 * held and paid through the client path with one correlation id, its ticket email refused once
 * (providers' chaos) and sent on the retry; then an admin cancels the show from the console (the
 * refund is refused and waits for a person) and retries the refund from the console once the gateway
 * answers again. The timeline page shows the hold, the payment, the failed and the successful email
 * attempt in that order with the one correlation id, and the admin's actions beside the apps' facts;
 * the search box finds the booking by the customer's email. The admin then resends the ticket email
 * from the page: the providers app accepts it a second time under the resend's key, and the story
 * tells the admin's resend and the resent email's attempt. axe on the pages; no console errors.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../support/app-stack';
import { startAdminStack, type AdminStack } from '../support/admin-stack';
import { acceptedByKey, recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { redeliveryQuietMs } from '../support/resiliency';
import { checkA11y, launchBrowser, openPage, screenshot, signIn, type WatchedPage } from './support/browser';

interface TimelineEvent { at: string; app: string; kind: string; summary: string; status?: string; attempt?: number; correlationId?: string; actor?: string; error?: string; links?: Array<{ kind: string; id: string }> }
interface Story { events: TimelineEvent[]; related: Array<{ kind: string; id: string }>; gaps: Array<{ app: string; reason: string }> }
interface RefundView { id: string; bookingId: string; status: string }

const EMAIL_RETRY_BASE_SECONDS = 5;
let stack: AdminStack;
let browser: Browser;
let watched: WatchedPage;

beforeAll(async () => {
  stack = await startAdminStack({
    logName: 'browser-timeline',
    // Every cancelled booking is refunded (more than 0 tickets sold); the email queue retries after
    // EMAIL_RETRY_BASE_SECONDS, long enough (20x the test's 250 ms polling) for the chaos to be lifted
    // before the second attempt; the assertions below hold whichever attempt goes through.
    appEnv: { booking: { SHOW_CANCEL_REFUND_THRESHOLD: '0' }, delivery: { EMAIL_RETRY_BASE_SECONDS: String(EMAIL_RETRY_BASE_SECONDS) } },
  });
  browser = await launchBrowser();
}, 600_000);
afterAll(async () => {
  await watched?.close();
  await browser?.close();
  await stack?.stop();
  await resetProviders();
});

const admin = () => ({ authorization: `Bearer ${stack.adminApiToken}` });
const booking = () => stack.apps.booking!;

/** A show tomorrow with one row of 10 seats, 45.00 EUR a seat (booking's admin API). */
async function createShow(title: string): Promise<string> {
  const created = await booking().invoke<{ showId: string }>('POST', '/api/admin/shows', {
    title, startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    venue: { name: `${title} Hall`, sections: [{ name: 'Floor', zone: 'floor', rows: [{ label: 'A', seats: 10 }] }] },
    policy: { currency: 'EUR', zonePrices: { floor: 4500 }, maxSeatsPerHold: 10 },
  }, admin());
  expect(created.status).toBe(201);
  return created.body.showId;
}

/** The console's JSON, read with the page's own session. */
async function story(page: Page, bookingId: string): Promise<Story> {
  const response = await page.request.get(`/api/admin/timeline/bookings/${bookingId}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as Story;
}

/** A state-changing form post to the console, with the session's CSRF token from the page's meta tag. */
async function postForm(page: Page, path: string, form: Record<string, string>): Promise<number> {
  const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
  const response = await page.request.post(path, { form: { _csrf: token!, ...form }, maxRedirects: 0 });
  return response.status();
}

describe('the timeline in the browser', () => {
  it('shows a booking\'s hold, payment, failed and successful email attempt in order with one correlation id, the admin\'s actions on it, and finds it by email', async () => {
    const correlationId = `corr-${randomUUID()}`;
    const email = `timeline-${randomUUID().slice(0, 8)}@example.com`;
    const title = `Timeline ${randomUUID().slice(0, 8)}`;
    const showId = await createShow(title);
    // Every email is refused (500) until this booking's ticket email has been refused once; then they go through.
    // (A sequence of one 500 could be spent on another email still queued in the shared providers app.)
    await setChaos({ 'email.send': { outcomes: { '500': 1 } } });
    const customer = { 'x-correlation-id': correlationId };
    const hold = await booking().invoke<{ holdId: string }>('POST', `/api/shows/${showId}/holds`, { seatIds: ['FLOOR-A-1'], customerId: `cust-${email}`, customerEmail: email }, customer);
    expect(hold.status).toBe(201);
    const confirmed = await booking().invoke<{ bookingId: string }>('POST', `/api/holds/${hold.body.holdId}/confirm`, { payment: { token: 'tok_visa' } }, { ...customer, 'idempotency-key': `confirm-${hold.body.holdId}` });
    expect(confirmed.status).toBe(201);
    const bookingId = confirmed.body.bookingId;
    await eventually(() => recordedCalls({ domain: 'email', operation: 'send', idempotencyKey: `booking-${bookingId}-ticket-email` }), (calls) => calls.some((c) => c.outcome === '500'), 60_000, 250);
    await setChaos({ 'email.send': { outcomes: { ok: 1 } } });

    watched = await openPage(browser, stack.url);
    const { page } = watched;
    await signIn(page, stack.users.ada, '/timeline');
    await checkA11y(page, '/timeline');
    const emailAttempts = (s: Story) => s.events.filter((e) => e.kind === 'email.attempt');
    await eventually(() => story(page, bookingId), (s) => emailAttempts(s).some((e) => e.status === 'SENT'), 90_000, 500);

    // The admin cancels the show from the console; the refund gateway refuses, so the refund waits for a person.
    await setChaos({ 'refund.create': { outcomes: { '404': 1 } } });
    await page.goto(`/shows/${showId}`);
    expect(await postForm(page, `/shows/${showId}/cancel`, { reason: 'the venue flooded', confirmTitle: title })).toBe(303);
    const refundOf = async (status: string) => (await stack.apps.delivery!.invoke<{ refunds: RefundView[] }>('GET', `/api/admin/refunds?status=${status}&limit=5000`, undefined, admin())).body.refunds.filter((r) => r.bookingId === bookingId);
    const [refund] = await eventually(() => refundOf('FAILED'), (r) => r.length === 1, 90_000, 500);
    // The gateway answers again; the admin retries the refund from the console.
    await setChaos({ 'refund.create': { outcomes: { ok: 1 } } });
    await page.goto('/refunds');
    expect(await postForm(page, `/refunds/${refund!.id}/retry`, {})).toBe(303);
    await eventually(() => refundOf('PROCESSED'), (r) => r.length === 1, 90_000, 500);

    // The JSON: every app answered; the admin's two actions are in the story, by ada.
    const json = await eventually(() => story(page, bookingId), (s) => s.events.some((e) => e.kind === 'refund.processed'), 60_000, 500);
    expect(json.gaps).toEqual([]);
    const actions = json.events.filter((e) => e.kind === 'admin.action');
    expect(actions.map((a) => a.summary)).toEqual(expect.arrayContaining([expect.stringContaining('show.cancel'), expect.stringContaining('refund.retry')]));
    expect(actions.every((a) => a.app === 'admin' && a.actor === 'ada')).toBe(true);

    // The page: the facts in time order with the one correlation id.
    await page.goto(`/timeline/bookings/${bookingId}`);
    const pageRows = () => page.locator('#timeline-events tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      kind: tr.getAttribute('data-kind'), app: tr.getAttribute('data-app'), attempt: tr.getAttribute('data-attempt'), status: tr.getAttribute('data-status'),
      at: tr.querySelector('time')?.getAttribute('datetime') ?? '',
      ...Object.fromEntries(['summary', 'actor', 'correlation-id', 'error'].map((f) => [f, ((tr.querySelector(`[data-field="${f}"]`) as { textContent: string | null } | null)?.textContent ?? '').trim()])),
    }) as { kind: string | null; app: string | null; attempt: string | null; status: string | null; at: string; summary: string; actor: string; 'correlation-id': string; error: string }));
    const rows = await pageRows();
    const indexOf = (accept: (r: typeof rows[number]) => boolean) => rows.findIndex(accept);
    const held = indexOf((r) => r.kind === 'hold.placed');
    const paid = indexOf((r) => r.kind === 'payment.captured');
    // Each message's attempts are numbered on their own ("ticket email attempt 2: sent."); the
    // booking's story also holds other emails (the show-cancelled one): follow the first sent message's.
    const messageOf = (r: typeof rows[number]) => r.summary.replace(/ attempt \d+:.*$/, '');
    const sentEmail = indexOf((r) => r.kind === 'email.attempt' && r.status === 'SENT');
    const ticketEmail = sentEmail < 0 ? '' : messageOf(rows[sentEmail]!);
    const failedEmail = indexOf((r) => r.kind === 'email.attempt' && r.status !== 'SENT' && messageOf(r) === ticketEmail);
    if ([held, paid, failedEmail, sentEmail].some((i) => i < 0)) throw new Error(`missing on the page: ${JSON.stringify({ held, paid, failedEmail, sentEmail })}; listed: ${rows.map((r) => `${r.app} ${r.kind} ${r.status ?? ''} ${r.attempt ?? ''}`).join(' | ')}`);
    expect(held).toBeLessThan(paid);
    expect(paid).toBeLessThan(failedEmail);
    expect(failedEmail).toBeLessThan(sentEmail);
    // That message's attempts are numbered 1..n in page order: every one before the last refused, the last sent.
    const attempts = rows.filter((r) => r.kind === 'email.attempt' && messageOf(r) === ticketEmail);
    expect(attempts.map((r) => r.attempt)).toEqual(attempts.map((_, i) => String(i + 1)));
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.slice(0, -1).every((r) => r.status !== 'SENT')).toBe(true);
    expect(indexOf((r) => r === attempts[attempts.length - 1])).toBe(sentEmail);
    // The times never go backwards down the page.
    const times = rows.map((r) => Date.parse(r.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Hold, payment and both email attempts carry the customer's one correlation id (in the details column).
    for (const i of [held, paid, failedEmail, sentEmail]) expect(rows[i]!['correlation-id']).toBe(correlationId);
    // The failed attempt's recorded error is in words: no JSON.
    expect(rows[failedEmail]!.error).not.toBe('');
    expect(rows[failedEmail]!.error).not.toMatch(/[{}"]/);
    // The admin's actions, by ada, after the email was sent.
    const adminRows = rows.filter((r) => r.kind === 'admin.action');
    expect(adminRows.map((r) => r.summary).join(' ')).toMatch(/show\.cancel[\s\S]*refund\.retry|refund\.retry[\s\S]*show\.cancel/);
    expect(adminRows.every((r) => r.actor === 'ada')).toBe(true);
    expect(indexOf((r) => r.kind === 'admin.action')).toBeGreaterThan(sentEmail);
    // Links to the related pages: the show and the refund.
    await expect(page.locator(`#timeline-related a[href="/shows/${showId}"]`).count()).resolves.toBe(1);
    await expect(page.locator('#timeline-related a[href="/refunds"]').count()).resolves.toBeGreaterThan(0);

    // The admin resends the ticket email from the page: delivery sends it again as a new message, under the resend's own key.
    const key = `booking-${bookingId}-ticket-email`;
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('notice') === 'resent'),
      page.locator('#timeline-events tbody tr').nth(sentEmail).getByRole('button', { name: /^Resend/ }).click(),
    ]);
    await expect(page.locator('#timeline-notice').textContent()).resolves.toContain('The email was sent again as a new message.');
    const resent = await eventually(async () => (await acceptedByKey('email', 'send')).get(`${key}-resend-1`) ?? [], (calls) => calls.length >= 1, 60_000, 250);
    await new Promise((resolve) => setTimeout(resolve, redeliveryQuietMs()));
    const accepted = await acceptedByKey('email', 'send');
    expect(accepted.get(`${key}-resend-1`)).toHaveLength(1);
    expect(accepted.get(key)).toHaveLength(1);
    const recipient = (call: { request: unknown }) => (call.request as { personalizations: Array<{ to: Array<{ email: string }> }> }).personalizations[0]!.to[0]!.email;
    expect(recipient(resent[0]!)).toBe(email);
    // The story then tells the admin's resend (by ada) and the resent email's own attempt, after its queueing.
    await eventually(() => story(page, bookingId), (s) => s.events.some((e) => e.kind === 'email.attempt' && e.status === 'SENT' && e.summary.includes('resent')), 60_000, 500);
    await page.goto(`/timeline/bookings/${bookingId}`);
    const after = await pageRows();
    const resendAction = after.findIndex((r) => r.kind === 'admin.action' && r.summary.includes('notification.resend'));
    const resendQueued = after.findIndex((r) => r.kind === 'email.resend');
    const resentAttempt = after.findIndex((r) => r.kind === 'email.attempt' && r.status === 'SENT' && r.summary.includes('resent'));
    if ([resendAction, resendQueued, resentAttempt].some((i) => i < 0)) throw new Error(`missing after the resend: ${JSON.stringify({ resendAction, resendQueued, resentAttempt })}; listed: ${after.map((r) => `${r.app} ${r.kind} ${r.status ?? ''} ${r.attempt ?? ''}`).join(' | ')}`);
    expect(after[resendAction]!.summary).toBe(`ada notification.resend (booking ${bookingId}): done`);
    expect(after[resendAction]!.actor).toBe('ada');
    expect(after[resendQueued]!.actor).toBe('ada');
    expect(after[resentAttempt]!.attempt).toBe('1');
    expect(resendQueued).toBeLessThan(resentAttempt);
    expect(resendAction).toBeGreaterThan(sentEmail);
    await checkA11y(page, 'the booking timeline');
    await screenshot(page, 'timeline-booking');

    // The search box finds it by the customer's email: straight to its story (or a list naming it).
    await page.goto('/timeline');
    const search = page.getByRole('search', { name: 'Find a booking or an order' });
    await search.getByLabel('Booking id, order id, customer email or correlation id').fill(email);
    await screenshot(page, 'timeline-search');
    await Promise.all([page.waitForURL((url) => url.search.includes('q=') || url.pathname.startsWith('/timeline/')), search.getByRole('button', { name: 'Find' }).click()]);
    if (new URL(page.url()).pathname === '/timeline') {
      await expect(page.locator(`#timeline-matches a[href="/timeline/bookings/${bookingId}"]`).count()).resolves.toBe(1);
      await checkA11y(page, 'the timeline search results');
      await screenshot(page, 'timeline-search-results');
    } else {
      expect(new URL(page.url()).pathname).toBe(`/timeline/bookings/${bookingId}`);
    }
    watched.expectNoConsoleErrors();
  }, 420_000);
});
