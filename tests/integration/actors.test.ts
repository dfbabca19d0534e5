/**
 * Actors against a real sidecar, placement, scheduler and PostgreSQL: state survives calls and a
 * deactivation; a reminder registered before the app crashed fires in the restarted process.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, startSkeletonStack, type SkeletonStack } from '../support/app-stack';

interface CounterState { count: number; remindersFired: number; lastReminderAt: string | null }
interface ActorEvent { event: 'activate' | 'deactivate'; actorId: string }

let stack: SkeletonStack;

const counter = (id: string, method: string, body?: unknown) =>
  stack.dapr<CounterState>('PUT', `/v1.0/actors/CounterActor/${id}/method/${method}`, body);
const actorEvents = async (id: string) =>
  (await stack.app<ActorEvent[]>('GET', '/skeleton/actor-events')).body.filter((e) => e.actorId === id);

/** The actor's state as the sidecar stored it. The v2 store keeps values as bytea: the JSON, byte for byte. */
async function storedState(id: string): Promise<CounterState | undefined> {
  const db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query('SELECT value FROM dapr.dapr_state WHERE key = $1', [`skeleton||CounterActor||${id}||counter`]);
    return rows[0] ? (JSON.parse(Buffer.from(rows[0].value).toString('utf8')) as CounterState) : undefined;
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  // A short idle timeout so the test can watch the sidecar deactivate an actor.
  stack = await startSkeletonStack({ env: { ACTOR_IDLE_TIMEOUT: '3s' }, logName: 'actors' });
});
afterAll(async () => stack?.stop());

describe('CounterActor on a real sidecar', () => {
  it('when an actor is called twice, deactivated and called again, then it still has its state', async () => {
    const id = `counter-${randomUUID()}`;
    expect((await counter(id, 'increment', 2)).body.count).toBe(2);
    expect((await counter(id, 'increment', 3)).body.count).toBe(5);

    await eventually(() => actorEvents(id), (events) => events.some((e) => e.event === 'deactivate'), 30_000);

    const after = await counter(id, 'get');
    expect(after.status).toBe(200);
    expect(after.body.count).toBe(5);
    // Activated twice: the second activation read the state back from the store.
    expect((await actorEvents(id)).filter((e) => e.event === 'activate')).toHaveLength(2);
  });

  it('when an actor saves state, then it is in PostgreSQL in the dapr schema', async () => {
    const id = `counter-${randomUUID()}`;
    await counter(id, 'increment', 7);
    expect(await storedState(id)).toMatchObject({ count: 7 });
  });

  it('when the app crashes after registering a reminder, then the reminder fires in the restarted app and changes state', async () => {
    const id = `counter-${randomUUID()}`;
    await counter(id, 'increment', 1);
    const dueSeconds = 8;
    const registeredAt = Date.now();
    expect((await counter(id, 'addLater', { dueSeconds, amount: 10 })).status).toBe(200);

    await stack.killApp();
    // The crash landed mid-work: the stored state is still the one before the reminder (it had not fired).
    expect(await storedState(id)).toMatchObject({ count: 1 });
    await stack.startApp();
    // The new process has not seen this actor yet: whatever happens next happens in it.
    expect(await actorEvents(id)).toHaveLength(0);

    // Waited for far more than three times the due time (a restart of app and sidecar comes first).
    const fired = await eventually(async () => (await counter(id, 'get')).body, (s) => s.remindersFired === 1, Math.max(60_000, 3 * dueSeconds * 1000));
    expect(fired.count).toBe(11);
    // Not before it was due (a tenth of the due time for the clocks).
    expect(Date.parse(fired.lastReminderAt!)).toBeGreaterThanOrEqual(registeredAt + dueSeconds * 1000 * 0.9);
    expect((await actorEvents(id)).some((e) => e.event === 'activate')).toBe(true);
    // Saved, not just changed in memory.
    expect(await storedState(id)).toMatchObject({ count: 11, remindersFired: 1 });
  });
});
