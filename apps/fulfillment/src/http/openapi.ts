/**
 * The fulfillment (order) API as OpenAPI 3.1, request bodies, ids and queries generated from the
 * zod schemas the routes parse with. Served at /workflows/openapi.json (the app's invocable prefix).
 */
import {
  ACTOR_HEADER_NOTE, timelineOpenApiPaths, arrayOf, bearerScheme, bool, dateTime, int, jsonBody, jsonResponse, nullable, num, object, openApiDocumentOf, pathParam, probePaths, problemOrSidecarResponse,
  problemResponse, queryParams, str,
} from '@holdfast/shared';
import { orderInputSchema } from '../domain/order';
import { testQueueSchema } from './monitoring.routes';
import { approveSchema, cancelSchema, orderIdSchema, paySchema, rejectSchema, searchSchema } from './orders.routes';

export const OPENAPI_PATH = '/workflows/openapi.json';

const manager = [{ managerBearer: [] }];
const id = pathParam('id', orderIdSchema, 'the order id');
const common = { 400: problemOrSidecarResponse('VALIDATION_FAILED (or another reason named by `code`), or the sidecar refusing the request line') };
const withId = { ...common, 404: problemResponse('ORDER_NOT_FOUND, or a path no route takes') };
const managerOnly = { 401: problemResponse('MANAGER_AUTH_REQUIRED: no or a wrong manager bearer token (MANAGER_API_TOKEN, or a manager\'s own from MANAGERS)') };
const refused = { 409: problemResponse('The order is not in a phase that takes this action (`code`: NOT_AWAITING_APPROVAL, NOT_AWAITING_PAYMENT, ORDER_FINISHED, ORDER_ENDING)') };
const accepted = jsonResponse('the order\'s actor took the action', object({ orderId: str, ok: { const: true }, phase: str }));

/** The saga's own step records (amounts in minor units), under `steps` and `compensationSteps`. */
const step = object({ step: str, at: str, target: str, data: { type: 'object' } }, ['data', 'target']);
/** A step as the design document (seed 002) shows it: payment_authorization, manager_approval, ...; amounts in major units. */
const documentStep = object({
  name: { type: 'string', description: 'payment_authorization, manager_approval, inventory_reservation, payment_capture, shipping_label, customer_notification (down-payment orders: down_payment_authorization, down_payment_capture, balance_authorization, balance_capture; undo actions: releaseAuthorization, releaseReservation, refundCapture, cancelLabel)' },
  status: { const: 'completed' }, timestamp: dateTime, target: str,
  data: { type: 'object', description: 'authId (the authorization), approvedBy, reservationId, captureId, labelId, trackingNumber, notificationId; amounts in the input\'s units' },
}, ['target']);
const actor = object({ kind: { enum: ['customer', 'manager'] }, id: str });
const order = object({
  orderId: str, instanceId: str, customerId: str, status: str, progress: int,
  currentStep: nullable({ type: 'string', description: 'the document\'s step name (payment_capture, ...)' }),
  completedSteps: arrayOf(documentStep), compensations: arrayOf(documentStep), error: nullable(str),
  totalAmount: num, currency: str, steps: arrayOf(step), compensationSteps: arrayOf(step), step: nullable(str),
  approvedBy: nullable(str), rejectionReason: nullable(str), cancelledBy: nullable(actor), decidedBy: nullable(object({ kind: { const: 'manager' }, id: str, action: { enum: ['approve', 'reject'] }, actor: str }, ['actor'])),
  downPayment: nullable(num), createdAt: dateTime, updatedAt: dateTime, finishedAt: nullable(dateTime),
  approvalDueAt: nullable({ type: 'string', format: 'date-time', description: 'while the order awaits approval: when it times out (recorded when the wait began)' }),
});

