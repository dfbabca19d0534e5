/**
 * Every app image starts alone beside its own daprd container, as the chart's pod runs it, and
 * serves /readyz: with PostgreSQL, Redis, placement, scheduler and the migrated database, but none
 * of the other apps. Each pod is stopped before the next starts.
 */
import { startWorld, type World } from '../support/containers/world';

const APPS = ['booking', 'fulfillment', 'delivery', 'providers', 'admin'];
let world: World;

// No pods yet: each test starts its own. The gateway is the client path, started only for the journey.
beforeAll(async () => {
  world = await startWorld('apps-alone', []);
}, 900_000);
afterAll(() => world?.stop());

describe('each app image alone beside its daprd container', () => {
  it.each(APPS)('when the %s pod starts alone, then its app serves /readyz with 200 and its sidecar answers its healthz', async (appId) => {
    const { tier } = world;
    await tier.startPod(appId);
    try {
      const pod = tier.pod(appId);
      const ready = await fetch(`http://127.0.0.1:${pod.readiness!.port}${pod.readiness!.path}`);
      expect(ready.status).toBe(200);
      const sidecar = await fetch(`${tier.sidecarUrl(appId)}/v1.0/healthz`, { headers: { 'dapr-api-token': pod.daprApiToken ?? '' } });
      expect(sidecar.status).toBe(204);
      // The pod's own sidecar loaded what the chart scopes to it, and nothing of the gateway's kind.
      const metadata = await fetch(`${tier.sidecarUrl(appId)}/v1.0/metadata`, { headers: { 'dapr-api-token': pod.daprApiToken ?? '' } });
      expect(((await metadata.json()) as { id: string }).id).toBe(appId);
    } finally {
      await tier.stopPod(appId);
    }
  }, 600_000);
});
