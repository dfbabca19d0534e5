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
});
