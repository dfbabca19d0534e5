import { openApiDocument } from './openapi';

describe('OpenAPI document', () => {
  const doc = openApiDocument();

  it('when generated, then it documents every booking route with its request schema from zod', () => {
    expect(doc.openapi).toBe('3.1.0');
    const hold = doc.paths['/api/shows/{showId}/holds'].post.requestBody.content['application/json'].schema as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(hold.properties)).toEqual(expect.arrayContaining(['seatIds', 'customerId', 'customerEmail', 'ttlSeconds']));
    expect(hold.properties.ttlSeconds).toMatchObject({ minimum: 5, maximum: 900, default: 300 });
    expect(hold.required).toEqual(expect.arrayContaining(['seatIds', 'customerId', 'customerEmail']));
  });

  it('when generated, then it documents the payment webhook (signature header, its 400) and the admins\' list of events', () => {
    const webhook = doc.paths['/webhooks/payments'].post;
    expect(webhook.parameters).toEqual([expect.objectContaining({ name: 'Stripe-Signature', in: 'header', required: true })]);
    expect(Object.keys(webhook.responses)).toEqual(expect.arrayContaining(['200', '400', '500']));
    expect(doc.paths['/api/admin/webhooks'].get.security).toEqual([{ adminBearer: [] }]);
  });
});
