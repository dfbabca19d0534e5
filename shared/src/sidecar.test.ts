/** readSecret against a stand-in for the sidecar's secrets API. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSecret, type SidecarSettings } from './sidecar';

let server: Server;
let settings: SidecarSettings;
const seen: Array<{ url: string; token: string | undefined }> = [];
/** What the stand-in answers, per secret name. */
const secrets: Record<string, { status: number; body: string }> = {
  PAYMENTS_WEBHOOK_SECRET: { status: 200, body: JSON.stringify({ PAYMENTS_WEBHOOK_SECRET: 'whsec_local' }) },
  'holdfast-secrets': { status: 200, body: JSON.stringify({ DATABASE_URL: 'postgres://x', PAYMENTS_WEBHOOK_SECRET: 'whsec_k8s' }) },
  EMPTY: { status: 200, body: JSON.stringify({ EMPTY: '' }) },
  BROKEN: { status: 500, body: '{"errorCode":"ERR_SECRET_GET","message":"failed getting secret"}' },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', token: req.headers['dapr-api-token'] as string | undefined });
    const name = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    const answer = secrets[name] ?? { status: 200, body: '{}' };
    res.statusCode = answer.status;
    res.end(answer.body);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  settings = { DAPR_HOST: '127.0.0.1', DAPR_HTTP_PORT: (server.address() as AddressInfo).port, DAPR_GRPC_PORT: 1, DAPR_API_TOKEN: 'token-of-the-sidecar-api' };
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('readSecret', () => {
  it('when the store holds the secret, then its value comes back, asked for with the API token', async () => {
    expect(await readSecret(settings, 'secretstore', 'PAYMENTS_WEBHOOK_SECRET')).toBe('whsec_local');
    expect(seen.at(-1)).toEqual({ url: '/v1.0/secrets/secretstore/PAYMENTS_WEBHOOK_SECRET', token: 'token-of-the-sidecar-api' });
  });

  it('when the secret is a map of keys (a Kubernetes Secret), then the named key is read', async () => {
    expect(await readSecret(settings, 'secretstore', 'holdfast-secrets', 'PAYMENTS_WEBHOOK_SECRET')).toBe('whsec_k8s');
  });

  it('when the secret is missing, empty or the store fails, then the error names the store and the secret, never a value', async () => {
    await expect(readSecret(settings, 'secretstore', 'NOPE')).rejects.toThrow('the secret NOPE of the Dapr secret store secretstore is missing or empty');
    await expect(readSecret(settings, 'secretstore', 'EMPTY')).rejects.toThrow(/missing or empty/);
    await expect(readSecret(settings, 'secretstore', 'holdfast-secrets', 'TICKET_SIGNING_KEY')).rejects.toThrow('the secret holdfast-secrets (key TICKET_SIGNING_KEY) of the Dapr secret store secretstore is missing or empty');
    await expect(readSecret(settings, 'secretstore', 'BROKEN')).rejects.toThrow(/answered 500/);
  });
});
