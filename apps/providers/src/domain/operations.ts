/**
 * The simulated providers' operations: the request each accepts and the answer it gives when chaos
 * lets it succeed. Pure apart from the id source; the HTTP layer adds chaos, latency and recording.
 */
import { z } from 'zod';
import { emailAddress } from '@holdfast/shared/src/base';
import type { Outcome } from './chaos';
import type { Resource, ResourceStore } from './resources';

export interface SuccessAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What an operation may use when chaos lets it through. */
export interface OperationEnv {
  newId: (prefix: string) => string;
  resources: ResourceStore;
  /** How long accepted long-running work takes (the rule's workMs). */
  workMs: number;
}

export interface Operation {
  domain: string;
  operation: string;
  method: 'post' | 'get';
  path: string;
  /** Validates the body (POST) or the path parameters (GET). */
  request: z.ZodType;
  /** An outcome the request itself forces, whatever the chaos (Stripe-style test tokens). */
  forcedOutcome?: (request: any, resources: ResourceStore) => Outcome | undefined;
  /** The answer when chaos lets the call through: a success, or the provider's own refusal (unknown id, wrong state). */
  succeed: (request: any, env: OperationEnv) => SuccessAnswer;
  /**
   * The event a success announces to the account's webhook endpoint, if any (Stripe's
   * `charge.refunded` after a refund): its type and `data.object`. Not for a replayed answer.
   */
  webhook?: (request: any, answer: SuccessAnswer) => { type: string; object: Record<string, unknown> };
}

/** Stripe's test tokens: their outcome is fixed so tests and demos can pin a payment's fate. */
export const TEST_TOKENS: Record<string, Outcome> = {
  tok_visa: 'ok',
  tok_mastercard: 'ok',
  tok_chargeDeclined: '402',
  tok_chargeDeclinedInsufficientFunds: '402',
};

const money = z.object({ amount: z.number().int().positive(), currency: z.string().length(3).default('EUR') });
const reference = z.object({ reference: z.string().min(1).max(200) }).passthrough();
const items = z.array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive() })).min(1);
const idParam = z.object({ id: z.string().min(1).max(200) });

const paymentToken = (request: { token?: string }) => (request.token ? TEST_TOKENS[request.token] : undefined);
/** A test-token authorization that succeeded is captured whatever the chaos, as Stripe's test cards are. */
const capturedByTestToken = (request: { authorizationId?: string }, resources: ResourceStore): Outcome | undefined => {
  const token = request.authorizationId ? resources.get(request.authorizationId)?.data.token : undefined;
  return typeof token === 'string' && TEST_TOKENS[token] === 'ok' ? 'ok' : undefined;
};

const refusal = (status: number, type: string, message: string): SuccessAnswer => ({ status, body: { error: { type, message, status } } });
const notFound = (what: string, id: string) => refusal(404, 'not_found', `No ${what} ${id}.`);

/** A resource as its provider's status endpoint shows it. */
export function resourceView(resource: Resource, resources: ResourceStore) {
  const progress = resources.progress(resource);
  return {
    id: resource.id, kind: resource.kind, status: resource.status, reference: resource.reference, amount: resource.amount,
    parentId: resource.parentId, ...(progress === undefined ? {} : { progress }), createdAt: resource.createdAt, updatedAt: resource.updatedAt, history: resource.history,
  };
}

function statusOperation(domain: string, kinds: string[]): Operation {
  return {
    domain, operation: 'status', method: 'get', path: `/${domain}/:id/status`, request: idParam,
    succeed: (req, { resources }) => {
      const resource = resources.get(req.id);
      if (!resource || !kinds.includes(resource.kind)) return notFound(`${domain} resource`, req.id);
      return { status: 200, body: resourceView(resource, resources) };
    },
  };
}

