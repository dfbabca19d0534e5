/**
 * The manager's orders in a real browser against the real platform (issue 13, item 4): orders are
 * placed through the client path (the gateway), as tests/integration/fulfillment-saga.test.ts does;
 * a manager approves one (it ships), rejects another with a reason (its authorization is released
 * at the providers), and an order that cannot be approved any more shows fulfillment's 409 as a
 * sentence. axe on every page and with the reject dialog open; no console errors anywhere.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { eventually } from '../support/app-stack';
import { startAdminStack, type AdminStack } from '../support/admin-stack';
import { providerResources, resetProviders } from '../support/providers-client';
import { checkA11y, launchBrowser, openPage, screenshot, signIn, type WatchedPage } from './support/browser';

interface OrderView { orderId: string; status: string; approvedBy: string | null; rejectionReason: string | null; finishedAt: string | null; progress: number }

/** Orders above 10.00 wait for a manager; the label is polled quickly so an approved order ships soon. */
const FULFILLMENT_ENV = { AUTO_APPROVE_MAX_AMOUNT: '10', LABEL_POLL_SECONDS: '0.5' };
/** Long enough that no order of this file times out while the test acts on it (the default limit is 293 s). */
const APPROVAL_TIMEOUT_SECONDS = 240;

let stack: AdminStack;
let browser: Browser;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  stack = await startAdminStack({ logName: 'browser-orders', appEnv: { fulfillment: FULFILLMENT_ENV } });
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

const fulfillment = () => stack.apps.fulfillment!;
const manager = () => ({ authorization: `Bearer ${stack.managerApiToken}` });

async function placeOrder(total = 50): Promise<string> {
  const orderId = `ord-${randomUUID()}`;
  const placed = await fulfillment().invoke('POST', '/workflows/order', {
    orderId, customerId: `cust-${orderId.slice(4, 12)}`,
    items: [{ sku: 'BOOK-1', quantity: 2, price: total / 4 }, { sku: 'PEN-9', quantity: 1, price: total / 2 }], totalAmount: total,
    shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
    customerEmail: 'ada@example.com', approvalTimeoutSeconds: APPROVAL_TIMEOUT_SECONDS,
  });
  expect(placed.status).toBe(202);
  await statusUntil(orderId, (o) => o.status === 'awaiting_approval');
  return orderId;
}

const statusOf = async (orderId: string) => (await fulfillment().invoke<OrderView>('GET', `/workflows/${orderId}/status`)).body;
const statusUntil = (orderId: string, accept: (o: OrderView) => boolean, timeoutMs = 60_000) => eventually(() => statusOf(orderId), accept, timeoutMs);

async function managerPage(next = '/'): Promise<WatchedPage> {
  const watched = await openPage(browser, stack.url);
  pages.push(watched);
  await signIn(watched.page, stack.users.grace, next);
  return watched;
}

