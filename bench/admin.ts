/**
 * The admin console's page loads: `npm run bench:admin` (options: --loads N, default 20).
 * Starts the integration tests' platform (placement, scheduler, the providers app) and the
 * console beside booking, fulfillment and delivery, each with its sidecar (startAdminStack), puts
 * some data there (a show of 300 seats with bookings, an order awaiting approval), signs in as a
 * user with both roles, then loads every page N times in Debian's headless Chromium with the
 * browser cache off (each load fetches its HTML, CSS and JavaScript again: the first-visit case).
 * Per page: median and p95 time from navigation start to the end of the load event, and the bytes
 * of HTML, CSS and JavaScript the load transferred (bodies, from the Resource Timing API; the
 * console serves them uncompressed). The console's JSON polls after load are not counted.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import globalSetup from '../tests/support/global-setup';
import globalTeardown from '../tests/support/global-teardown';
import { eventually } from '../tests/support/app-stack';
import { startAdminStack, type AdminStack } from '../tests/support/admin-stack';
import { book, createShow, seatIds, type DeliveryWorld } from '../tests/support/delivery-fixtures';
import { launchBrowser, openPage, signIn } from '../tests/browser/support/browser';
import { cpuCalibrationMs, percentile, printNotes, stopStackOnSignals } from './support';

const { values: opts } = parseArgs({ options: { loads: { type: 'string', default: '20' } } });
const LOADS = Number(opts.loads);
const notes: string[] = [];

interface Load { ms: number; html: number; css: number; js: number; requests: number }

/** One load of `path` as the page's own timing tells it. */
async function load(page: Page, path: string): Promise<Load> {
  const answer = await page.goto(path, { waitUntil: 'load' });
  if (!answer || answer.status() !== 200 || new URL(page.url()).pathname !== path.split('?')[0]) {
    throw new Error(`${path}: ${answer?.status()} at ${page.url()}`);
  }
  // loadEventEnd is set just after the load handlers return: wait until it is there.
  await page.waitForFunction("performance.getEntriesByType('navigation')[0].loadEventEnd > 0");
  // A string, not a function: tsx would add its own helpers (__name) to a function's source, which the page lacks.
  return page.evaluate<Load>(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource').filter((r) => r.startTime <= nav.loadEventEnd);
    const sum = (suffix) => resources.filter((r) => new URL(r.name).pathname.endsWith(suffix)).reduce((total, r) => total + r.encodedBodySize, 0);
    return { ms: nav.loadEventEnd, html: nav.encodedBodySize, css: sum('.css'), js: sum('.js'), requests: 1 + resources.length };
  })()`);
}

/** Some of everything the pages list: a show with bookings (sold seats), an order awaiting approval. */
async function seed(stack: AdminStack): Promise<{ showId: string; bookingId: string; orderId: string }> {
  const admin = { authorization: `Bearer ${stack.adminApiToken}` };
  const world = { booking: stack.apps.booking!, delivery: stack.apps.delivery!, admin } as unknown as DeliveryWorld;
  const showId = await createShow(world, `Bench ${randomUUID().slice(0, 8)}`, 6);
  const bookings = await book(world, showId, [seatIds(0, 2), seatIds(10, 4), seatIds(60, 1), seatIds(120, 3), seatIds(200, 2)]);
  const orderId = `ord-${randomUUID()}`;
  const fulfillment = stack.apps.fulfillment!;
  const placed = await fulfillment.invoke('POST', '/workflows/order', {
    orderId, customerId: 'cust-bench', items: [{ sku: 'BOOK-1', quantity: 2, price: 25 }], totalAmount: 50,
    shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
    customerEmail: 'bench@example.com', approvalTimeoutSeconds: 240,
  });
  if (placed.status !== 202) throw new Error(`placing the order: ${placed.status} ${JSON.stringify(placed.body)}`);
  await eventually(async () => (await fulfillment.invoke<{ status: string }>('GET', `/workflows/${orderId}/status`)).body, (o) => o.status === 'awaiting_approval', 60_000);
  return { showId, bookingId: bookings[0]!.bookingId, orderId };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

async function main() {
  stopStackOnSignals();
  const calibration = cpuCalibrationMs();
  await globalSetup();
  let stack: AdminStack | undefined;
  const browser = await launchBrowser();
  try {
    // Orders above 10.00 wait for a manager, so the queue and the order page have one to show.
    stack = await startAdminStack({ logName: 'bench-admin', appEnv: { fulfillment: { AUTO_APPROVE_MAX_AMOUNT: '10' } } });
    const { showId, bookingId, orderId } = await seed(stack);

    const pages: Array<[string, string]> = [
      ['sign-in (signed out)', '/signin'], ['home', '/'], ['shows', '/shows'], [`a show (300 seats)`, `/shows/${showId}`],
      ['delivery (figures, charts)', '/delivery'], ['refunds', '/refunds'], ['webhooks', '/webhooks'],
      ['orders search', '/orders'], ['approvals', '/approvals'], ['an order', `/orders/${orderId}`],
      ['timeline search', '/timeline'], ['a booking\'s timeline', `/timeline/bookings/${bookingId}`], ['an order\'s timeline', `/timeline/orders/${orderId}`],
    ];
    const anonymous = await openPage(browser, stack.url);
    const signedIn = await openPage(browser, stack.url);
    await signIn(signedIn.page, stack.users.ada);
    for (const watched of [anonymous, signedIn]) {
      const cdp = await watched.context.newCDPSession(watched.page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    }

    const rows: string[] = [];
    for (const [label, path] of pages) {
      const page = path === '/signin' ? anonymous.page : signedIn.page;
      await load(page, path); // the first load compiles the view: not counted
      const loads: Load[] = [];
      for (let i = 0; i < LOADS; i++) loads.push(await load(page, path));
      const ms = loads.map((l) => l.ms).sort((a, b) => a - b);
      const last = loads.at(-1)!;
      rows.push(`| ${label} | ${percentile(ms, 50).toFixed(0)} | ${percentile(ms, 95).toFixed(0)} | ${kb(last.js)} | ${kb(last.css)} | ${kb(last.html)} | ${last.requests} |`);
    }
    const errors = [...anonymous.errors, ...signedIn.errors];
    console.log(`\nAdmin console page loads: ${LOADS} per page after one not counted, browser cache off, headless Chromium on this machine.\n`);
    console.log('| page | median ms to load event | p95 ms | JavaScript KB | CSS KB | HTML KB | requests |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    notes.push(`console errors during the run: ${errors.length === 0 ? 'none' : errors.join('; ')}`);
    printNotes(notes, calibration);
  } finally {
    await browser.close();
    await stack?.stop();
    await globalTeardown();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
