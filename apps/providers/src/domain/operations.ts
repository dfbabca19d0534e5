/**
 * The simulated providers' operations: the request each accepts and the answer it gives when chaos
 * lets it succeed. Pure apart from the id source; the HTTP layer adds chaos, latency and recording.
 */
import { z } from 'zod';
import type { Outcome } from './chaos';

export interface SuccessAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Operation {
  domain: string;
  operation: string;
  method: 'post' | 'get';
  path: string;
  request: z.ZodType;
  /** An outcome the request itself forces, whatever the chaos (Stripe-style test tokens). */
  forcedOutcome?: (request: any) => Outcome | undefined;
  succeed: (request: any, newId: (prefix: string) => string) => SuccessAnswer;
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

const paymentToken = (request: { token?: string }) => (request.token ? TEST_TOKENS[request.token] : undefined);

export const OPERATIONS: Operation[] = [
  {
    domain: 'payment', operation: 'authorize', method: 'post', path: '/payment/authorize',
    request: money.extend({ token: z.string().min(1), reference: z.string().min(1).max(200) }).passthrough(),
    forcedOutcome: paymentToken,
    succeed: (req, newId) => ({ status: 200, body: { authorizationId: newId('auth'), status: 'authorized', amount: req.amount, currency: req.currency } }),
  },
  {
    domain: 'payment', operation: 'capture', method: 'post', path: '/payment/capture',
    request: z.object({ authorizationId: z.string().min(1), amount: z.number().int().positive().optional() }).passthrough(),
    succeed: (req, newId) => ({ status: 200, body: { captureId: newId('cap'), authorizationId: req.authorizationId, status: 'captured' } }),
  },
  {
    domain: 'payment', operation: 'release', method: 'post', path: '/payment/release',
    request: z.object({ authorizationId: z.string().min(1) }).passthrough(),
    succeed: (req) => ({ status: 200, body: { authorizationId: req.authorizationId, status: 'released' } }),
  },
  {
    domain: 'payment', operation: 'refund', method: 'post', path: '/payment/refund',
    request: z.object({ captureId: z.string().min(1), amount: z.number().int().positive().optional() }).passthrough(),
    succeed: (req, newId) => ({ status: 200, body: { refundId: newId('re'), captureId: req.captureId, status: 'refunded' } }),
  },
  {
    domain: 'inventory', operation: 'reserve', method: 'post', path: '/inventory/reserve',
    request: reference.extend({ items: z.array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive() })).min(1) }),
    succeed: (req, newId) => ({ status: 200, body: { reservationId: newId('res'), status: 'reserved', items: req.items } }),
  },
  {
    domain: 'inventory', operation: 'release', method: 'post', path: '/inventory/release',
    request: z.object({ reservationId: z.string().min(1) }).passthrough(),
    succeed: (req) => ({ status: 200, body: { reservationId: req.reservationId, status: 'released' } }),
  },
  {
    domain: 'shipping', operation: 'create-label', method: 'post', path: '/shipping/create-label',
    request: reference.extend({ address: z.object({ line1: z.string().min(1), city: z.string().min(1), postalCode: z.string().min(1), country: z.string().length(2) }).passthrough() }),
    succeed: (_req, newId) => ({ status: 200, body: { labelId: newId('lbl'), trackingNumber: newId('trk'), status: 'created' } }),
  },
  {
    domain: 'notification', operation: 'send', method: 'post', path: '/notification/send',
    request: z.object({ channel: z.enum(['email', 'sms', 'push']), recipient: z.string().min(1), message: z.string().min(1) }).passthrough(),
    succeed: (_req, newId) => ({ status: 200, body: { notificationId: newId('ntf'), status: 'sent' } }),
  },
  {
    // SendGrid v3 Mail Send: 202 with an empty body and the message id in X-Message-Id.
    domain: 'email', operation: 'send', method: 'post', path: '/v3/mail/send',
    request: z.object({
      personalizations: z.array(z.object({ to: z.array(z.object({ email: z.string().email() })).min(1) }).passthrough()).min(1),
      from: z.object({ email: z.string().email() }).passthrough(),
      subject: z.string().optional(),
      content: z.array(z.object({ type: z.string(), value: z.string() })).optional(),
    }).passthrough(),
    succeed: (_req, newId) => ({ status: 202, body: '', headers: { 'X-Message-Id': newId('sg') } }),
  },
  {
    domain: 'sms', operation: 'send', method: 'post', path: '/sms/send',
    request: z.object({ to: z.string().regex(/^\+?[0-9]{6,15}$/, 'an E.164 phone number'), body: z.string().min(1).max(1600), channel: z.enum(['sms', 'whatsapp']).default('sms') }).passthrough(),
    succeed: (req, newId) => ({ status: 200, body: { messageId: newId('sms'), status: 'queued', channel: req.channel } }),
  },
  {
    domain: 'refund', operation: 'create', method: 'post', path: '/refunds',
    request: money.extend({ paymentReference: z.string().min(1), reason: z.string().max(500).optional() }).passthrough(),
    succeed: (req, newId) => ({ status: 200, body: { refundId: newId('rf'), status: 'succeeded', amount: req.amount } }),
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
