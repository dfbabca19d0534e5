/**
 * Seat holds through the booking app's sidecar, against real actors, reminders and PostgreSQL:
 * one winner among concurrent holds on a seat, expiry on time (also across an app crash), release.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually, startBookingStack, type AppStack } from '../support/app-stack';
import { PLACE_DEADLINE_MS } from '../../apps/booking/src/http/holds.routes';
import { UNRECORDED_GRACE_MS } from '../../apps/booking/src/domain/hold-expiry';
import { MAX_HOLD_TTL_SECONDS } from '../../apps/booking/src/domain/hold';
import { TEST_LOG_DIR, TEST_PORTS } from '../support/test-env';

let stack: AppStack;
let db: Client;
let admin: Record<string, string>;

interface Hold { holdId: string; status: string; expiresAt: string; seatIds: string[]; policyVersion: number }
interface Seat { id: string; status: string }

beforeAll(async () => {
  stack = await startBookingStack({ logName: 'booking-holds' });
  admin = { authorization: `Bearer ${stack.run.adminApiToken}` };
  db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

async function createShow(seatsPerRow = 10): Promise<string> {
  const response = await stack.invoke<{ showId: string; seatCount: number }>('POST', '/api/admin/shows', {
    title: 'The Tempest', startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    venue: { name: 'Globe', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: seatsPerRow }, { label: 'B', seats: seatsPerRow }] }] },
  }, admin);
  expect(response.status).toBe(201);
  expect(response.body.seatCount).toBe(seatsPerRow * 2);
  return response.body.showId;
}

const hold = (showId: string, seatIds: string[], extra: Record<string, unknown> = {}) =>
  stack.invoke<Hold & { code?: string; seatIds?: string[] }>('POST', `/api/shows/${showId}/holds`, { seatIds, customerId: 'c-1', customerEmail: 'ada@example.com', ...extra });
const seatStatus = async (showId: string, seatId: string) =>
  (await stack.invoke<{ seats: Seat[] }>('GET', `/api/shows/${showId}/seats`)).body.seats.find((s) => s.id === seatId)?.status;
const getHold = async (holdId: string) => (await stack.invoke<Hold>('GET', `/api/holds/${holdId}`)).body;
/**
 * How long to wait for a hold to expire: until its expiry instant, then slack that does not depend on the
 * machine's speed (30 s, at least three times the longest ttl these tests use), so a slow runner is not a failure.
 */
const EXPIRY_SLACK_MS = 30_000;
const expiryPatienceMs = (expiresAt: number) => Math.max(0, expiresAt - Date.now()) + EXPIRY_SLACK_MS;