describe('orders in the browser', () => {
  it('when a manager approves an order awaiting approval from the queue, then it ships and names the manager', async () => {
    const orderId = await placeOrder();
    const { page, expectNoConsoleErrors } = await managerPage('/approvals');
    const row = page.locator('#approvals-table tr', { has: page.getByRole('link', { name: orderId }) });
    // The time left counts down from fulfillment's approvalDueAt, and the due time is there as text
    // (an order without one says "unknown": order-view.test.ts).
    const countdown = row.locator('.countdown');
    await expect(countdown.count()).resolves.toBe(1);
    const due = Date.parse((await countdown.getAttribute('data-due'))!);
    const leftSeconds = (due - Date.now()) / 1000;
    expect(leftSeconds).toBeGreaterThan(APPROVAL_TIMEOUT_SECONDS - 120);
    expect(leftSeconds).toBeLessThanOrEqual(APPROVAL_TIMEOUT_SECONDS);
    await expect(row.locator('.due time').getAttribute('datetime')).resolves.toBe(new Date(due).toISOString());
    const first = await countdown.textContent();
    // Static JS counts it down every second, without a reload: the text changes (polled, 10x the tick).
    await eventually(() => countdown.textContent(), (text) => text !== first, 10_000, 200);
    await checkA11y(page, '/approvals');
    await screenshot(page, 'approvals-queue');

    await Promise.all([page.waitForURL(/\/approvals\?done=approve/), row.getByRole('button', { name: `Approve order ${orderId}` }).click()]);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The order was approved.');
    const shipped = await statusUntil(orderId, (o) => o.finishedAt !== null, 120_000);
    expect(shipped).toMatchObject({ status: 'shipped', approvedBy: 'grace', progress: 100 });

    // The order page tells the story: shipped, all steps done, the label made, no decision left to take.
    await page.goto(`/orders/${orderId}`);
    await expect(page.locator('#order-status').textContent()).resolves.toBe('Shipped');
    await expect(page.locator('#order-approved-by').textContent()).resolves.toBe('grace');
    const steps = await page.locator('#order-steps > li > strong').allTextContents();
    expect(steps).toEqual(['payment_authorization', 'manager_approval', 'inventory_reservation', 'payment_capture', 'shipping_label', 'customer_notification']);
    await expect(page.locator('#label-progress').getAttribute('value')).resolves.toBe('100');
    await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
    await checkA11y(page, 'the shipped order page');
    await screenshot(page, 'order-approved');

    // Its timeline: fulfillment's saga steps and grace's approval from the console, every app answering.
    await Promise.all([page.waitForURL(`**/timeline/orders/${orderId}`), page.getByRole('link', { name: 'The order\'s whole story (timeline)' }).click()]);
    await expect(page.locator('.timeline-gap').count()).resolves.toBe(0);
    const kinds = await page.locator('#timeline-events tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-app')} ${tr.getAttribute('data-kind')}`));
    expect(kinds).toEqual(expect.arrayContaining(['fulfillment order.created', 'fulfillment saga.step', 'admin admin.action']));
    await expect(page.locator('#timeline-events tr[data-kind="admin.action"]').textContent()).resolves.toMatch(/grace order\.approve \(order [^)]+\): done/);
    await checkA11y(page, 'the order timeline');
    await screenshot(page, 'timeline-order');
    expectNoConsoleErrors();
  }, 240_000);

  it('when a manager rejects an order with a reason in the dialog, then it ends rejected and its authorization is released', async () => {
    const orderId = await placeOrder();
    const { page, expectNoConsoleErrors } = await managerPage(`/orders/${orderId}`);
    await expect(page.locator('#order-status').textContent()).resolves.toBe('Awaiting approval');
    await expect(page.locator('#order-steps').textContent()).resolves.toContain('payment_authorization');
    await checkA11y(page, 'the order page');
    await screenshot(page, 'order-awaiting-approval');

    await page.getByRole('button', { name: 'Reject…' }).click();
    const dialog = page.getByRole('dialog', { name: `Reject order ${orderId}` });
    await dialog.waitFor();
    // The dialog's first field has the focus.
    await expect(page.locator('#reject-reason').evaluate((el) => el === el.ownerDocument.activeElement)).resolves.toBe(true);
    await checkA11y(page, 'the reject dialog');
    await dialog.getByLabel('Reason (recorded with the order)').fill('address is a parcel locker');
    await screenshot(page, 'order-reject-dialog');
    await Promise.all([page.waitForURL(/done=reject/), dialog.getByRole('button', { name: 'Reject order' }).click()]);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The order was rejected.');
    await screenshot(page, 'order-rejected');

    const rejected = await statusUntil(orderId, (o) => o.finishedAt !== null);
    expect(rejected).toMatchObject({ status: 'rejected', rejectionReason: 'address is a parcel locker' });
    // The providers' own record: the authorization was released, nothing captured.
    const resources = await eventually(() => providerResources(orderId), (rs) => rs.some((r) => r.kind === 'authorization' && r.status !== 'authorized'), 30_000);
    expect(resources.filter((r) => r.kind === 'authorization').map((r) => r.status)).toEqual(['released']);
    expect(resources.filter((r) => r.kind === 'capture')).toEqual([]);
    await page.reload();
    await expect(page.locator('#order-rejection-reason').textContent()).resolves.toBe('address is a parcel locker');
    expectNoConsoleErrors();
  }, 180_000);

  it('when an order was rejected by someone else while the page was open, then Approve shows fulfillment\'s 409 as a sentence', async () => {
    const orderId = await placeOrder();
    const { page, expectNoConsoleErrors } = await managerPage(`/orders/${orderId}`);
    await page.getByRole('button', { name: 'Approve' }).waitFor();
    // Another manager (fulfillment's API, the shared manager credential) rejects it first.
    expect((await fulfillment().invoke('POST', `/workflows/${orderId}/reject`, { reason: 'duplicate order' }, manager())).status).toBe(202);
    await statusUntil(orderId, (o) => o.status === 'rejected');

    await Promise.all([page.waitForURL(/refused=approve/), page.getByRole('button', { name: 'Approve' }).click()]);
    const alert = page.getByRole('alert');
    expect((await alert.textContent())?.trim()).toBe('This order can no longer be approved: it was already rejected (duplicate order).');
    await expect(page.locator('#order-status').textContent()).resolves.toBe('Rejected');
    await checkA11y(page, 'the order page with a refusal');
    await screenshot(page, 'order-409');
    // The order stays rejected: nothing was approved behind the sentence.
    expect(await statusOf(orderId)).toMatchObject({ status: 'rejected', approvedBy: null });
    expectNoConsoleErrors();
  }, 180_000);

  it('the search finds orders by customer and status, sorts a column, and passes axe; an admin-only user has no Orders navigation', async () => {
    const orderId = await placeOrder(60);
    const customer = (await statusOf(orderId) as OrderView & { customerId: string }).customerId;
    const { page, expectNoConsoleErrors } = await managerPage('/orders');
    const filters = page.getByRole('search', { name: 'Find orders' });
    await filters.getByLabel('Customer id').fill(customer);
    await filters.getByLabel('Status').selectOption('awaiting_approval');
    await filters.getByLabel('Lowest total').fill('59');
    await filters.getByLabel('Highest total').fill('61');
    await Promise.all([page.waitForURL(/customer=/), filters.getByRole('button', { name: 'Search' }).click()]);
    await expect(page.locator('#orders-table tbody tr').count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: orderId }).count()).resolves.toBe(1);
    await Promise.all([page.waitForURL(/sort=totalAmount/), page.getByRole('link', { name: /^Total/ }).click()]);
    await expect(page.locator('th[aria-sort="ascending"]').textContent()).resolves.toContain('Total');
    await checkA11y(page, '/orders');
    await screenshot(page, 'orders-search');
    // Nothing matches above the order's total.
    await page.goto(`/orders?customer=${encodeURIComponent(customer)}&minAmount=61`);
    await expect(page.locator('#orders-empty').count()).resolves.toBe(1);
    expectNoConsoleErrors();

    const admin = await openPage(browser, stack.url);
    pages.push(admin);
    await signIn(admin.page, stack.users.alan);
    const nav = admin.page.getByRole('navigation', { name: 'Sections' });
    await expect(nav.getByRole('link', { name: 'Orders' }).count()).resolves.toBe(0);
    await expect(nav.getByRole('link', { name: 'Approvals' }).count()).resolves.toBe(0);
    const refused = await admin.page.request.get('/orders', { headers: { accept: 'application/json' } });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).code).toBe('ROLE_REQUIRED');
    admin.expectNoConsoleErrors();
  }, 180_000);
});
