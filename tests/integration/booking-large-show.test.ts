/**
 * The largest show a venue may have (20,000 seats) is created while clients keep calling: the
 * creation succeeds, no other request fails, and the sidecar never sees its app unhealthy (a
 * 15,231-seat show used to block the event loop for seconds, fail the app's health checks and
 * make the sidecar refuse everything else with "app is not in a healthy state").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBookingStack, type AppStack } from '../support/app-stack';
import { TEST_LOG_DIR } from '../support/test-env';
import { MAX_SEATS_PER_VENUE } from '../../apps/booking/src/domain/seat-map';

let stack: AppStack;

beforeAll(async () => {
  stack = await startBookingStack({ logName: 'booking-large-show' });
});
afterAll(() => stack?.stop());

describe('a 20,000-seat show', () => {
  it('when it is created under a stream of other requests, then it is created whole, every other request is answered, and no health check fails', async () => {
    const admin = { authorization: `Bearer ${stack.run.adminApiToken}` };
    // 20 sections x 2 rows x 500 seats.
    const sections = Array.from({ length: 20 }, (_, i) => ({ name: `Block ${i + 1}`, zone: i < 5 ? 'front' : 'back', rows: [{ label: 'A', seats: 500 }, { label: 'B', seats: 500 }] }));
    expect(sections.reduce((n, s) => n + s.rows.reduce((m, r) => m + r.seats, 0), 0)).toBe(MAX_SEATS_PER_VENUE);

    // The stream reads a small show of its own (a cheap request, so many of them overlap the creation).
    const small = await stack.invoke<{ showId: string }>('POST', '/api/admin/shows', {
      title: 'Side stage', startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      venue: { name: 'Side', sections: [{ name: 'Floor', zone: 'front', rows: [{ label: 'A', seats: 4 }] }] }, policy: { currency: 'EUR', zonePrices: { front: 1000 } },
    }, admin);
    expect(small.status).toBe(201);
    let creating = true;
    let createdAt = Number.POSITIVE_INFINITY;
    const others: Array<{ status: number; startedAt: number }> = [];
    const stream = (async () => {
      while (creating) {
        const startedAt = Date.now();
        others.push({ status: (await stack.invoke('GET', `/api/shows/${small.body.showId}`)).status, startedAt });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const creationStarted = Date.now();
    const created = await stack.invoke<{ showId: string; seatCount: number }>('POST', '/api/admin/shows', {
      title: 'Stadium night', startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), venue: { name: 'Stadium', sections },
      policy: { currency: 'EUR', zonePrices: { front: 12000, back: 4000 } },
    }, admin);
    createdAt = Date.now();
    // A few more requests after the creation answered, in case the app stalls just after.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    creating = false;
    await stream;

    expect(created.status).toBe(201);
    expect(created.body.seatCount).toBe(MAX_SEATS_PER_VENUE);
    const seats = await stack.invoke<{ seats: Array<{ id: string; status: string; adjacentIds?: string[] }> }>('GET', `/api/shows/${created.body.showId}/seats`);
    expect(seats.body.seats).toHaveLength(MAX_SEATS_PER_VENUE);
    // Requests really ran while the seats went in, and every one of them was answered.
    expect(others.filter((o) => o.startedAt >= creationStarted && o.startedAt < createdAt).length).toBeGreaterThan(0);
    expect(others.filter((o) => o.status !== 200)).toEqual([]);
    const sidecarLog = readFileSync(join(TEST_LOG_DIR, 'booking-large-show-dapr.log'), 'utf8');
    expect(sidecarLog).not.toContain('un-healthy');
    expect(sidecarLog).not.toContain('App health check failed');

    // The seats are whole: a hold on two neighbours at the far end of the last row works.
    const hold = await stack.invoke('POST', `/api/shows/${created.body.showId}/holds`, { seatIds: ['BLOCK_20-B-499', 'BLOCK_20-B-500'], customerId: 'c-1', customerEmail: 'ada@example.com' });
    expect(hold.status).toBe(201);
  });
});