// Seed 003's monitoring answers (domain/jobs.ts): counts only.
const jobCounts = object({ pending: int, processing: int, completed: int, failed: int, dead: int, retries: int });
const jobTypeCounts = object({ ORDER_AUTO_REFUND: jobCounts, ORDER_EXPIRE_DP: jobCounts, NOTIFICATION_SEND_WHATSAPP: jobCounts, STOCK_RELEASE: jobCounts });
const timerCounts = object({ approval: int, downPayment: int, validation: int });
const queueStatsBody = {
  queueDepth: int, pending: int, processing: int, completed: int, failed: int, dead: int, retries: int, oldestPendingAgeSeconds: nullable(int),
  byType: jobTypeCounts, timers: timerCounts, outbox: object({ pending: int, oldestPendingAgeSeconds: nullable(int) }),
  deadLetters: object({ pending: int, replaying: int, replayed: int, manualReview: int }), timestamp: dateTime,
};
const queueHealthBody = object({
  status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] }, healthy: bool,
  worker: object({ healthy: bool, running: bool, lastActivity: nullable(dateTime) }),
  checks: object({ database: str, workflowRuntime: str, dead: nullable(int), deadJobsLast24h: nullable(int), outboxLagSeconds: nullable(int) }), timestamp: dateTime,
});
const retryBody = object({ delaysSeconds: arrayOf(num), maxRetries: int });
const queueInfoBody = object({
  queue: object({ name: str, mechanism: str, ...queueStatsBody }),
  jobTypes: { type: 'object', additionalProperties: object({ priority: str, runs: str, delaySeconds: nullable(int), retry: retryBody, counts: jobCounts }) },
  timers: object({ approval: int, downPayment: int, validation: int, approvalTimeoutSeconds: int }),
  worker: object({ running: bool, testQueueEnabled: bool }), timestamp: dateTime,
});
const queueInfo = { summary: 'Seed 003: per job type, its timer, retry schedule and counts, with the queue\'s stats', responses: { 200: jsonResponse('the jobs', queueInfoBody) } };

