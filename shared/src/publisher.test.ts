/** publishCloudEvents (the relay's bulk publish) against a stand-in for the sidecar's bulk publish API. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishError, publishCloudEvents } from './publisher';
import type { SidecarSettings } from './sidecar';

let server: Server;
let settings: SidecarSettings;
/** What the stand-in answers next, and what it was sent. */
let answer: { status: number; body: string } = { status: 204, body: '' };
const seen: Array<{ url: string; token: string | undefined; body: unknown }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', token: req.headers['dapr-api-token'] as string | undefined, body: JSON.parse(body) });
      res.statusCode = answer.status;
      res.end(answer.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  settings = { DAPR_HOST: '127.0.0.1', DAPR_HTTP_PORT: (server.address() as AddressInfo).port, DAPR_GRPC_PORT: 1, DAPR_API_TOKEN: 'token-of-the-sidecar-api' };
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const events = [{ id: 'e-1', type: 'booking.confirmed' }, { id: 'e-2', type: 'booking.confirmed' }];

describe('bulk publishing through the sidecar', () => {
  it('when the sidecar takes them all, then nothing failed, and each event went as a CloudEvent entry named by its id', async () => {
    answer = { status: 204, body: '' };
    expect(await publishCloudEvents(settings, 'pubsub', 'booking.confirmed', events)).toEqual({ failed: new Map() });
    expect(seen.at(-1)).toEqual({
      url: '/v1.0/publish/bulk/pubsub/booking.confirmed', token: 'token-of-the-sidecar-api',
      body: events.map((event) => ({ entryId: event.id, event, contentType: 'application/cloudevents+json' })),
    });
  });

  it('when the sidecar publishes some and names the others, then only those named failed', async () => {
    answer = { status: 500, body: JSON.stringify({ failedEntries: [{ entryId: 'e-2', error: 'broker down' }], errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' }) };
    expect(await publishCloudEvents(settings, 'pubsub', 'booking.confirmed', events)).toEqual({ failed: new Map([['e-2', 'broker down']]) });
  });

  it('when the sidecar refuses the request itself, then it throws and every event is unpublished', async () => {
    answer = { status: 403, body: JSON.stringify({ errorCode: 'ERR_PUBSUB_FORBIDDEN', message: 'topic booking.confirmed is not allowed' }) };
    await expect(publishCloudEvents(settings, 'pubsub', 'booking.confirmed', events)).rejects.toBeInstanceOf(PublishError);
  });
});
