/**
 * The admin's shows in a real browser against the real platform (issue 13, item 3): a seat held
 * through the client path (the gateway, as tests/integration does) turns "held" on the open seat
 * map within 2 s without a reload; an admin cancels a show with bookings through the dialog, the
 * progress panel reaches "done", the providers app recorded one SMS per booking, the cancel button
 * is gone and a second cancel through the API changes nothing. axe on the list, the show page and
 * the open dialog; no console errors.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { Client } from 'pg';
import { startAdminStack, type AdminStack } from '../support/admin-stack';
import { book, createShow, seatIds, type DeliveryWorld } from '../support/delivery-fixtures';
import { acceptedByKey, resetProviders } from '../support/providers-client';
import { redeliveryQuietMs } from '../support/resiliency';
import { checkA11y, launchBrowser, openPage, screenshot, signIn, type WatchedPage } from './support/browser';

const PHONE = '+4915112345678';
/** Issue 13's acceptance bound: 4x the console's SEAT_MAP_POLL_MS default (500 ms), above issue 18's 3x floor. */
const HELD_WITHIN_MS = 2_000;

let stack: AdminStack;
let browser: Browser;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  stack = await startAdminStack({ logName: 'browser-shows', apps: ['booking', 'delivery'] });
  browser = await launchBrowser();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});
beforeEach(() => resetProviders());
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

/** delivery-fixtures' helpers need only the booking stack and the admin header. */
const world = () => ({ booking: stack.apps.booking!, delivery: stack.apps.delivery!, admin: { authorization: `Bearer ${stack.adminApiToken}` } }) as unknown as DeliveryWorld;

async function adminPage(next: string): Promise<WatchedPage> {
  const watched = await openPage(browser, stack.url);
  pages.push(watched);
  await signIn(watched.page, stack.users.alan, next);
  return watched;
}