export function openApiDocument() {
  return openApiDocumentOf({
    title: 'Holdfast fulfillment API',
    description: 'Reached through Dapr service invocation: /v1.0/invoke/fulfillment/method/<path> with the dapr-api-token header; /workflows/* is invocable.' + ACTOR_HEADER_NOTE,
    securitySchemes: { managerBearer: bearerScheme('MANAGER_API_TOKEN, or a manager\'s own token from MANAGERS') },
    paths: {
      ...probePaths(true),
      [OPENAPI_PATH]: { get: { summary: 'This document', responses: { 200: jsonResponse('OpenAPI 3.1', { type: 'object' }) } } },
      '/workflows/order': {
        post: {
          summary: 'Place an order: its fulfillment saga starts; the same order again answers the same instance',
          requestBody: jsonBody(orderInputSchema),
          responses: {
            202: jsonResponse('placed (or found)', object({ orderId: str, instanceId: str, status: str, created: bool })), ...common,
            400: problemOrSidecarResponse('VALIDATION_FAILED; TOTAL_MISMATCH; APPROVAL_TIMEOUT_TOO_LONG (an order without a down payment asking for an approvalTimeoutSeconds past what WORKFLOW_TIMEOUT_SECONDS leaves: the answer names maxApprovalTimeoutSeconds); or the sidecar refusing the request line'),
            409: problemResponse('ORDER_EXISTS: an order with this id and other contents'),
          },
        },
      },
      '/workflows/{id}/pay': {
        post: { summary: 'Pay an order\'s down payment', parameters: [id], requestBody: jsonBody(paySchema, false), responses: { 202: accepted, ...withId, ...refused } },
      },
      '/workflows/{id}/approve': {
        post: {
          summary: 'A manager approves an order; with no body (or no approvedBy) the approver is the authenticated manager', security: manager, parameters: [id], requestBody: jsonBody(approveSchema, false),
          responses: { 202: accepted, ...withId, ...managerOnly, ...refused, 403: problemResponse('APPROVER_MISMATCH: a manager\'s own token approving as someone else') },
        },
      },
      '/workflows/{id}/reject': {
        post: {
          summary: 'A manager rejects an order (it is undone); the reason is optional; rejectedBy (else X-Holdfast-Actor, else the token\'s manager) is recorded in decidedBy', security: manager, parameters: [id], requestBody: jsonBody(rejectSchema, false),
          responses: { 202: jsonResponse('the order\'s actor took the rejection', object({ orderId: str, ok: { const: true }, phase: str, rejectedBy: str })), ...withId, ...managerOnly, ...refused, 403: problemResponse('APPROVER_MISMATCH: a manager\'s own token rejecting as someone else') },
        },
      },
      '/workflows/{id}/cancel': {
        post: {
          summary: 'The order\'s customer (customerId in the body, or X-Customer-Id) or a manager (bearer token) cancels an order: it is undone',
          security: [{}, ...manager], parameters: [id, { name: 'X-Customer-Id', in: 'header', required: false, schema: str, description: 'the customer cancelling (instead of customerId)' }],
          requestBody: jsonBody(cancelSchema, false),
          responses: {
            202: jsonResponse('the order\'s actor took the cancel', object({ orderId: str, ok: { const: true }, phase: str, cancelledBy: actor })), ...withId, ...refused,
            401: problemResponse('CANCEL_AUTH_REQUIRED: neither a customer nor a manager token; MANAGER_AUTH_REQUIRED: a wrong bearer token'),
            403: problemResponse('CUSTOMER_MISMATCH: not the order\'s customer; APPROVER_MISMATCH: a manager\'s own token cancelling as someone else'),
          },
        },
      },
      '/workflows/{id}/status': {
        get: { summary: 'An order\'s status, progress, steps and compensations', parameters: [id], responses: { 200: jsonResponse('the order', order), ...withId } },
      },
      '/api/monitoring/queue/stats': {
        get: { summary: 'Seed 003: queue statistics over the job ledger, the timers, the outbox and the dead letters (counts only; the client credential suffices)', responses: { 200: jsonResponse('the counts', object(queueStatsBody)) } },
      },
      '/api/monitoring/queue/health': {
        get: {
          summary: 'Seed 003: the worker (the workflow runtime) and its last activity; 503 when unhealthy',
          responses: { 200: jsonResponse('healthy or degraded', queueHealthBody), 503: jsonResponse('unhealthy: the workflow runtime is stopped or the database does not answer', queueHealthBody) },
        },
      },
      '/api/monitoring/queue/info': { get: queueInfo },
      '/api/monitoring/info': { get: { ...queueInfo, summary: 'The same as /api/monitoring/queue/info (the issue\'s name for it)' } },
      '/api/test-queue': {
        post: {
          summary: 'Seed 003: run jobs by hand now (managers only; 404 unless TEST_QUEUE_ENABLED=true). An order the job does not apply to is reported in its result, not an error',
          security: manager, requestBody: jsonBody(testQueueSchema),
          responses: {
            202: jsonResponse('per order, queued or why not (STOCK_RELEASE: the job id)', {
              anyOf: [
                object({ type: str, results: arrayOf(object({ orderId: str, queued: bool, jobId: str, code: str, detail: str }, ['jobId', 'code', 'detail'])) }),
                object({ type: { const: 'STOCK_RELEASE' }, jobId: str, queued: bool, code: str }, ['code']),
              ],
            }),
            ...common, ...managerOnly, 404: problemResponse('ROUTE_NOT_FOUND: the test queue is off (TEST_QUEUE_ENABLED)'),
          },
        },
      },
      '/workflows': {
        get: {
          summary: 'Search orders, newest first (managers only); `nextCursor` pages on', security: manager, parameters: queryParams(searchSchema),
          responses: { 200: jsonResponse('a page of orders', object({ orders: arrayOf(order), nextCursor: nullable(str) })), ...common, ...managerOnly },
        },
      },
    },
  });
}

/**
 * Issue 13's timeline routes the admin console invokes (FULFILLMENT_ADMIN_ROUTES; the gateway's
 * prefixes leave them out): described apart from the client document above, which is the API as
 * clients reach it. Not served: the console is their one caller.
 */
export function consoleOpenApiDocument() {
  return openApiDocumentOf({
    title: 'Holdfast fulfillment API: the admin console\'s routes',
    description: 'Reached only by the admin console (Dapr app id admin) through service invocation, with the manager bearer token; the gateway answers 404 ROUTE_NOT_FOUND for them.',
    securitySchemes: { managerBearer: bearerScheme('MANAGER_API_TOKEN, or a manager\'s own token from MANAGERS') },
    // An order's story and the search: the console asks booking and delivery, not fulfillment, for a booking's.
    paths: Object.fromEntries(Object.entries(timelineOpenApiPaths({ security: manager, errors: { ...common, ...managerOnly }, who: 'the fulfillment app (order, saga steps, compensations, approval or rejection and who, label, jobs)' }))
      .filter(([path]) => !path.includes('/bookings/'))),
  });
}