describe('seat holds on a real sidecar', () => {
  it('when a placement cannot commit before its deadline (a database stalled under load), then the client gets a 503 and no seat stays held', async () => {
    const showId = await createShow();
    // Another transaction holds the show's row: the hold's insert waits behind it past the
    // placement's deadline (PLACE_DEADLINE_MS, 20 s), as under the probe's load.
    const blocker = new Client({ connectionString: stack.run.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM shows WHERE id = $1 FOR UPDATE', [showId]);
      // Sent straight through the gateway with a longer patience than stack.invoke's 30 s.
      const answer = fetch(`${stack.run.gatewayUrl}/v1.0/invoke/booking/method/api/shows/${showId}/holds`, {
        method: 'POST', signal: AbortSignal.timeout(PLACE_DEADLINE_MS * 4.5),
        headers: { 'dapr-api-token': stack.run.clientApiToken, 'content-type': 'application/json' },
        body: JSON.stringify({ seatIds: ['STALLS-A-9', 'STALLS-A-10'], customerId: 'c-1', customerEmail: 'ada@example.com' }),
      }).then(async (r) => ({ status: r.status, body: await r.json() as { code?: string } }));
      await new Promise((resolve) => setTimeout(resolve, PLACE_DEADLINE_MS * 1.2));
      await blocker.query('COMMIT');
      expect(await answer).toMatchObject({ status: 503, body: { code: 'HOLD_UNAVAILABLE' } });
    } finally {
      await blocker.end();
    }
    // The placement committed nothing after its deadline, and gave its seats back.
    expect((await db.query('SELECT status FROM holds WHERE show_id = $1', [showId])).rows).toEqual([]);
    expect(await seatStatus(showId, 'STALLS-A-9')).toBe('AVAILABLE');
    expect((await hold(showId, ['STALLS-A-9', 'STALLS-A-10'])).status).toBe(201);
  }, PLACE_DEADLINE_MS * 6);

  it('when a placement is retried with the same Idempotency-Key, then it gets the same hold; the same key for other seats is a 409', async () => {
    const showId = await createShow();
    const key = { 'idempotency-key': 'retry-1234-abcd' };
    const body = { seatIds: ['STALLS-B-1', 'STALLS-B-2'], customerId: 'c-idem', customerEmail: 'ada@example.com' };
    const first = await stack.invoke<Hold>('POST', `/api/shows/${showId}/holds`, body, key);
    expect(first.status).toBe(201);
    const retried = await stack.invoke<Hold>('POST', `/api/shows/${showId}/holds`, { ...body, seatIds: [...body.seatIds].reverse() }, key);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(first.body);
    const other = await stack.invoke<{ code: string }>('POST', `/api/shows/${showId}/holds`, { ...body, seatIds: ['STALLS-B-3'] }, key);
    expect(other).toMatchObject({ status: 409, body: { code: 'HOLD_EXISTS' } });
    expect(await seatStatus(showId, 'STALLS-B-3')).toBe('AVAILABLE');
    // Only one hold row and one claim per seat: the retry placed nothing.
    const { rows } = await db.query('SELECT count(*)::int AS n FROM holds WHERE show_id = $1 AND customer_id = $2', [showId, 'c-idem']);
    expect(rows[0].n).toBe(1);
    const badKey = await stack.invoke<{ code: string }>('POST', `/api/shows/${showId}/holds`, body, { 'idempotency-key': 'short' });
    expect(badKey).toMatchObject({ status: 400, body: { code: 'INVALID_IDEMPOTENCY_KEY' } });
  });

  it('when a client asks for /openapi.json, then it gets the OpenAPI document', async () => {
    const response = await stack.invoke<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toContain('/api/holds/{holdId}/confirm');
  });

  it('when an admin call has no token, then it is refused with ADMIN_AUTH_REQUIRED', async () => {
    const response = await stack.invoke<{ code: string }>('POST', '/api/admin/shows', { title: 'x' });
    expect(response).toMatchObject({ status: 401, body: { code: 'ADMIN_AUTH_REQUIRED' } });
  });

  it('when 50 customers hold the same seat at once, then exactly one gets it and the database has one claim', async () => {
    const showId = await createShow();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => hold(showId, ['STALLS-A-5'], { customerId: `c-${i}` })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'SEAT_UNAVAILABLE' && r.body.seatIds?.[0] === 'STALLS-A-5')).toBe(true);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM seat_claims WHERE show_id = $1 AND seat_id = $2', [showId, 'STALLS-A-5']);
    expect(rows[0].n).toBe(1);
    expect(await seatStatus(showId, 'STALLS-A-5')).toBe('HELD');
  });

  // How late a reminder fires is a figure of `npm run bench` (bench/booking.ts: reminder lateness), not a test:
  // here the hold must be ACTIVE before its expiry and EXPIRED after it, within generous slack.
  it('when a hold is not confirmed, then it stays ACTIVE until its expiry and afterwards is EXPIRED with its seats AVAILABLE', async () => {
    const showId = await createShow();
    const ttlSeconds = 5;
    const placed = await hold(showId, ['STALLS-B-1', 'STALLS-B-2'], { ttlSeconds });
    expect(placed.status).toBe(201);
    const expiresAt = Date.parse(placed.body.expiresAt);
    const before = await getHold(placed.body.holdId);
    // Read before the expiry instant: a placement slower than the hold's whole ttl would prove nothing here.
    expect(Date.now()).toBeLessThan(expiresAt);
    expect(before.status).toBe('ACTIVE');

    await eventually(() => getHold(placed.body.holdId), (h) => h.status === 'EXPIRED', expiryPatienceMs(expiresAt), 250);
    await eventually(() => seatStatus(showId, 'STALLS-B-1'), (s) => s === 'AVAILABLE', 30_000, 250);
    const { rows } = await db.query("SELECT h.status::text AS status, h.expires_at AS \"expiresAt\", a.at AS \"expiredAt\" FROM holds h JOIN audit_log a ON a.entity = 'hold' AND a.entity_id = h.id::text AND a.action = 'expired' WHERE h.id = $1", [placed.body.holdId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('EXPIRED');
    // Not before its time: the expiry was written at or after the instant the hold was due.
    expect(rows[0].expiredAt.getTime()).toBeGreaterThanOrEqual(rows[0].expiresAt.getTime());
  });

  it('when the booking app crashes while a hold runs, then the restarted app still expires it, not before it is due', async () => {
    const showId = await createShow();
    const ttlSeconds = 15;
    const placed = await hold(showId, ['STALLS-A-1'], { ttlSeconds });
    expect(placed.status).toBe(201);
    await stack.killApp();
    // The crash landed mid-hold: at the kill the hold is ACTIVE, its seat claimed and its expiry still ahead.
    const atKill = await db.query("SELECT h.status::text AS status, h.expires_at > now() AS pending, (SELECT count(*)::int FROM seat_claims c WHERE c.hold_id = h.id) AS claims FROM holds h WHERE h.id = $1", [placed.body.holdId]);
    expect(atKill.rows).toEqual([{ status: 'ACTIVE', pending: true, claims: 1 }]);
    await stack.startApp();

    await eventually(() => getHold(placed.body.holdId), (h) => h.status === 'EXPIRED', expiryPatienceMs(Date.parse(placed.body.expiresAt)), 250);
    expect(await seatStatus(showId, 'STALLS-A-1')).toBe('AVAILABLE');
    const { rows } = await db.query("SELECT h.expires_at AS \"expiresAt\", a.at AS \"expiredAt\" FROM holds h JOIN audit_log a ON a.entity = 'hold' AND a.entity_id = h.id::text AND a.action = 'expired' WHERE h.id = $1", [placed.body.holdId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].expiredAt.getTime()).toBeGreaterThanOrEqual(rows[0].expiresAt.getTime());
    // The seat can be held again.
    expect((await hold(showId, ['STALLS-A-1'])).status).toBe(201);
  });

  // Found by the fault drill: the scheduler tries a reminder that cannot reach its app a few times,
  // about a second apart (Dapr's default job failure policy: 3 retries, 1 s), then drops that firing.
  // A one-shot expiry reminder was then gone for good and the hold stayed ACTIVE.
  it('when the booking app is down at a hold\'s expiry for longer than the scheduler retries, then the hold still expires once the app is back', async () => {
    const showId = await createShow();
    const ttlSeconds = 5;
    const placed = await hold(showId, ['STALLS-B-3'], { ttlSeconds });
    expect(placed.status).toBe(201);
    const expiresAt = Date.parse(placed.body.expiresAt);
    await stack.killApp();
    const atKill = await db.query("SELECT h.status::text AS status, h.expires_at > now() AS pending FROM holds h WHERE h.id = $1", [placed.body.holdId]);
    expect(atKill.rows).toEqual([{ status: 'ACTIVE', pending: true }]);
    // Down through the due time and well past the scheduler's retries of that firing.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 10_000));
    const whileDown = await db.query("SELECT status::text AS status FROM holds WHERE id = $1", [placed.body.holdId]);
    expect(whileDown.rows).toEqual([{ status: 'ACTIVE' }]);
    await stack.startApp();

    await eventually(() => getHold(placed.body.holdId), (h) => h.status === 'EXPIRED', EXPIRY_SLACK_MS, 250);
    expect(await seatStatus(showId, 'STALLS-B-3')).toBe('AVAILABLE');
    const { rows } = await db.query("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'hold' AND entity_id = $1 AND action = 'expired'", [placed.body.holdId]);
    expect(rows).toEqual([{ n: 1 }]);
  });

  // Found by the fault drill (long-b): a placement's turn committed the hold to PostgreSQL, then its
  // sidecar died before the actor's state was saved. The client's retry (same Idempotency-Key)
  // found its own seat claim, took it for a conflict and removed the expiry reminder: ACTIVE for good.
  // Here the crash was made exact: a placed hold's actor state was deleted while the app was down.
  // Since issue 15 ("one record") a placed hold has no actor state at all, only its row: the
  // state there is to delete is none, which these tests now check, and the rest holds as before.
  // Actor state lives in Dapr's own table (schema dapr) of the same database (components/actorstate.yaml).
  const dropActorState = async (holdId: string) => {
    const { rowCount } = await db.query("DELETE FROM dapr.dapr_state WHERE key LIKE '%HoldActor||' || $1 || '||%'", [holdId]);
    expect(rowCount).toBe(0);
  };

  it('when a placement is retried after a crash that saved the hold in the database but not in its actor, then the retry gets that hold and it still expires', async () => {
    const showId = await createShow();
    const key = { 'idempotency-key': 'crashed-placement-1' };
    // The retry must come before the expiry: the ttl covers the app's restart and two requests, which
    // took over 8 s in a CI run with the fault drill beside it (the retry then rightly got EXPIRED).
    const body = { seatIds: ['STALLS-A-5'], customerId: 'c-crash', customerEmail: 'ada@example.com', ttlSeconds: 20 };
    const first = await stack.invoke<Hold>('POST', `/api/shows/${showId}/holds`, body, key);
    expect(first.status).toBe(201);
    await stack.killApp();
    await dropActorState(first.body.holdId);
    await stack.startApp();

    // First the same key for other seats: still the recorded hold's key. It takes nothing, and the
    // recorded hold keeps its seat and its expiry.
    expect(await stack.invoke('POST', `/api/shows/${showId}/holds`, { ...body, seatIds: ['STALLS-A-5', 'STALLS-B-5'] }, key)).toMatchObject({ status: 409, body: { code: 'HOLD_EXISTS' } });
    expect(await seatStatus(showId, 'STALLS-B-5')).toBe('AVAILABLE');
    expect((await hold(showId, ['STALLS-B-5'], { customerId: 'c-other' })).status).toBe(201);
    const retried = await stack.invoke<Hold>('POST', `/api/shows/${showId}/holds`, body, key);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ holdId: first.body.holdId, status: 'ACTIVE', expiresAt: first.body.expiresAt, seatIds: ['STALLS-A-5'] });
    expect(await seatStatus(showId, 'STALLS-A-5')).toBe('HELD');
    await eventually(() => getHold(first.body.holdId), (h) => h.status === 'EXPIRED', expiryPatienceMs(Date.parse(first.body.expiresAt)), 250);
    expect(await seatStatus(showId, 'STALLS-A-5')).toBe('AVAILABLE');
    const { rows } = await db.query("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'hold' AND entity_id = $1 AND action = 'expired'", [first.body.holdId]);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('when a hold saved in the database but not in its actor is never asked for again, then its expiry still ends it', async () => {
    const showId = await createShow();
    const placed = await hold(showId, ['STALLS-A-6'], { ttlSeconds: 8 });
    expect(placed.status).toBe(201);
    await stack.killApp();
    await dropActorState(placed.body.holdId);
    await stack.startApp();

    const recorded = async () => (await db.query('SELECT status::text AS status FROM holds WHERE id = $1', [placed.body.holdId])).rows[0]?.status as string | undefined;
    await eventually(recorded, (status) => status === 'EXPIRED', expiryPatienceMs(Date.parse(placed.body.expiresAt)), 250);
    expect(await seatStatus(showId, 'STALLS-A-6')).toBe('AVAILABLE');
    expect((await db.query('SELECT count(*)::int AS n FROM seat_claims WHERE hold_id = $1', [placed.body.holdId])).rows).toEqual([{ n: 0 }]);
  });

  // Found in review: the ShowActor granted the seats, then the placement's turn died before the
  // database or the HoldActor recorded anything (its insert failed, and so did the release after it,
  // its sidecar gone). The reminder found no hold and went, and the seats stayed granted to a hold
  // that does not exist, refused to everyone while the ShowActor stays active. Made exact here with
  // the two steps such a placement got through: its expiry reminder, then the grant.
  it('when seats were granted to a placement nothing recorded, then its expiry reminder gives them back', async () => {
    const showId = await createShow();
    const holdId = randomUUID();
    const dueAt = new Date(Date.now() + 8_000);
    const reminder = await stack.dapr('POST', `/v1.0/actors/HoldActor/${holdId}/reminders/expire`, { dueTime: dueAt.toISOString(), period: '1s', data: JSON.stringify({ showId, seatIds: ['STALLS-A-7'] }) });
    expect(reminder.status).toBeLessThan(300);
    const grant = await stack.dapr<{ granted: boolean }>('PUT', `/v1.0/actors/ShowActor/${showId}/method/grant`, { holdId, seatIds: ['STALLS-A-7'] });
    expect(grant.body).toEqual({ granted: true });
    // Granted at the ShowActor until the expiry: a customer is refused.
    expect((await hold(showId, ['STALLS-A-7'], { customerId: 'c-2' })).status).toBe(409);

    const again = async () => (await hold(showId, ['STALLS-A-7'], { customerId: 'c-3' })).status;
    await eventually(again, (status) => status === 201, expiryPatienceMs(dueAt.getTime()), 1_000);
  });

  // The same crash since issue 15's sweep (domain/hold-expiry.ts): the placement's one step before
  // its row is the grant, which names the expiry, and the ShowActor registered its show's sweep for
  // it first. The sweep finds the seats held for a hold nothing recorded and, once that hold can no
  // longer be recorded (UNRECORDED_GRACE_MS after its expiry), gives them back.
  it('when seats were granted with an expiry to a placement nothing recorded, then the show\'s sweep gives them back after the grace', async () => {
    const showId = await createShow();
    const holdId = randomUUID();
    const expiresAt = Date.now() + 6_000;
    const grant = await stack.dapr<{ granted: boolean }>('PUT', `/v1.0/actors/ShowActor/${showId}/method/grant`, { holdId, seatIds: ['STALLS-A-9'], expiresAt: new Date(expiresAt).toISOString() });
    expect(grant.body).toEqual({ granted: true });
    expect((await hold(showId, ['STALLS-A-9'], { customerId: 'c-2' })).status).toBe(409);
    // Still refused just after the expiry: the placement could still record it until then.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1_000));
    expect((await hold(showId, ['STALLS-A-9'], { customerId: 'c-3' })).status).toBe(409);

    const again = async () => (await hold(showId, ['STALLS-A-9'], { customerId: 'c-4' })).status;
    await eventually(again, (status) => status === 201, expiryPatienceMs(expiresAt + UNRECORDED_GRACE_MS), 1_000);
    // Given back by the sweep, not by the ShowActor forgetting it (a new activation reads the claims only).
    expect(readFileSync(join(TEST_LOG_DIR, 'booking-holds.log'), 'utf8')).toContain('seats of a placement that was never recorded given back by its show\'s sweep');
  });

  // Issue 15: a confirmation no longer calls the ShowActor (a hop per confirmation); its seats are
  // SOLD in PostgreSQL and the ShowActor's sweep list learns it from there (docs/hold-expiry.md).
  it('when a hold is confirmed, then its show\'s sweep list leaves it out (sold in the database) while an unconfirmed hold stays in, and its seat stays refused', async () => {
    const showId = await createShow();
    const [sold, open] = await Promise.all([hold(showId, ['STALLS-A-3'], { ttlSeconds: 60 }), hold(showId, ['STALLS-A-4'], { customerId: 'c-5', ttlSeconds: 60 })]);
    expect([sold.status, open.status]).toEqual([201, 201]);
    const confirmed = await stack.invoke<{ status: string }>('POST', `/api/holds/${sold.body.holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': `key-${sold.body.holdId}` });
    expect(confirmed).toMatchObject({ status: 201, body: { status: 'CONFIRMED' } });

    // Asked as a sweep an hour from now would ask: both holds are past their expiry by then.
    const due = await stack.dapr<{ holds: Array<{ holdId: string; seatIds: string[] }> }>('PUT', `/v1.0/actors/ShowActor/${showId}/method/dueHolds`, { dueBy: new Date(Date.now() + 3_600_000).toISOString() });
    expect(due.body.holds.map((h) => h.holdId)).toEqual([open.body.holdId]);
    expect((await hold(showId, ['STALLS-A-3'], { customerId: 'c-6' })).body).toMatchObject({ code: 'SEAT_UNAVAILABLE' });
    expect(await seatStatus(showId, 'STALLS-A-3')).toBe('SOLD');
    expect((await getHold(sold.body.holdId)).status).toBe('CONFIRMED');
  });

  it('when a grant names an expiry already past, then nothing is granted', async () => {
    const showId = await createShow();
    const grant = await stack.dapr<{ granted: boolean; reason: string }>('PUT', `/v1.0/actors/ShowActor/${showId}/method/grant`, { holdId: randomUUID(), seatIds: ['STALLS-A-10'], expiresAt: new Date(Date.now() - 1).toISOString() });
    expect(grant.body).toMatchObject({ granted: false, reason: 'PLACEMENT_TIMED_OUT' });
    expect(await seatStatus(showId, 'STALLS-A-10')).toBe('AVAILABLE');
  });

  it('when a grant names an expiry beyond the longest ttl, or not a time, then nothing is granted', async () => {
    const showId = await createShow();
    for (const expiresAt of [new Date(Date.now() + (MAX_HOLD_TTL_SECONDS + 60) * 1000).toISOString(), 'tomorrow']) {
      const grant = await stack.dapr<{ granted: boolean; reason: string }>('PUT', `/v1.0/actors/ShowActor/${showId}/method/grant`, { holdId: randomUUID(), seatIds: ['STALLS-B-10'], expiresAt });
      expect(grant.body).toMatchObject({ granted: false, reason: 'INVALID_COMMAND' });
    }
    expect(await seatStatus(showId, 'STALLS-B-10')).toBe('AVAILABLE');
  });

  // Issue 15: a reminder each cost the scheduler a job per hold placed (and another deleted per
  // confirmation). The scheduler's own counter shows how many it was given: one per second of expiry
  // instants, however many holds fall in it (docs/hold-expiry.md).
  it('when many holds of one show expire within the same seconds, then the scheduler gets one reminder per second, not one per hold, and every hold expires', async () => {
    const showId = await createShow(40);
    const actorJobsCreated = async () => {
      const text = await (await fetch(`http://127.0.0.1:${TEST_PORTS.schedulerMetrics}/metrics`)).text();
      return Number(/^dapr_scheduler_jobs_created_total\{[^}]*type="actor"[^}]*\} (\S+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await actorJobsCreated();
    const placed = await Promise.all(Array.from({ length: 40 }, (_, i) => hold(showId, [`STALLS-A-${i + 1}`], { customerId: `c-many-${i}`, ttlSeconds: 8 })));
    expect(placed.map((p) => p.status)).toEqual(Array(40).fill(201));
    const created = (await actorJobsCreated()) - before;
    const seconds = new Set(placed.map((p) => Math.ceil(Date.parse(p.body.expiresAt) / 1000))).size;
    expect(created).toBeGreaterThanOrEqual(1);
    expect(created).toBeLessThanOrEqual(seconds);

    const latest = Math.max(...placed.map((p) => Date.parse(p.body.expiresAt)));
    const active = async () => (await db.query("SELECT count(*)::int AS n FROM holds WHERE show_id = $1 AND status = 'ACTIVE'", [showId])).rows[0].n as number;
    await eventually(active, (n) => n === 0, expiryPatienceMs(latest), 500);
    expect((await db.query("SELECT count(*)::int AS n FROM audit_log a JOIN holds h ON a.entity = 'hold' AND a.entity_id = h.id::text AND a.action = 'expired' WHERE h.show_id = $1 AND a.at >= h.expires_at", [showId])).rows).toEqual([{ n: 40 }]);
    expect(await seatStatus(showId, 'STALLS-A-40')).toBe('AVAILABLE');
  });

  // Found by the fault drill (long-d): the expiry reminder was registered with a duration, which the
  // runtime counts from when the registration lands. A registration held up by the scheduler (its
  // sidecar reconnecting to it) moved the expiry by as much. It is now due at the hold's expiry instant.
  it('when the scheduler is frozen while a hold is placed, then the hold still expires at its expiresAt, not that much later', async () => {
    const showId = await createShow();
    const schedulerPid = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).find((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args[0]?.endsWith('scheduler') === true && args.includes(String(TEST_PORTS.scheduler));
      } catch {
        return false;
      }
    });
    expect(schedulerPid).toBeGreaterThan(1);
    const frozenMs = 10_000;
    process.kill(schedulerPid!, 'SIGSTOP');
    let placed: Awaited<ReturnType<typeof hold>>;
    try {
      const placing = hold(showId, ['STALLS-A-8'], { ttlSeconds: 15 });
      await new Promise((resolve) => setTimeout(resolve, frozenMs));
      process.kill(schedulerPid!, 'SIGCONT');
      placed = await placing;
    } finally {
      process.kill(schedulerPid!, 'SIGCONT');
    }
    expect(placed.status).toBe(201);
    await eventually(() => getHold(placed.body.holdId), (h) => h.status === 'EXPIRED', expiryPatienceMs(Date.parse(placed.body.expiresAt)), 250);
    const { rows } = await db.query("SELECT extract(epoch FROM a.at - h.expires_at) * 1000 AS late_ms FROM holds h JOIN audit_log a ON a.entity = 'hold' AND a.entity_id = h.id::text AND a.action = 'expired' WHERE h.id = $1", [placed.body.holdId]);
    expect(rows).toHaveLength(1);
    // Counted from the registration it would be about frozenMs late; due at the instant, far less.
    expect(Number(rows[0].late_ms)).toBeLessThan(frozenMs / 2);
  });

  it('when a customer releases a hold, then its seats are free at once and a second release is a 409', async () => {
    const showId = await createShow();
    const placed = await hold(showId, ['STALLS-A-3']);
    const released = await stack.invoke<Hold>('DELETE', `/api/holds/${placed.body.holdId}`);
    expect(released).toMatchObject({ status: 200, body: { status: 'RELEASED' } });
    expect(await seatStatus(showId, 'STALLS-A-3')).toBe('AVAILABLE');
    expect(await stack.invoke('DELETE', `/api/holds/${placed.body.holdId}`)).toMatchObject({ status: 409, body: { code: 'HOLD_NOT_ACTIVE' } });
  });

  it('when a request is wrong, then it gets a 4xx with a machine-readable code', async () => {
    const showId = await createShow();
    expect(await hold(showId, ['STALLS-A-1'], { ttlSeconds: 3 })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await hold(showId, ['STALLS-Z-1'])).toMatchObject({ status: 400, body: { code: 'UNKNOWN_SEATS', seatIds: ['STALLS-Z-1'] } });
    expect(await hold('not-a-show', ['STALLS-A-1'])).toMatchObject({ status: 400, body: { code: 'INVALID_SHOW_ID' } });
    expect(await hold('00000000-0000-4000-8000-000000000000', ['STALLS-A-1'])).toMatchObject({ status: 404, body: { code: 'SHOW_NOT_FOUND' } });
    expect(await stack.invoke('GET', '/api/holds/nope')).toMatchObject({ status: 400, body: { code: 'INVALID_HOLD_ID' } });
    expect(await stack.invoke('GET', '/api/bookings/nope')).toMatchObject({ status: 400, body: { code: 'INVALID_BOOKING_ID' } });
    expect(await hold(showId, ['STALLS-A-1'], { vip: true })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await stack.invoke('GET', '/api/holds/00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404, body: { code: 'HOLD_NOT_FOUND' } });
  });
});
