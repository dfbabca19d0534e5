/**
 * The three timeline endpoints each app serves to the admin console (issue 13), over the app's own
 * records only: GET /api/admin/timeline/bookings/:bookingId, /orders/:orderId and /search?q=.
 * An id the app knows nothing of answers 200 with no events (the console merges several apps);
 * a malformed one is 400 VALIDATION_FAILED. The caller's credential is checked by `auth`.
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { sortTimeline, type TimelinePart, type TimelineSearchAnswer } from './timeline';

export const TIMELINE_PREFIX = '/api/admin/timeline';

/** Booking ids are UUIDs. */
export const timelineBookingId = z.string().uuid();
/** Order ids as fulfillment takes them (orders.routes' orderIdSchema). */
export const timelineOrderId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/);
/** A booking id, an order id, a customer email or a correlation id. */
export const timelineSearchQuery = z.object({ q: z.string().trim().min(1).max(320).regex(/^[^\s\u0000-\u001f]+$/, 'one id, email or correlation id, no spaces') }).strict();

export interface TimelineSource {
  booking(bookingId: string): Promise<TimelinePart>;
  order(orderId: string): Promise<TimelinePart>;
  search(q: string): Promise<TimelineSearchAnswer>;
}

export const EMPTY_TIMELINE: TimelinePart = { events: [], related: [] };

export function timelineRoutes(source: TimelineSource, auth: RequestHandler): Router {
  const router = Router();
  router.get(`${TIMELINE_PREFIX}/bookings/:bookingId`, auth, async (req, res) => {
    const part = await source.booking(timelineBookingId.parse(req.params.bookingId));
    res.json({ events: sortTimeline(part.events), related: part.related });
  });
  router.get(`${TIMELINE_PREFIX}/orders/:orderId`, auth, async (req, res) => {
    const part = await source.order(timelineOrderId.parse(req.params.orderId));
    res.json({ events: sortTimeline(part.events), related: part.related });
  });
  router.get(`${TIMELINE_PREFIX}/search`, auth, async (req, res) => {
    const { q } = timelineSearchQuery.parse(req.query);
    res.json(await source.search(q));
  });
  return router;
}

/** The three paths for an app's OpenAPI document; `security` and `error` responses are the app's own. */
export function timelineOpenApiPaths(options: { security: unknown[]; errors: Record<string, unknown>; who: string }) {
  const str = { type: 'string' };
  const link = { type: 'object', required: ['kind', 'id'], properties: { kind: { enum: ['show', 'booking', 'order', 'refund', 'dead-letter', 'manual-review', 'notification'] }, id: str, label: str } };
  const event = {
    type: 'object', required: ['at', 'app', 'kind', 'summary'],
    properties: {
      at: { type: 'string', format: 'date-time', description: 'when the fact was recorded' }, app: { enum: ['booking', 'delivery', 'fulfillment', 'admin'] }, kind: str, summary: str,
      correlationId: str, status: str, attempt: { type: 'integer' }, error: str, providerId: str, actor: str, links: { type: 'array', items: link },
    },
  };
  const part = { description: 'this app\'s events in time order (none when it knows nothing of the id) and related entities', content: { 'application/json': { schema: { type: 'object', required: ['events', 'related'], properties: { events: { type: 'array', items: event }, related: { type: 'array', items: link } } } } } };
  const search = { description: 'the bookings and orders this app knows that match', content: { 'application/json': { schema: { type: 'object', required: ['matches'], properties: { matches: { type: 'array', items: { type: 'object', required: ['kind', 'id', 'label'], properties: { kind: { enum: ['booking', 'order'] }, id: str, label: str } } } } } } } };
  const param = (name: string, schema: z.ZodType) => ({ name, in: 'path', required: true, schema: z.toJSONSchema(schema, { io: 'input' }) });
  const strip = (s: Record<string, unknown>) => { const { $schema: _ignored, ...rest } = s; return rest; };
  return {
    [`${TIMELINE_PREFIX}/bookings/{bookingId}`]: { get: { summary: `A booking's story as ${options.who} recorded it (issue 13's timeline)`, security: options.security, parameters: [{ ...param('bookingId', timelineBookingId), schema: strip(z.toJSONSchema(timelineBookingId, { io: 'input' }) as Record<string, unknown>) }], responses: { 200: part, ...options.errors } } },
    [`${TIMELINE_PREFIX}/orders/{orderId}`]: { get: { summary: `An order's story as ${options.who} recorded it (issue 13's timeline)`, security: options.security, parameters: [{ ...param('orderId', timelineOrderId), schema: strip(z.toJSONSchema(timelineOrderId, { io: 'input' }) as Record<string, unknown>) }], responses: { 200: part, ...options.errors } } },
    [`${TIMELINE_PREFIX}/search`]: {
      get: {
        summary: `The bookings and orders ${options.who} knows for a booking id, an order id, a customer email or a correlation id`, security: options.security,
        parameters: [{ name: 'q', in: 'query', required: true, schema: strip(z.toJSONSchema(timelineSearchQuery.shape.q, { io: 'input' }) as Record<string, unknown>) }],
        responses: { 200: search, ...options.errors },
      },
    },
  };
}