/** A refund as Stripe's events show it (`data.object` of `charge.refunded`). */
export function refundObject(req: { amount: number; currency: string; paymentReference: string; reason?: string; metadata?: Record<string, string | number | boolean> }, refundId: string) {
  return {
    id: refundId, object: 'refund', amount: req.amount, currency: req.currency.toLowerCase(), status: 'succeeded',
    payment_reference: req.paymentReference, reason: req.reason ?? null,
    metadata: Object.fromEntries(Object.entries(req.metadata ?? {}).map(([key, value]) => [key, String(value)])),
  };
}

export const OPERATIONS: Operation[] = [
  {
    domain: 'payment', operation: 'authorize', method: 'post', path: '/payment/authorize',
    request: money.extend({ token: z.string().min(1).optional(), reference: z.string().min(1).max(200) }).passthrough(),
    forcedOutcome: paymentToken,
    succeed: (req, { newId, resources }) => {
      const auth = resources.create({ id: newId('auth'), kind: 'authorization', reference: req.reference, status: 'authorized', amount: req.amount, data: { token: req.token, currency: req.currency } });
      return { status: 200, body: { authorizationId: auth.id, status: 'authorized', amount: req.amount, currency: req.currency } };
    },
  },
  {
    domain: 'payment', operation: 'capture', method: 'post', path: '/payment/capture',
    request: z.object({ authorizationId: z.string().min(1), amount: z.number().int().positive().optional() }).passthrough(),
    forcedOutcome: capturedByTestToken,
    succeed: (req, { newId, resources }) => {
      const auth = resources.get(req.authorizationId);
      if (!auth || auth.kind !== 'authorization') return notFound('authorization', req.authorizationId);
      if (auth.status === 'captured') return refusal(409, 'already_captured', 'The authorization is already captured.');
      if (auth.status !== 'authorized') return refusal(410, 'authorization_expired', `The authorization is ${auth.status}.`);
      const amount = req.amount ?? auth.amount;
      if (amount > (auth.amount ?? 0)) return refusal(400, 'amount_too_large', 'The capture exceeds the authorized amount.');
      const capture = resources.create({ id: newId('cap'), kind: 'capture', reference: auth.reference, status: 'captured', amount, parentId: auth.id });
      resources.setStatus(auth.id, 'captured');
      return { status: 200, body: { captureId: capture.id, authorizationId: auth.id, amount, status: 'captured' } };
    },
  },
  {
    domain: 'payment', operation: 'release', method: 'post', path: '/payment/release',
    request: z.object({ authorizationId: z.string().min(1) }).passthrough(),
    succeed: (req, { resources }) => {
      const auth = resources.get(req.authorizationId);
      if (!auth || auth.kind !== 'authorization') return notFound('authorization', req.authorizationId);
      if (auth.status === 'captured' || auth.status === 'refunded') return refusal(409, 'already_captured', 'A captured authorization is refunded, not released.');
      resources.setStatus(auth.id, 'released');
      return { status: 200, body: { authorizationId: auth.id, status: 'released' } };
    },
  },
  {
    domain: 'payment', operation: 'refund', method: 'post', path: '/payment/refund',
    request: z.object({ captureId: z.string().min(1), amount: z.number().int().positive().optional() }).passthrough(),
    succeed: (req, { newId, resources }) => {
      const capture = resources.get(req.captureId);
      if (!capture || capture.kind !== 'capture') return notFound('capture', req.captureId);
      if (capture.status === 'refunded') return refusal(409, 'already_refunded', 'The capture is already refunded.');
      const refund = resources.create({ id: newId('re'), kind: 'refund', reference: capture.reference, status: 'refunded', amount: req.amount ?? capture.amount, parentId: capture.id });
      resources.setStatus(capture.id, 'refunded');
      if (capture.parentId) resources.setStatus(capture.parentId, 'refunded');
      return { status: 200, body: { refundId: refund.id, captureId: capture.id, status: 'refunded' } };
    },
  },
  statusOperation('payment', ['authorization', 'capture', 'refund']),
  {
    domain: 'inventory', operation: 'reserve', method: 'post', path: '/inventory/reserve',
    request: reference.extend({ items }),
    succeed: (req, { newId, resources }) => {
      const reservation = resources.create({ id: newId('res'), kind: 'reservation', reference: req.reference, status: 'reserved', data: { items: req.items } });
      return { status: 200, body: { reservationId: reservation.id, status: 'reserved', items: req.items } };
    },
  },
  {
    domain: 'inventory', operation: 'release', method: 'post', path: '/inventory/release',
    request: z.object({ reservationId: z.string().min(1) }).passthrough(),
    succeed: (req, { resources }) => {
      const reservation = resources.get(req.reservationId);
      if (!reservation || reservation.kind !== 'reservation') return notFound('reservation', req.reservationId);
      resources.setStatus(reservation.id, 'released');
      return { status: 200, body: { reservationId: reservation.id, status: 'released' } };
    },
  },
  {
    // Stock is plentiful in the simulation; running out is chaos's job (a 409 on reserve).
    domain: 'inventory', operation: 'check', method: 'post', path: '/inventory/check',
    request: z.object({ items }).passthrough(),
    succeed: (req) => ({ status: 200, body: { available: true, items: req.items.map((i: { sku: string; quantity: number }) => ({ sku: i.sku, requested: i.quantity, available: 1000 })) } }),
  },
  {
    // Seed 003's STOCK_RELEASE: locked stock of one product given back by quantity (not by
    // reservation). Recorded as a stock-release resource whose reference is the product.
    domain: 'inventory', operation: 'release-stock', method: 'post', path: '/inventory/release-stock',
    request: z.object({ productId: z.string().min(1).max(200), quantity: z.number().int().positive().max(1_000_000) }).passthrough(),
    succeed: (req, { newId, resources }) => {
      const release = resources.create({ id: newId('srel'), kind: 'stock_release', reference: req.productId, status: 'released', amount: req.quantity, data: { productId: req.productId, quantity: req.quantity } });
      return { status: 200, body: { stockReleaseId: release.id, productId: req.productId, quantity: req.quantity, status: 'released' } };
    },
  },
  statusOperation('inventory', ['reservation']),
  {
    // Long-running: accepted at once (202, in_progress) and done after the rule's workMs; its
    // status endpoint reports progress meanwhile. With workMs 0 the label is created at once.
    domain: 'shipping', operation: 'create-label', method: 'post', path: '/shipping/create-label',
    request: reference.extend({ address: z.object({ line1: z.string().min(1), city: z.string().min(1), postalCode: z.string().min(1), country: z.string().length(2) }).passthrough() }),
    succeed: (req, { newId, resources, workMs }) => {
      const label = resources.create({
        id: newId('lbl'), kind: 'label', reference: req.reference, status: workMs > 0 ? 'in_progress' : 'created',
        data: { trackingNumber: newId('trk') }, work: workMs > 0 ? { startedAtMs: Date.now(), durationMs: workMs, doneStatus: 'created' } : undefined,
      });
      return { status: workMs > 0 ? 202 : 200, body: { labelId: label.id, trackingNumber: label.data.trackingNumber, status: label.status, progress: resources.progress(label) } };
    },
  },
  {
    domain: 'shipping', operation: 'cancel', method: 'post', path: '/shipping/cancel',
    request: z.object({ labelId: z.string().min(1) }).passthrough(),
    succeed: (req, { resources }) => {
      const label = resources.get(req.labelId);
      if (!label || label.kind !== 'label') return notFound('label', req.labelId);
      resources.setStatus(label.id, 'cancelled');
      return { status: 200, body: { labelId: label.id, status: 'cancelled' } };
    },
  },
  statusOperation('shipping', ['label']),
  {
    domain: 'notification', operation: 'send', method: 'post', path: '/notification/send',
    // whatsapp: seed 003's NOTIFICATION_SEND_WHATSAPP (the recipient an E.164 phone number, as for sms).
    // A union by channel, not a refine: the OpenAPI document is generated from this schema, and a
    // refine would not show in it (a client reading it could send an sms to "0" and get a 400).
    request: z.union([
      z.object({ channel: z.enum(['sms', 'whatsapp']), recipient: z.string().regex(/^\+?[0-9]{6,15}$/, 'an E.164 phone number'), message: z.string().min(1) }).passthrough(),
      z.object({ channel: z.enum(['email', 'push']), recipient: z.string().min(1), message: z.string().min(1) }).passthrough(),
    ]),
    succeed: (req, { newId, resources }) => {
      const notification = resources.create({ id: newId('ntf'), kind: 'notification', reference: typeof req.reference === 'string' ? req.reference : null, status: 'sent', data: { channel: req.channel, recipient: req.recipient } });
      return { status: 200, body: { notificationId: notification.id, status: 'sent' } };
    },
  },
  statusOperation('notification', ['notification']),
  {
    // SendGrid v3 Mail Send: 202 with an empty body and the message id in X-Message-Id.
    domain: 'email', operation: 'send', method: 'post', path: '/v3/mail/send',
    request: z.object({
      personalizations: z.array(z.object({ to: z.array(z.object({ email: emailAddress() })).min(1) }).passthrough()).min(1),
      from: z.object({ email: emailAddress() }).passthrough(),
      subject: z.string().optional(),
      content: z.array(z.object({ type: z.string(), value: z.string() })).optional(),
    }).passthrough(),
    succeed: (_req, { newId }) => ({ status: 202, body: '', headers: { 'X-Message-Id': newId('sg') } }),
  },
  {
    domain: 'sms', operation: 'send', method: 'post', path: '/sms/send',
    request: z.object({ to: z.string().regex(/^\+?[0-9]{6,15}$/, 'an E.164 phone number'), body: z.string().min(1).max(1600), channel: z.enum(['sms', 'whatsapp']).default('sms') }).passthrough(),
    succeed: (req, { newId }) => ({ status: 200, body: { messageId: newId('sms'), status: 'queued', channel: req.channel } }),
  },
  {
    domain: 'refund', operation: 'create', method: 'post', path: '/refunds',
    request: money.extend({
      paymentReference: z.string().min(1), reason: z.string().max(500).optional(),
      // As at Stripe: string values (numbers and booleans are kept as their text), up to 50 keys.
      metadata: z.record(z.string().min(1).max(40), z.union([z.string().max(500), z.number(), z.boolean()])).refine((m) => Object.keys(m).length <= 50, 'at most 50 keys').optional(),
    }).passthrough(),
    succeed: (req, { newId }) => ({ status: 200, body: { refundId: newId('rf'), status: 'succeeded', amount: req.amount } }),
    webhook: (req, answer) => ({ type: 'charge.refunded', object: refundObject(req, (answer.body as { refundId: string }).refundId) }),
  },
];

export const operationKey = (op: Pick<Operation, 'domain' | 'operation'>) => `${op.domain}.${op.operation}`;

/** Standard error bodies per failure status, shaped like the providers we stand in for. */
export function failureBody(domain: string, status: number): { error: { type: string; message: string; status: number } } {
  const known: Record<number, [string, string]> = {
    400: ['invalid_request', 'The request was rejected as invalid.'],
    402: ['card_declined', 'The card was declined.'],
    404: ['not_found', 'No such resource.'],
    409: ['conflict', 'The request conflicts with the resource state.'],
    410: ['gone', 'The resource has expired.'],
    429: ['rate_limited', 'Too many requests.'],
    500: ['api_error', 'The provider failed internally.'],
    502: ['bad_gateway', 'The provider could not reach an upstream.'],
    503: ['unavailable', 'The provider is temporarily unavailable.'],
    504: ['timeout', 'The provider timed out.'],
  };
  const [type, message] = known[status] ?? ['error', `${domain} failed with status ${status}.`];
  return { error: { type, message, status } };
}
