/** The booking API as OpenAPI 3.1, with request bodies generated from the very zod schemas that validate them. */
import { z } from 'zod';
import { createShowSchema } from './shows.routes';
import { confirmSchema, placeHoldSchema } from './holds.routes';
import { policySchema } from '../domain/policy';

const problem = { description: 'An RFC 9457 problem; `code` is the machine-readable reason', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const json = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } } });
const ok = (description: string) => ({ description });
const admin = [{ adminBearer: [] }];
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Holdfast booking API', version: '1', description: 'Reached through Dapr service invocation: /v1.0/invoke/booking/method/<path> with the dapr-api-token header.' },
    components: {
      securitySchemes: { adminBearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_TOKEN' } },
      schemas: {
        Problem: {
          type: 'object', required: ['type', 'title', 'status', 'code'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' }, detail: { type: 'string' }, instance: { type: 'string' }, correlationId: { type: 'string' } },
        },
      },
    },
    paths: {
      '/api/admin/shows': { post: { summary: 'Create a show with its venue and seat map', security: admin, requestBody: json(createShowSchema), responses: { 201: ok('{ showId, seatCount }'), 400: problem, 401: problem } } },
      '/api/admin/shows/{showId}/policy': { put: { summary: 'Set the pricing and seating policy (a new version when it changed)', security: admin, parameters: [idParam('showId')], requestBody: json(policySchema), responses: { 200: ok('{ showId, policyVersion, policyHash, changed }'), 404: problem } } },
      '/api/shows': { get: { summary: 'List shows', responses: { 200: ok('{ shows: [...] }') } } },
      '/api/shows/{showId}': { get: { summary: 'One show', parameters: [idParam('showId')], responses: { 200: ok('the show'), 404: problem } } },
      '/api/shows/{showId}/seats': { get: { summary: 'Seats with status AVAILABLE | HELD | SOLD', parameters: [idParam('showId')], responses: { 200: ok('{ showId, seats }'), 404: problem } } },
      '/api/shows/{showId}/holds': { post: { summary: 'Hold seats (all or none)', parameters: [idParam('showId')], requestBody: json(placeHoldSchema), responses: { 201: ok('{ holdId, expiresAt, policyVersion, ... }'), 400: problem, 404: problem, 409: problem } } },
      '/api/holds/{holdId}': {
        get: { summary: 'A hold: ACTIVE | EXPIRED | RELEASED | CONFIRMED', parameters: [idParam('holdId')], responses: { 200: ok('the hold'), 404: problem } },
        delete: { summary: 'Release a hold', parameters: [idParam('holdId')], responses: { 200: ok('the released hold'), 404: problem, 409: problem } },
      },
      '/api/holds/{holdId}/confirm': {
        post: {
          summary: 'Pay and confirm a hold (Idempotency-Key header required)',
          parameters: [idParam('holdId'), { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', minLength: 8, maxLength: 200 } }],
          requestBody: json(confirmSchema),
          responses: { 201: ok('the booking with tickets'), 400: problem, 402: problem, 404: problem, 409: problem, 410: problem, 422: problem, 503: problem },
        },
      },
      '/api/bookings/{bookingId}': { get: { summary: 'A booking and its tickets', parameters: [idParam('bookingId')], responses: { 200: ok('the booking'), 404: problem } } },
      '/api/bookings/{bookingId}/tickets.pdf': { get: { summary: 'The ticket sheet (PDF)', parameters: [idParam('bookingId')], responses: { 200: { description: 'application/pdf' }, 404: problem } } },
      '/api/bookings/{bookingId}/tickets/{seatId}.png': { get: { summary: 'One ticket\'s QR code (PNG)', parameters: [idParam('bookingId'), idParam('seatId')], responses: { 200: { description: 'image/png' }, 404: problem } } },
      '/webhooks/payments': {
        post: {
          summary: 'The payment provider\'s webhook (Stripe scheme): called directly, not through the sidecar, and authenticated by its signature; each event id is processed once',
          parameters: [{ name: 'Stripe-Signature', in: 'header', required: true, schema: { type: 'string' }, description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">' }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['id', 'type'], properties: { id: { type: 'string' }, type: { type: 'string' }, data: { type: 'object' } } } } } },
          responses: {
            200: ok('{ received: true, status: PROCESSED | IGNORED } or, for an event already handled, { received: true, duplicate: true }'),
            400: { ...problem, description: 'WEBHOOK_SIGNATURE_INVALID (missing, wrong or too old signature) or WEBHOOK_PAYLOAD_INVALID; nothing recorded' },
            500: { ...problem, description: 'WEBHOOK_PROCESSING_FAILED: recorded FAILED; a redelivery processes it again' },
            503: { ...problem, description: 'WEBHOOK_NOT_READY: the app is starting' },
          },
        },
      },
      '/api/admin/webhooks': {
        get: {
          summary: 'Recorded payment webhook events, newest first',
          security: admin,
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['PROCESSED', 'IGNORED', 'FAILED'] } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
          ],
          responses: { 200: ok('{ events: [{ id, type, status, error, deliveries, receivedAt, processedAt, payload }] }'), 400: problem, 401: problem },
        },
      },
      '/api/tickets/verify': { post: { summary: 'Scan a ticket at the door: valid once, then already-used', security: admin, requestBody: json(z.object({ qrPayload: z.string() })), responses: { 200: ok('{ result: valid | already-used | invalid, ... }'), 401: problem } } },
    },
  };
}
