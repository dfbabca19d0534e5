/**
 * The providers app (the simulated outside world) as OpenAPI 3.1: each operation's request from
 * the zod schema it validates with (domain/operations.ts), the control surface under /admin.
 * Answers are shaped like the providers it stands in for ({ error: { type, message, status } });
 * chaos may answer any 4xx or 5xx the rules name.
 */
import { z } from 'zod';
import {
  arrayOf, bool, int, jsonBody, jsonResponse, jsonSchemaOf, nullable, object, openApiDocumentOf, pathParam, probePaths, str,
} from '@holdfast/shared/src/base';
import { OPERATIONS, operationKey } from './domain/operations';
import { chaosUpdateSchema } from './chaos-config';

const providerError = (description: string) => ({
  description,
  content: {
    'application/json': { schema: { $ref: '#/components/schemas/ProviderError' } },
    'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
  },
});
const problemOnly = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

const idempotencyKey = { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'one effect per key: a repeat answers the first success' };

function operationPaths() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const success = op.domain === 'email'
      ? { 202: { description: 'accepted (SendGrid: empty body, X-Message-Id header)' } }
      : { 200: jsonResponse('done', { type: 'object' }), 202: jsonResponse('accepted, in progress', { type: 'object' }) };
    paths[path] = {
      [op.method]: {
        summary: `${operationKey(op)}`,
        tags: [op.domain],
        parameters: op.method === 'get'
          ? [pathParam('id', (op.request as z.ZodObject<{ id: z.ZodString }>).shape.id)]
          : [idempotencyKey],
        ...(op.method === 'post' ? { requestBody: jsonBody(op.request) } : {}),
        responses: {
          ...success,
          400: providerError('invalid_request (the provider\'s own validation), or VALIDATION_FAILED'),
          404: providerError('no such resource'),
          409: providerError('the resource is in another state (or chaos)'),
          410: providerError('expired (or chaos)'),
          422: providerError('idempotency_error: the key was used with other parameters'),
          '4XX': providerError('an outcome the chaos rules name'),
          '5XX': providerError('an outcome the chaos rules name (504: a timeout outcome)'),
        },
      },
    };
  }
  return paths;
}

const filterParams = (...names: string[]) => names.map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
const chaosView = object({ seed: { type: 'number' }, rules: { type: 'object' }, operations: arrayOf(str) });
const chaosUpdate = (() => {
  const schema = jsonSchemaOf(chaosUpdateSchema) as { properties: { rules: Record<string, unknown> } };
  // Only the operations that exist (any other name is 400 UNKNOWN_OPERATION).
  schema.properties.rules = { ...schema.properties.rules, propertyNames: { enum: OPERATIONS.map(operationKey) } };
  return schema;
})();

/** `admin`: /admin is on this port (false when PROVIDERS_ADMIN_PORT serves it on a port of its own, where this document does not describe it). */
export function openApiDocument(options: { admin?: boolean } = {}) {
  return openApiDocumentOf({
    title: 'Holdfast providers (simulated outside world)',
    description: 'Payment, inventory, shipping, notification, email (SendGrid API), SMS and refunds with chaos; called on the app port, never by service invocation.',
    schemas: { ProviderError: object({ error: object({ type: str, message: str, status: int }) }) },
    paths: {
      ...probePaths(false),
      '/openapi.json': { get: { summary: 'This document', responses: { 200: jsonResponse('OpenAPI 3.1', { type: 'object' }) } } },
      ...operationPaths(),
      ...(options.admin ?? true ? adminPaths() : {}),
    },
  });
}

function adminPaths() {
  return {
    '/admin/chaos': {
      get: { summary: 'The chaos rules in force', tags: ['admin'], responses: { 200: jsonResponse('the rules', chaosView) } },
      put: {
        summary: 'Merge chaos rules (and reseed)', tags: ['admin'], requestBody: jsonBody(chaosUpdate),
        responses: { 200: jsonResponse('the rules', chaosView), 400: problemOnly('VALIDATION_FAILED (no body; or, beyond this schema, a rule\'s outcome probabilities that do not add up to 1) or UNKNOWN_OPERATION') },
      },
      delete: { summary: 'Back to the starting rules and seed', tags: ['admin'], responses: { 200: jsonResponse('the rules', chaosView) } },
    },
    '/admin/calls': {
      get: {
        summary: 'Recorded calls', tags: ['admin'], parameters: filterParams('domain', 'operation', 'idempotencyKey'),
        responses: { 200: jsonResponse('the calls', object({ calls: arrayOf({ type: 'object' }) })), 400: problemOnly('VALIDATION_FAILED') },
      },
      delete: { summary: 'Forget the calls and the remembered answers', tags: ['admin'], responses: { 204: { description: 'forgotten' } } },
    },
    '/admin/resources': {
      get: {
        summary: 'What the providers hold (authorizations, captures, labels...)', tags: ['admin'], parameters: filterParams('reference', 'kind'),
        responses: { 200: jsonResponse('the resources', object({ resources: arrayOf({ type: 'object' }) })), 400: problemOnly('VALIDATION_FAILED') },
      },
      delete: { summary: 'Forget every resource', tags: ['admin'], responses: { 204: { description: 'forgotten' } } },
    },
    '/admin/webhooks': {
      get: {
        summary: 'Webhook deliveries', tags: ['admin'], parameters: filterParams('type', 'objectId', 'status'),
        responses: { 200: jsonResponse('the deliveries', object({ enabled: bool, url: nullable(str), deliveries: arrayOf({ type: 'object' }) })), 400: problemOnly('VALIDATION_FAILED') },
      },
      delete: { summary: 'Forget the deliveries, cancel their retries', tags: ['admin'], responses: { 204: { description: 'forgotten' } } },
    },
    '/admin/webhooks/{eventId}/resend': {
      post: {
        summary: 'Send a recorded event once more, freshly signed', tags: ['admin'], parameters: [pathParam('eventId', { type: 'string', minLength: 1 })],
        responses: { 200: jsonResponse('the delivery and its new attempt', { type: 'object' }), 400: problemOnly('VALIDATION_FAILED'), 404: problemOnly('WEBHOOK_EVENT_NOT_FOUND') },
      },
    },
  };
}
