/**
 * Bad input on real sidecars answers a 4xx problem+json with a machine-readable code, never a 5xx:
 * text PostgreSQL cannot store (U+0000, a lone surrogate) in bodies, keys, queries, path params and
 * a signed webhook; money over the bounds; a webhook signed in the future; the order search without
 * a manager token; a method a path does not declare (405 with Allow).
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { startBookingStack, startFulfillmentStack, type AppStack } from '../support/app-stack';
import { resetProviders } from '../support/providers-client';

let booking: AppStack;
let fulfillment: AppStack;
let showId: string;

interface Problem { code: string; errors?: Array<{ path: string; message: string; code: string }>; allow?: string[]; reason?: string }

const admin = () => ({ authorization: `Bearer ${booking.run.adminApiToken}` });
const manager = () => ({ authorization: `Bearer ${fulfillment.run.managerApiToken}` });
const NUL = '\u0000';
const LONE = '\ud800';

/** The show every booking test uses (valid text throughout, an emoji among it). */
const showInput = (overrides: Record<string, unknown> = {}) => ({
  title: 'Hamlet 🎭', startsAt: new Date(Date.now() + 86_400_000).toISOString(),
  venue: { name: 'Rose', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: 20 }] }] },
  policy: { currency: 'EUR', zonePrices: { front: 6000 } },
  ...overrides,
});

const orderInput = (overrides: Record<string, unknown> = {}) => ({
  orderId: `ord-${randomUUID()}`, customerId: 'cust-bad-input',
  items: [{ sku: 'BOOK-1', quantity: 2, price: 2.5 }], totalAmount: 5,
  shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
  customerEmail: 'ada@example.com',
  ...overrides,
});

/** A raw call with a method and headers the support helpers do not send; answers status, Allow and body. */
async function raw(url: string, method: string, headers: Record<string, string>, body?: string) {
  const response = await fetch(url, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), allow: response.headers.get('allow'), body: (text ? JSON.parse(text) : undefined) as Problem };
}

const paths = (body: Problem) => (body.errors ?? []).map((e) => e.path).sort();

beforeAll(async () => {
  booking = await startBookingStack({ logName: 'bad-input-booking' });
  fulfillment = await startFulfillmentStack({ logName: 'bad-input-fulfillment' });
  const created = await booking.invoke<{ showId: string }>('POST', '/api/admin/shows', showInput(), admin());
  expect(created.status).toBe(201);
  showId = created.body.showId;
});
afterAll(async () => {
  await booking?.stop();
  await fulfillment?.stop();
});
beforeEach(() => resetProviders());

