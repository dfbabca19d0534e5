/**
 * The delivery app's operators' API as OpenAPI 3.1, queries and bodies generated from the zod
 * schemas the routes parse with. Served at /api/openapi.json (the app's invocable prefix).
 */
import {
  ACTOR_HEADER_NOTE, timelineOpenApiPaths, arrayOf, bearerScheme, dateTime, int, jsonBody, jsonResponse, nullable, num, object, openApiDocumentOf, pathParam, probePaths, problemOrSidecarResponse, problemResponse,
  queryParams, str,
} from '@holdfast/shared';
import { deadLetterQuery, refundQuery, replayTopicBody, resendBody, uuid } from './admin.routes';

export const OPENAPI_PATH = '/api/openapi.json';

const admin = [{ adminBearer: [] }];
const id = pathParam('id', uuid);
const common = { 400: problemOrSidecarResponse('VALIDATION_FAILED (or another reason named by `code`), or the sidecar refusing the request line'), 401: problemResponse('ADMIN_AUTH_REQUIRED: no or a wrong admin bearer token') };
const withId = { ...common, 404: problemResponse('Nothing under this id (`code` says what), or a path no route takes') };
const replayStatus = { enum: ['REPLAYING', 'REPLAYED', 'DISCARDED', 'NOT_FOUND', 'PENDING'] };
const replayResult = object({ id: str, topic: str, status: replayStatus });

