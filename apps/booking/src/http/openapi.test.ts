import { openApiDocument, paymentWebhookDocument } from './openapi';

describe('booking OpenAPI document', () => {
  const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, any>> };

  it('when generated, then request schemas come from zod (bounds, defaults, required)', () => {
    const hold = doc.paths['/api/shows/{showId}/holds']!.post;
    const body = hold.requestBody.content['application/json'].schema as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['seatIds', 'customerId', 'customerEmail', 'ttlSeconds']));
    expect(body.properties.ttlSeconds).toMatchObject({ minimum: 5, maximum: 900, default: 300 });
    expect(body.required).toEqual(expect.arrayContaining(['seatIds', 'customerId', 'customerEmail']));
    expect(hold.parameters[0]).toMatchObject({ name: 'showId', in: 'path', schema: { format: 'uuid' } });
  });

  it('when generated, then it documents the cancellations, the concessions and the admins\' list of events; the payment webhook (not on the client path) has a document of its own', () => {
    for (const path of ['/api/bookings/{bookingId}/cancel', '/api/admin/shows/{showId}/cancel', '/api/admin/shows/{showId}/cancellation', '/api/admin/concessions/{sku}']) expect(doc.paths[path]).toBeDefined();
    expect(doc.paths['/webhooks/payments']).toBeUndefined();
    const webhook = (paymentWebhookDocument() as unknown as { paths: Record<string, Record<string, any>> }).paths['/webhooks/payments']!.post;
    expect(webhook.parameters).toEqual([expect.objectContaining({ name: 'Stripe-Signature', in: 'header', required: true })]);
    expect(Object.keys(webhook.responses)).toEqual(expect.arrayContaining(['200', '400', '500']));
    expect(doc.paths['/api/admin/webhooks']!.get.security).toEqual([{ adminBearer: [] }]);
  });
});