describe('text PostgreSQL cannot store', () => {
  it('when a show names NUL or a lone surrogate in its title, venue or a zone key, then it is a 400 VALIDATION_FAILED naming each field', async () => {
    // A marker of this request alone: other test files share the database and create their own 'Hamlet'.
    const marker = randomUUID();
    const answer = await booking.invoke<Problem>('POST', '/api/admin/shows', showInput({
      title: `Ham${NUL}let ${marker}`,
      venue: { name: `Rose${LONE}`, sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: 2 }] }] },
      policy: { zonePrices: { [`fr${NUL}ont`]: 6000 } },
    }), admin());
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.errors).toEqual(expect.arrayContaining([
      { path: 'body.title', message: expect.stringMatching(/U\+0000/), code: 'invalid_format' },
      { path: 'body.venue.name', message: expect.stringMatching(/surrogate/), code: 'invalid_format' },
      { path: 'body.policy.zonePrices', message: expect.stringMatching(/key/), code: 'invalid_key' },
    ]));
    const shows = await booking.invoke<{ shows: Array<{ title: string }> }>('GET', '/api/shows');
    expect(shows.body.shows.filter((s) => s.title.includes(marker))).toEqual([]);
  });

  it('when a hold names bad text in customerId or seatIds, then it is refused before the actor; valid text places the hold', async () => {
    const bad = await booking.invoke<Problem>('POST', `/api/shows/${showId}/holds`, { seatIds: [`STALLS-A-1${LONE}`], customerId: `c${NUL}`, customerEmail: 'ada@example.com' });
    expect(bad.status).toBe(400);
    expect(paths(bad.body)).toEqual(['body.customerId', 'body.seatIds.0']);
    // The actor call behind a valid hold (a JSON body through the actor routes) is untouched by the guard.
    const good = await booking.invoke<{ holdId: string; customerId: string }>('POST', `/api/shows/${showId}/holds`, { seatIds: ['STALLS-A-1'], customerId: 'Zoë 🎟', customerEmail: 'ada@example.com' });
    expect(good.status).toBe(201);
    expect(good.body.customerId).toBe('Zoë 🎟');
  });

  it('when a concession names bad text in its body or its sku, then it is named body.name or params.sku', async () => {
    const body = await booking.invoke<Problem>('PUT', '/api/admin/concessions/WINE', { name: `Wine${NUL}`, price: 700 }, admin());
    expect([body.status, paths(body.body)]).toEqual([400, ['body.name']]);
    // Straight to the app (with its token): through a sidecar, daprd answers a NUL in the method path itself
    // (500 ERR_DIRECT_INVOKE, "method contains forbidden character") and the app never sees it.
    const param = await raw(`${booking.appUrl}/api/admin/concessions/WI%00NE`, 'PUT', { ...admin(), 'dapr-api-token': booking.run.appApiToken }, JSON.stringify({ name: 'Wine', price: 700 }));
    expect([param.status, param.body.code, paths(param.body)]).toEqual([400, 'VALIDATION_FAILED', ['params.sku']]);
  });

  it('when a query value holds NUL, then it is named query.<name>', async () => {
    const answer = await booking.invoke<Problem>('GET', '/api/admin/webhooks?status=%00', undefined, admin());
    expect([answer.status, answer.body.code, paths(answer.body)]).toEqual([400, 'VALIDATION_FAILED', ['query.status']]);
    const search = await fulfillment.invoke<Problem>('GET', '/workflows?customerId=c%00', undefined, manager());
    expect([search.status, paths(search.body)]).toEqual([400, ['query.customerId']]);
  });

  it('when an order names bad text in customerId, an address field or a sku, then each is named', async () => {
    const answer = await fulfillment.invoke<Problem>('POST', '/workflows/order', orderInput({
      customerId: `cust${NUL}`, items: [{ sku: `BOOK${LONE}`, quantity: 2, price: 2.5 }],
      shippingAddress: { line1: `1 Main${NUL} Street`, city: 'Berlin', postalCode: '10115', country: 'DE' },
    }));
    expect(answer.status).toBe(400);
    expect(paths(answer.body)).toEqual(['body.customerId', 'body.items.0.sku', 'body.shippingAddress.line1']);
  });

  it('when a correctly signed webhook event carries NUL in its id, then it is a 400 VALIDATION_FAILED naming body.id, not a 500', async () => {
    const payload = JSON.stringify({ id: `evt_${NUL}1`, object: 'event', type: 'charge.refunded', data: { object: { id: 're_1', metadata: {} } } });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: booking.run.paymentsWebhookSecret, timestamp: Math.floor(Date.now() / 1000) });
    const answer = await raw(`${booking.appUrl}/webhooks/payments`, 'POST', { 'stripe-signature': signature }, payload);
    expect([answer.status, answer.body.code, paths(answer.body)]).toEqual([400, 'VALIDATION_FAILED', ['body.id']]);
  });
});