describe('shows in the browser', () => {
  it('when a customer holds a seat through the client path, then the open seat map shows it held within 2 s without a reload', async () => {
    const title = `Live Map ${randomUUID().slice(0, 8)}`;
    const showId = await createShow(world(), title, 1);

    const list = await adminPage('/shows');
    await list.page.getByRole('link', { name: title }).waitFor();
    await checkA11y(list.page, '/shows');
    await screenshot(list.page, 'shows-list');
    await Promise.all([list.page.waitForURL(`**/shows/${showId}`), list.page.getByRole('link', { name: title }).click()]);
    const { page, expectNoConsoleErrors } = list;
    await page.getByRole('img', { name: 'Floor A3 available' }).waitFor();
    await checkA11y(page, '/shows/:id');
    // A mark on the window: a reload would lose it.
    await page.evaluate(() => { (globalThis as { holdfastNoReload?: boolean }).holdfastNoReload = true; });

    const hold = await stack.apps.booking!.invoke<{ holdId: string }>('POST', `/api/shows/${showId}/holds`, { seatIds: ['FLOOR-A-3'], customerId: 'cust-live', customerEmail: 'live@example.com' });
    expect(hold.status).toBe(201);
    const heldAt = Date.now();
    await page.getByRole('img', { name: 'Floor A3 held' }).waitFor({ timeout: HELD_WITHIN_MS });
    expect(Date.now() - heldAt).toBeLessThan(HELD_WITHIN_MS);
    expect(await page.evaluate(() => (globalThis as { holdfastNoReload?: boolean }).holdfastNoReload)).toBe(true);
    // Words as well as colour: the seat's visible mark and the live counts changed too.
    await expect(page.locator('[data-seat-id="FLOOR-A-3"] .seat-mark').textContent()).resolves.toBe('H');
    await expect(page.locator('#count-held').textContent()).resolves.toBe('1');
    await expect(page.getByRole('img', { name: 'Floor A4 available' }).count()).resolves.toBe(1);
    await screenshot(page, 'show-seat-map-held');
    expectNoConsoleErrors();
  }, 120_000);

  it('when an admin creates a show with the form, then a wrong field is named in a sentence and a right form opens the new show', async () => {
    const title = `Created ${randomUUID().slice(0, 8)}`;
    const { page, expectNoConsoleErrors } = await adminPage('/shows');
    const form = page.locator('form[action="/shows"]');
    await form.getByLabel('Title').fill(title);
    await form.getByLabel('Starts at (UTC)').fill(new Date(Date.now() + 86_400_000).toISOString().slice(0, 16));
    await form.getByLabel('Venue name').fill(`${title} Hall`);
    await form.getByLabel('Section').fill('Stalls');
    await form.getByLabel('Price zone').fill('stalls');
    await form.getByLabel('Rows', { exact: true }).fill('27');
    await form.getByLabel('Seats per row').fill('10');
    await form.getByLabel('Price of a seat (EUR)').fill('30');
    await Promise.all([page.waitForLoadState('load'), form.getByRole('button', { name: 'Create show' }).click()]);
    await page.locator('#show-rows-error', { hasText: 'At most 26 rows (A to Z).' }).waitFor();
    await checkA11y(page, '/shows with a form error');
    await screenshot(page, 'shows-create-error');

    await page.locator('form[action="/shows"]').getByLabel('Rows', { exact: true }).fill('2');
    await Promise.all([page.waitForURL(/\/shows\/[0-9a-f-]{36}$/), page.locator('form[action="/shows"]').getByRole('button', { name: 'Create show' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(title);
    await expect(page.getByRole('img', { name: 'Stalls B10 available' }).count()).resolves.toBe(1);
    await expect(page.locator('#count-available').textContent()).resolves.toBe('20');
    expectNoConsoleErrors();
  }, 120_000);

  it('when an admin cancels a show with bookings in the dialog, then the progress panel reaches done, each booking got one SMS, the button is gone and a second cancel through the API changes nothing', async () => {
    const title = `Cancel Me ${randomUUID().slice(0, 8)}`;
    const showId = await createShow(world(), title, 1);
    const bookings = await book(world(), showId, [seatIds(0, 1), seatIds(1, 2), seatIds(3, 1)], { phone: PHONE });
    const smsKeys = bookings.map((b) => `booking-${b.bookingId}-show-cancelled-sms`);

    const { page, expectNoConsoleErrors } = await adminPage(`/shows/${showId}`);
    await screenshot(page, 'show-seat-map-sold');
    await page.getByRole('button', { name: 'Cancel show' }).click();
    const dialog = page.getByRole('dialog', { name: `Cancel “${title}”` });
    await dialog.waitFor();
    // It states the tickets sold and whether refunds will be issued, with the threshold (200 by default).
    await expect(dialog.locator('#cancel-refunds').textContent()).resolves.toBe('4 tickets sold: not more than 200, so no refunds will be issued (customers are told by SMS and email).');
    await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).resolves.toBe('cancel-reason');
    await checkA11y(page, 'the cancel dialog');

    // A wrong confirmation cancels nothing and says so in words.
    await dialog.getByLabel('Reason (customers are told)').fill('the band missed its flight');
    await dialog.getByLabel("Type the show's title to confirm").fill('not the title');
    await Promise.all([page.waitForURL(/refused=show\.cancel&code=CONFIRMATION_MISMATCH/), dialog.getByRole('button', { name: 'Cancel the show' }).click()]);
    await expect(page.getByRole('alert').filter({ hasText: "does not match the show's title" }).count()).resolves.toBe(1);
    await screenshot(page, 'show-cancel-refused');
    const still = await stack.apps.booking!.invoke<{ status: string }>('GET', `/api/shows/${showId}`);
    expect(still.body.status).not.toBe('CANCELLED');

    await page.getByRole('button', { name: 'Cancel show' }).click();
    await dialog.getByLabel('Reason (customers are told)').fill('the band missed its flight');
    await dialog.getByLabel("Type the show's title to confirm").fill(title);
    await screenshot(page, 'show-cancel-dialog');
    await Promise.all([page.waitForURL(`**/shows/${showId}#cancel-progress`), dialog.getByRole('button', { name: 'Cancel the show' }).click()]);

    // The live panel (aria-live polite) reaches done without a reload.
    const panel = page.locator('#cancel-progress');
    await expect(panel.locator('[aria-live="polite"]').count()).resolves.toBe(1);
    await page.locator('#progress-state', { hasText: 'Done.' }).waitFor({ timeout: 90_000 });
    await expect(page.locator('#progress-sms-sent').textContent()).resolves.toBe('3');
    await expect(page.locator('#progress-email-sent').textContent()).resolves.toBe('3');
    const sms = await acceptedByKey('sms', 'send');
    for (const key of smsKeys) expect(sms.get(key)).toHaveLength(1);
    expect([...sms.keys()].filter((k) => k.includes(showId) || smsKeys.includes(k))).toHaveLength(bookings.length);
    await checkA11y(page, 'the cancelled show');
    await screenshot(page, 'show-cancel-done');

    // No second cancel from the UI: the button is gone, after a reload too.
    await expect(page.getByRole('button', { name: 'Cancel show' }).count()).resolves.toBe(0);
    await page.reload();
    await expect(page.getByRole('button', { name: 'Cancel show' }).count()).resolves.toBe(0);
    await expect(page.locator('#show-status').textContent()).resolves.toBe('cancelled');

    // Through the API: the apps' idempotent answer, and no more SMS.
    const again = await stack.apps.booking!.invoke<{ ticketsSold: number; smsQueued: number }>('POST', `/api/admin/shows/${showId}/cancel`, { reason: 'again' }, { authorization: `Bearer ${stack.adminApiToken}` });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ ticketsSold: 4, smsQueued: 3, reason: 'the band missed its flight' });
    // Longer than one more redelivery could wait: still one SMS per booking.
    await new Promise((resolve) => setTimeout(resolve, redeliveryQuietMs()));
    const after = await acceptedByKey('sms', 'send');
    for (const key of smsKeys) expect(after.get(key)).toHaveLength(1);

    // The console recorded both attempts as alan's: the refused confirmation and the cancel.
    const db = new Client({ connectionString: stack.run.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ user_name: string; outcome: string; detail: { code?: string } }>(
        "SELECT user_name, outcome, detail FROM admin_actions WHERE action = 'show.cancel' AND target_id = $1 ORDER BY at", [showId]);
      expect(rows.map((r) => [r.user_name, r.outcome, r.detail?.code ?? null])).toEqual([['alan', 'refused', 'CONFIRMATION_MISMATCH'], ['alan', 'ok', null]]);
    } finally {
      await db.end();
    }
    expectNoConsoleErrors();
  }, 240_000);
});