export function openApiDocument() {
  return openApiDocumentOf({
    title: 'Holdfast delivery API',
    description: 'Operators\' endpoints (dead letters, refunds, delivery figures), reached through Dapr service invocation: /v1.0/invoke/delivery/method/<path> with the dapr-api-token header; /api/* is invocable.' + ACTOR_HEADER_NOTE,
    securitySchemes: { adminBearer: bearerScheme('ADMIN_API_TOKEN') },
    paths: {
      ...probePaths(true),
      [OPENAPI_PATH]: { get: { summary: 'This document', responses: { 200: jsonResponse('OpenAPI 3.1', { type: 'object' }) } } },
      ...timelineOpenApiPaths({ security: admin, errors: common, who: 'the delivery app (notifications and each attempt, refunds, dead letters)' }),
      '/api/admin/dead-letters': {
        get: {
          summary: 'Stored dead letters, newest first', security: admin, parameters: queryParams(deadLetterQuery),
          responses: {
            200: jsonResponse('the dead letters', object({
              deadLetters: arrayOf(object({
                id: str, topic: str, deadLetterTopic: str, eventId: str, status: str, lastError: nullable(str), attempts: int, deadLetterCount: int,
                firstFailedAt: dateTime, lastFailedAt: dateTime, replayedAt: nullable(dateTime), correlationId: nullable(str), event: {},
                failureKind: nullable({ enum: ['TRANSIENT', 'REFUSED', 'INVALID'] }), autoReplays: int, lastAutoReplayAt: nullable(dateTime), manualReviewReason: nullable(str),
              })),
            })),
            ...common,
          },
        },
      },
      '/api/admin/dead-letters/replay': {
        post: {
          summary: 'Replay every pending dead letter of a topic', security: admin, requestBody: jsonBody(replayTopicBody),
          responses: { 202: jsonResponse('replays started', object({ topic: str, replayed: int, results: arrayOf(replayResult), requestedBy: str }, ['requestedBy'])), ...common },
        },
      },
      '/api/admin/dead-letters/{id}/replay': {
        post: {
          summary: 'Replay one dead letter', security: admin, parameters: [id],
          responses: { 202: jsonResponse('replay started', { ...replayResult, properties: { ...replayResult.properties, requestedBy: str } }), ...withId, 409: problemResponse('DEAD_LETTER_ALREADY_REPLAYED') },
        },
      },
      '/api/admin/refunds': {
        get: {
          summary: 'Refund jobs, newest first', security: admin, parameters: queryParams(refundQuery),
          responses: {
            200: jsonResponse('the refunds', object({
              refunds: arrayOf(object({
                id: str, refundKey: str, bookingId: str, showId: nullable(str), amount: int, currency: str, reason: nullable(str), status: str, attempts: int,
                lastError: nullable(str), providerRefundId: nullable(str), eventId: str, correlationId: nullable(str), manualReviewId: nullable(str),
                createdAt: dateTime, updatedAt: dateTime, processedAt: nullable(dateTime), failedAt: nullable(dateTime),
              })),
            })),
            ...common,
          },
        },
      },
      '/api/admin/refunds/{id}/retry': {
        post: {
          summary: 'Retry a refund from manual review (FAILED): its dead letter is replayed', security: admin, parameters: [id],
          responses: {
            202: jsonResponse('requeued', object({ refundId: str, status: { const: 'PENDING' }, deadLetterId: str, replay: str, requestedBy: str }, ['requestedBy'])), ...withId,
            409: problemResponse('REFUND_NOT_IN_MANUAL_REVIEW or REFUND_NOT_REPLAYABLE'),
          },
        },
      },
      '/api/admin/notifications/{id}': {
        get: {
          summary: 'One notification (an email, SMS or WhatsApp message) with each of its attempts (seed 001: every attempt recorded)', security: admin, parameters: [id],
          responses: {
            200: jsonResponse('the notification and its attempts, in order', object({
              id: str, key: str, kind: nullable({ enum: ['request_received', 'confirmed', 'policy_escalation', 'show_cancelled'] }), channel: str, topic: str, eventId: str,
              bookingId: nullable(str), showId: nullable(str), recipient: str, status: { enum: ['PENDING', 'SENT', 'FAILED', 'DISABLED', 'SKIPPED'] }, attempts: int,
              lastError: nullable(str), providerMessageId: nullable(str), nextAttemptAt: nullable(dateTime), createdAt: dateTime, sentAt: nullable(dateTime), correlationId: nullable(str),
              attemptLog: arrayOf(object({
                attempt: int, at: dateTime, outcome: { enum: ['sent', 'refused', 'transient', 'skipped'] }, providerStatus: nullable(int), providerAnswer: nullable(str),
                error: nullable(str), nextAttemptAt: nullable(dateTime),
              })),
            })),
            ...withId,
          },
        },
      },
      '/api/admin/notifications/{id}/resend': {
        post: {
          summary: 'Issue 13: send a sent email again to the same recipient, as a new notification (new id, key `<original key>-resend-<n>`, resendOf) queued like any: its first attempt, scheduled retries and dead letter apply; requestedBy (else X-Holdfast-Actor from the console, else admin-api-token) is recorded',
          security: admin, parameters: [id], requestBody: jsonBody(resendBody, false),
          responses: {
            202: jsonResponse('the resend, queued', object({ id: { type: 'string', format: 'uuid' }, key: str, resendOf: { type: 'string', format: 'uuid' }, status: { const: 'PENDING' }, requestedBy: str })),
            ...withId, 404: problemResponse('NOTIFICATION_NOT_FOUND, or a path no route takes'),
            409: problemResponse('NOTIFICATION_NOT_SENT: the original has not been sent yet (its retries or its dead letter come first); NOTIFICATION_NOT_RESENDABLE: not an email of the queue (an SMS or WhatsApp notice)'),
            503: problemResponse('RESEND_NOT_QUEUED: the pub/sub did not take it; nothing was sent'),
          },
        },
      },
      '/api/monitoring/delivery': {
        get: {
          summary: 'Delivery figures per topic and channel, the outbox and the dead letters', security: admin,
          responses: {
            200: jsonResponse('the figures', object({
              channels: arrayOf(object({ topic: str, channel: str, pending: int, delivered: int, retried: int, failed: int, deadLettered: int, replayed: int, oldestPendingAgeSeconds: nullable(num) })),
              email: object({
                enabled: { type: 'boolean', description: 'FEATURE_EMAIL_QUEUE_ENABLED: false sends no email (each recorded DISABLED)' },
                channel: { enum: ['enabled', 'disabled'] }, requestReceivedEnabled: { type: 'boolean' }, maxAttempts: int, retryBaseSeconds: int,
                pending: int, waitingRetry: int, disabled: int, skipped: int, failed: int,
              }),
              outbox: object({ pending: int, oldestPendingAgeSeconds: nullable(num) }),
              deadLetters: arrayOf(object({ topic: str, status: str, count: int })),
            })),
            ...common,
          },
        },
      },
    },
  });
}