describe('money bounds', () => {
  it('when a show prices a seat at 2,147,483,647, then it is a 400 naming the field, for a new show and a policy change alike', async () => {
    const created = await booking.invoke<Problem>('POST', '/api/admin/shows', showInput({ policy: { defaultPrice: 2_147_483_647 } }), admin());
    expect([created.status, created.body.code, paths(created.body)]).toEqual([400, 'VALIDATION_FAILED', ['policy.defaultPrice']]);
    const zone = await booking.invoke<Problem>('PUT', `/api/admin/shows/${showId}/policy`, { zonePrices: { front: 1_000_001 } }, admin());
    expect([zone.status, paths(zone.body)]).toEqual([400, ['zonePrices.front']]);
    const atBound = await booking.invoke('PUT', `/api/admin/shows/${showId}/policy`, { zonePrices: { front: 1_000_000 }, maxSeatsPerHold: 50 }, admin());
    expect(atBound.status).toBe(200);
  });

  it('when a concession is priced over 1,000.00, then it is a 400 naming price', async () => {
    const answer = await booking.invoke<Problem>('PUT', '/api/admin/concessions/GOLD', { name: 'Gold', price: 2_000_000_000 }, admin());
    expect([answer.status, paths(answer.body)]).toEqual([400, ['price']]);
  });

  it('when the order search names an amount beyond any order (30000000, 1e308), then it is a 400 naming it, not a 500', async () => {
    for (const query of ['minAmount=30000000', 'maxAmount=1e308', 'minAmount=Infinity']) {
      const answer = await fulfillment.invoke<Problem>('GET', `/workflows?${query}`, undefined, manager());
      expect([query, answer.status, answer.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      expect(paths(answer.body)[0]).toMatch(/^(min|max)Amount$/);
    }
    const date = await fulfillment.invoke<Problem>('GET', '/workflows?from=-010000-01-01T00:00:00Z', undefined, manager());
    expect([date.status, paths(date.body)]).toEqual([400, ['from']]);
    const cursor = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', `x${NUL}`])).toString('base64url');
    expect((await fulfillment.invoke<Problem>('GET', `/workflows?cursor=${cursor}`, undefined, manager())).body.code).toBe('INVALID_CURSOR');
    expect((await fulfillment.invoke('GET', '/workflows?minAmount=29999.99', undefined, manager())).status).toBe(200);
  });

  it('when an order total is over 10,000,000.00, then it is a 400 naming totalAmount', async () => {
    const answer = await fulfillment.invoke<Problem>('POST', '/workflows/order', orderInput({ items: [{ sku: 'A', quantity: 1, price: 30_000_000 }], totalAmount: 30_000_000 }));
    expect(answer.status).toBe(400);
    expect(paths(answer.body)).toEqual(['items.0.price', 'totalAmount']);
  });
});

describe('who may search orders', () => {
  it('when GET /workflows comes without the manager token, then it is a 401 MANAGER_AUTH_REQUIRED; an order\'s status stays open to its id', async () => {
    expect(await fulfillment.invoke<Problem>('GET', '/workflows')).toMatchObject({ status: 401, body: { code: 'MANAGER_AUTH_REQUIRED' } });
    expect(await fulfillment.invoke<Problem>('GET', '/workflows', undefined, { authorization: `Bearer ${booking.run.adminApiToken}x` })).toMatchObject({ status: 401 });
    expect((await fulfillment.invoke('GET', '/workflows?limit=1', undefined, manager())).status).toBe(200);
    const input = orderInput();
    expect((await fulfillment.invoke('POST', '/workflows/order', input)).status).toBe(202);
    expect((await fulfillment.invoke('GET', `/workflows/${input.orderId}/status`)).status).toBe(200);
  });
});

describe('webhook clock skew', () => {
  it('when a signature is dated a year ahead, then it is a 400 WEBHOOK_SIGNATURE_INVALID (TIMESTAMP_OUTSIDE_TOLERANCE)', async () => {
    const payload = JSON.stringify({ id: `evt_${randomUUID().replace(/-/g, '')}`, object: 'event', type: 'customer.created', data: { object: {} } });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: booking.run.paymentsWebhookSecret, timestamp: Math.floor(Date.now() / 1000) + 365 * 86_400 });
    const answer = await raw(`${booking.appUrl}/webhooks/payments`, 'POST', { 'stripe-signature': signature }, payload);
    expect(answer).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'TIMESTAMP_OUTSIDE_TOLERANCE' } });
  });
});

describe('methods a path does not declare', () => {
  it('when PATCH reaches a hold or QUERY the holds of a show, then it is a 405 METHOD_NOT_ALLOWED with Allow, and no handler runs', async () => {
    const holdId = randomUUID();
    const patch = await raw(`${booking.sidecarUrl}/v1.0/invoke/booking/method/api/holds/${holdId}`, 'PATCH', { 'dapr-api-token': booking.run.daprApiToken }, '{}');
    expect(patch).toMatchObject({ status: 405, allow: 'DELETE, GET, HEAD', body: { code: 'METHOD_NOT_ALLOWED' } });
    expect(patch.type).toMatch(/^application\/problem\+json/);
    // Straight to the app: through a sidecar, daprd forwards a verb it does not know (QUERY) as POST.
    const query = await raw(`${booking.appUrl}/api/shows/${showId}/holds`, 'QUERY', { 'dapr-api-token': booking.run.appApiToken },
      JSON.stringify({ seatIds: ['STALLS-A-5'], customerId: 'c-query', customerEmail: 'ada@example.com' }));
    expect(query).toMatchObject({ status: 405, allow: 'POST', body: { code: 'METHOD_NOT_ALLOWED', allow: ['POST'] } });
    const seats = await booking.invoke<{ seats: Array<{ id: string; status: string }> }>('GET', `/api/shows/${showId}/seats`);
    expect(seats.body.seats.find((s) => s.id === 'STALLS-A-5')?.status).toBe('AVAILABLE');
    const search = await raw(`${fulfillment.sidecarUrl}/v1.0/invoke/fulfillment/method/workflows`, 'DELETE', { 'dapr-api-token': fulfillment.run.daprApiToken });
    expect(search).toMatchObject({ status: 405, allow: 'GET, HEAD' });
    expect((await booking.invoke<Problem>('PATCH', '/api/no-such-thing')).body.code).toBe('ROUTE_NOT_FOUND');
  });
});
