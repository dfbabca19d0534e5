/**
 * The delivery app beside its sidecar: relays the outbox to pub/sub, and delivers what the events
 * ask for (ticket emails, cancellation notices by SMS/WhatsApp and email, refunds), recording every
 * send; dead letters are stored and replayable. How it fits together: docs/delivery.md.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { z } from 'zod';
import {
  APP_IDS, COMPONENTS, createLogger, envFlag, SchedulerJobs, serveJobs, type JobHandler, createPrismaClient, daprAppEnv, databaseReadiness, deadLetterTopicOf, exitOnStartupFailure, httpRequest, loadConfig,
  sidecarHeaders, sidecarUrl, startDaprApp, startOutboxRelay, TOPICS, waitForSidecarOutbound, type CloudEvent, type OutboxRelay, type Subscription,
} from '@holdfast/shared';
import { bookingConfirmedSchema, refundAlertSchema, refundRequestedSchema, showCancelledNoticeSchema } from './domain/events';
import type { DeliveryStatus } from './domain/outcome';
import { createEmailSender } from './adapters/email.sender';
import { createBindingsClient } from './adapters/bindings.client';
import { createNotificationsRepository } from './data/notifications.repository';
import { createRefundsRepository } from './data/refunds.repository';
import { createDeadLettersRepository } from './data/dead-letters.repository';
import { createMonitoringRepository, type DeliveryFigures } from './data/monitoring.repository';
import { ticketEmailHandler } from './handlers/ticket-email.handler';
import { createEmailQueue, emailJobSchema } from './handlers/email-queue';
import { emailPrecheck, emailRenderer, policyEscalationHandler, requestReceivedHandler } from './handlers/booking-emails.handler';
import { holdPlacedSchema, policyEscalatedSchema } from './domain/events';
import type { EmailKind } from './domain/email-schedule';
import { cancellationNoticeHandler, type PhoneChannel } from './handlers/cancellation-notice.handler';
import { refundHandler } from './handlers/refund.handler';
import { deadLetterHandler } from './handlers/dead-letter.handler';
import { createReplayer } from './replay';
import { createResender } from './resend';
import { startStuckSweeper } from './data/stuck-sweeper';
import { deadLetterReprocessor, scheduleDeadLetterReprocess } from './dead-letter-reprocess';
import { createDeliveryTimeline } from './data/timeline.repository';
import { DELIVERY_ADMIN_ROUTES, DELIVERY_INVOCABLE_PATHS, mountDeliveryRoutes } from './http/routes';
import { healthFromReadiness, redisHealthCheck } from '@holdfast/shared';

const phoneChannels = z.string().transform((list, ctx) => {
  const channels = list.split(',').map((c) => c.trim()).filter(Boolean);
  const bad = channels.filter((c) => c !== 'sms' && c !== 'whatsapp');
  if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `unknown channel(s) ${bad.join(', ')}: use sms and/or whatsapp` });
  return [...new Set(channels)] as PhoneChannel[];
});

async function main() {
  const config = loadConfig({
    ...daprAppEnv(3003),
    ADMIN_API_TOKEN: z.string().min(16),
    /** SendGrid: no key, no start (there is no pretend-success mode). */
    SENDGRID_API_KEY: z.string({ message: 'SENDGRID_API_KEY is required: the key of the SendGrid API (locally the providers app, which checks one is sent)' }).min(1),
    /** SendGrid's API host; locally the providers app (the launcher sets it). */
    SENDGRID_API_HOST: z.string().url().default('https://api.sendgrid.com'),
    EMAIL_FROM: z.string().email().default('tickets@holdfast.example'),
    EMAIL_FROM_NAME: z.string().default('Holdfast'),
    /**
     * Seed 001's durable email queue (handlers/email-queue.ts): false sends no email at all (each is
     * recorded DISABLED; monitoring shows the channel off). Never a send outside the queue.
     */
    FEATURE_EMAIL_QUEUE_ENABLED: envFlag(true),
    /** The "request received" email when a hold is placed (booking.hold.placed); false records it DISABLED. */
    REQUEST_RECEIVED_EMAIL_ENABLED: envFlag(true),
    /** Attempts per email (ticket, request received, escalation) before its dead letter; seed 001: 5. */
    EMAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    /** The first retry's wait; each next one doubles (seed 001: 60 s, so 60, 120, 240, 480 s). A Dapr scheduler job waits, not the subscriber. */
    EMAIL_RETRY_BASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    /** The longest wait between two attempts, however many there are (default 1 h; seed 001's schedule never reaches it). */
    EMAIL_RETRY_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3_600),
    /** Where policy escalations are emailed (seed 001: the venue's admins). */
    POLICY_ESCALATION_EMAIL: z.string().email().default('admins@holdfast.example'),
    EMAIL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** Channels a cancellation notice goes to when the customer gave a phone number (comma list of sms, whatsapp). */
    NOTICE_PHONE_CHANNELS: phoneChannels.default(['sms']),
    /** A failed refund above this amount (major units) raises refund.alert. */
    REFUND_ALERT_THRESHOLD: z.coerce.number().min(0).default(100),
    /** How long the app waits for its sidecar on a binding call (its retries included): below the subscriberCall timeout (60 s). */
    BINDING_CALL_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(45_000),
    /** The outbox relay: off only where another app's relay runs (one relays at a time anyway). */
    OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
    OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(10_000).default(100),
    OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
    OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
    /** A message PENDING and untouched this long, and not dead-lettered, is published again (stuck-sweeper.ts). Above processingTimeout. */
    STUCK_AFTER_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
    STUCK_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
    /** host:port of the pub/sub's Redis, for GET /health only (no password: docs/health.md); unset, /health does not check it. */
    REDIS_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/).optional(),
    /** Dead letters re-processed on their own (seed 004: every 15 minutes) by a Dapr scheduler job, once per tick across replicas; 0: never (manual replay only). */
    DEAD_LETTER_REPROCESS_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(900),
    /** Automatic replays of one dead letter before it is left for a person (MANUAL_REVIEW). */
    DEAD_LETTER_AUTO_REPLAY_MAX_ATTEMPTS: z.coerce.number().int().min(0).max(100).default(3),
    /** A dead letter older than this is left for a person, never replayed on its own (seed 004: 24 h). */
    DEAD_LETTER_AUTO_REPLAY_MAX_AGE_HOURS: z.coerce.number().min(0).max(8_760).default(24),
    /** Dead letters one tick looks at (seed 004: 100). */
    DEAD_LETTER_REPROCESS_BATCH: z.coerce.number().int().min(1).max(10_000).default(100),
  });
  const logger = createLogger('delivery', config.LOG_LEVEL);
  const prisma = createPrismaClient(config.DATABASE_URL, 'delivery');
  const pubsubName = COMPONENTS.pubsub;
  const notifications = createNotificationsRepository(prisma);
  const refunds = createRefundsRepository(prisma);
  const deadLetters = createDeadLettersRepository(prisma);
  const monitoring = createMonitoringRepository(prisma, {
    enabled: config.FEATURE_EMAIL_QUEUE_ENABLED, requestReceivedEnabled: config.REQUEST_RECEIVED_EMAIL_ENABLED,
    maxAttempts: config.EMAIL_MAX_ATTEMPTS, retryBaseSeconds: config.EMAIL_RETRY_BASE_SECONDS,
  });
  const email = createEmailSender({ apiKey: config.SENDGRID_API_KEY, apiHost: config.SENDGRID_API_HOST, from: config.EMAIL_FROM, fromName: config.EMAIL_FROM_NAME, timeoutMs: config.EMAIL_TIMEOUT_MS });
  const bindings = createBindingsClient(config, config.BINDING_CALL_TIMEOUT_MS);
  const replayer = createReplayer({ deadLetters, refunds, sidecar: config, pubsubName });
  const reprocess = deadLetterReprocessor({
    deadLetters, replayer, batchSize: config.DEAD_LETTER_REPROCESS_BATCH, logger,
    rules: { maxAutoReplays: config.DEAD_LETTER_AUTO_REPLAY_MAX_ATTEMPTS, maxAgeMs: config.DEAD_LETTER_AUTO_REPLAY_MAX_AGE_HOURS * 3_600_000 },
  });
  const emailCounters = {
    attempts: undefined as Counter<'kind' | 'outcome'> | undefined,
    deadLettered: undefined as Counter<'kind'> | undefined,
  };
  const emailQueue = createEmailQueue({
    notifications, email, jobs: new SchedulerJobs(config), prisma, pubsubName, enabled: config.FEATURE_EMAIL_QUEUE_ENABLED,
    schedule: { maxAttempts: config.EMAIL_MAX_ATTEMPTS, baseSeconds: config.EMAIL_RETRY_BASE_SECONDS, maxDelaySeconds: config.EMAIL_RETRY_MAX_SECONDS },
    render: emailRenderer({ adminEmail: config.POLICY_ESCALATION_EMAIL }), precheck: emailPrecheck({ notifications }), logger,
    onAttempt: (kind, outcome) => emailCounters.attempts?.inc({ kind, outcome }),
    onDeadLetter: (kind: EmailKind, topic) => {
      emailCounters.deadLettered?.inc({ kind });
      counters.deadLettered?.inc({ topic });
    },
  });
  /** The email queue's scheduler jobs (POST /job/email-...; a name not taken here falls through to the next serveJobs). */
  const jobHandlers: JobHandler<any>[] = [
    { prefix: 'email-', data: emailJobSchema, handle: (job) => emailQueue.runJob(job) },
  ];

  const counters = {
    answered: undefined as Counter<'topic' | 'status'> | undefined,
    deadLettered: undefined as Counter<'topic'> | undefined,
    alerts: undefined as Counter | undefined,
    published: undefined as Counter<'topic'> | undefined,
    publishFailed: undefined as Counter<'topic'> | undefined,
    lag: undefined as Histogram | undefined,
    resurrected: undefined as Counter<'topic'> | undefined,
  };

  /** Counts answers, and marks a replayed dead letter REPLAYED once its replay succeeded. */
  function tracked<T>(topic: string, handle: (data: T, event: CloudEvent) => Promise<DeliveryStatus>) {
    return async (data: T, event: CloudEvent): Promise<DeliveryStatus> => {
      const status = await handle(data, event);
      counters.answered?.inc({ topic, status });
      if (status === 'SUCCESS' && typeof event.replayof === 'string') await deadLetters.markReplayed(event.replayof);
      return status;
    };
  }

  const deadLetterDeps = { prisma, pubsubName, notifications, refunds, refundAlertThreshold: config.REFUND_ALERT_THRESHOLD, logger, onDeadLetter: (topic: string) => counters.deadLettered?.inc({ topic }) };
  const delivering: Array<{ topic: string; data: z.ZodType<any>; handle: (data: any, event: CloudEvent) => Promise<DeliveryStatus> }> = [
    { topic: TOPICS.bookingConfirmed, data: bookingConfirmedSchema, handle: ticketEmailHandler({ queue: emailQueue }) },
    { topic: TOPICS.bookingHoldPlaced, data: holdPlacedSchema, handle: requestReceivedHandler({ queue: emailQueue, enabled: config.REQUEST_RECEIVED_EMAIL_ENABLED }) },
    { topic: TOPICS.policyEscalated, data: policyEscalatedSchema, handle: policyEscalationHandler({ queue: emailQueue, adminEmail: config.POLICY_ESCALATION_EMAIL }) },
    { topic: TOPICS.bookingShowCancelled, data: showCancelledNoticeSchema, handle: cancellationNoticeHandler({ notifications, queue: emailQueue, bindings, phoneChannels: config.NOTICE_PHONE_CHANNELS, logger }) },
    { topic: TOPICS.refundRequested, data: refundRequestedSchema, handle: refundHandler({ refunds, bindings, logger }) },
    {
      topic: TOPICS.refundAlert, data: refundAlertSchema,
      handle: async (alert) => {
        counters.alerts?.inc();
        logger.error({ alert: 'refund', refundJobId: alert.refundJobId, bookingId: alert.bookingId, amount: alert.amount, currency: alert.currency, lastError: alert.lastError }, 'refund.alert: a refund above the alert threshold failed and waits in manual review');
        return 'SUCCESS';
      },
    },
  ];
  const subscriptions: Subscription<any>[] = delivering.flatMap(({ topic, data, handle }) => [
    { pubsubName, topic, deadLetterTopic: deadLetterTopicOf(topic), data, handle: tracked(topic, handle) },
    // The dead-letter topic's own subscriber stores what arrives; if storing fails, Dapr retries it.
    { pubsubName, topic: deadLetterTopicOf(topic), data: z.unknown(), handle: deadLetterHandler(topic, deadLetterTopicOf(topic), deadLetterDeps) },
  ]);

  let relay: OutboxRelay | undefined;
  let sweeper: ReturnType<typeof startStuckSweeper> | undefined;
  await startDaprApp({
    name: APP_IDS.delivery,
    settings: config,
    // What clients reach through the gateway; the SDK's actor, pub/sub and config routes are not among them.
    invocablePaths: DELIVERY_INVOCABLE_PATHS,
    adminRoutes: DELIVERY_ADMIN_ROUTES,
    logger,
    readiness: [databaseReadiness(prisma)],
    // GET /health (docs/health.md): PostgreSQL is critical; Redis down, events wait in the outbox and deliveries resume after (degraded).
    health: [healthFromReadiness(databaseReadiness(prisma), true, 'database'), ...(config.REDIS_ADDRESS ? [redisHealthCheck(config.REDIS_ADDRESS, false)] : [])],
    subscriptions,
    routes: (app) => {
      // POST /job/dead-letter-reprocess from the app's own sidecar (not client-invocable: /job/ is in no invocable path).
      reprocess.mount(app);
      mountDeliveryRoutes(app, {
        adminToken: config.ADMIN_API_TOKEN, deadLetters, refunds, monitoring, replayer, notifications, logger, timeline: createDeliveryTimeline(prisma),
        resender: createResender({ notifications, sidecar: config, pubsubName }),
      });
      // The sidecar's deliveries of scheduler jobs (not client-invocable: /job/ is in no invocable path).
      serveJobs(app, jobHandlers, logger);
    },
    metrics: (metrics) => {
      const registers = [metrics.registry];
      counters.answered = new Counter({ name: 'holdfast_delivery_answers_total', help: 'Answers to Dapr per topic: SUCCESS, RETRY or DROP', labelNames: ['topic', 'status'], registers });
      counters.deadLettered = new Counter({ name: 'holdfast_dead_letters_stored_total', help: 'Messages stored from dead-letter topics', labelNames: ['topic'], registers });
      counters.alerts = new Counter({ name: 'holdfast_refund_alerts_total', help: 'refund.alert events received', registers });
      counters.published = new Counter({ name: 'holdfast_outbox_published_total', help: 'Outbox events published', labelNames: ['topic'], registers });
      counters.publishFailed = new Counter({ name: 'holdfast_outbox_publish_failures_total', help: 'Outbox publishes the sidecar refused or missed', labelNames: ['topic'], registers });
      counters.resurrected = new Counter({ name: 'holdfast_delivery_resurrected_total', help: 'Messages found stuck PENDING and published again by the sweeper', labelNames: ['topic'], registers });
      reprocess.registerMetrics(registers);
      emailCounters.attempts = new Counter({ name: 'holdfast_email_attempts_total', help: 'Email attempts (seed 001 queue) per kind and outcome: sent, refused, transient, skipped', labelNames: ['kind', 'outcome'], registers });
      emailCounters.deadLettered = new Counter({ name: 'holdfast_email_dead_letters_total', help: 'Emails given up after their last attempt or refused, stored as dead letters', labelNames: ['kind'], registers });
      new Gauge({ name: 'holdfast_email_queue_enabled', help: 'FEATURE_EMAIL_QUEUE_ENABLED: 1 when emails are sent, 0 when only recorded', registers, collect() { this.set(config.FEATURE_EMAIL_QUEUE_ENABLED ? 1 : 0); } });
      new Gauge({
        name: 'holdfast_email_queue_depth', help: 'Emails not yet settled: waiting for their first attempt or for a scheduled retry', labelNames: ['state'], registers,
        async collect() {
          const queue = (await figures()).email;
          this.set({ state: 'pending' }, queue.pending);
          this.set({ state: 'waitingRetry' }, queue.waitingRetry);
        },
      });
      counters.lag = new Histogram({ name: 'holdfast_outbox_publish_lag_seconds', help: 'Commit of an outbox event to its publication', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300], registers });
      // The figures of GET /api/monitoring/delivery, read once per scrape.
      let snapshot: Promise<DeliveryFigures> | undefined;
      const figures = () => (snapshot ??= monitoring.figures().finally(() => setTimeout(() => (snapshot = undefined), 1_000)));
      const states = ['pending', 'delivered', 'retried', 'failed', 'deadLettered', 'replayed'] as const;
      new Gauge({
        name: 'holdfast_delivery_messages', help: 'Messages per topic, channel and state (as GET /api/monitoring/delivery)', labelNames: ['topic', 'channel', 'state'], registers,
        async collect() {
          this.reset();
          for (const row of (await figures()).channels) for (const state of states) this.set({ topic: row.topic, channel: row.channel, state }, row[state]);
        },
      });
      new Gauge({
        name: 'holdfast_delivery_oldest_pending_seconds', help: 'Age of the oldest message not yet delivered, per topic and channel', labelNames: ['topic', 'channel'], registers,
        async collect() {
          this.reset();
          for (const row of (await figures()).channels) this.set({ topic: row.topic, channel: row.channel }, row.oldestPendingAgeSeconds ?? 0);
        },
      });
      new Gauge({
        name: 'holdfast_outbox_pending', help: 'Outbox events not yet published', registers,
        async collect() {
          this.set((await figures()).outbox.pending);
        },
      });
    },
    afterStart: async () => {
      await waitForSidecarOutbound(config);
      await requireComponents(config, [COMPONENTS.pubsub, COMPONENTS.smsBinding, COMPONENTS.refundBinding]);
      await scheduleDeadLetterReprocess(config, config.DEAD_LETTER_REPROCESS_INTERVAL_SECONDS);
      sweeper = startStuckSweeper({
        prisma, stuckAfterSeconds: config.STUCK_AFTER_SECONDS, intervalSeconds: config.STUCK_SWEEP_INTERVAL_SECONDS, logger,
        onResurrected: (topic) => counters.resurrected?.inc({ topic }),
      });
      if (config.OUTBOX_RELAY === 'on') {
        relay = startOutboxRelay({
          databaseUrl: config.DATABASE_URL, sidecar: config, pubsubName, source: 'holdfast/outbox', logger,
          pollIntervalMs: config.OUTBOX_POLL_MS, batchSize: config.OUTBOX_BATCH_SIZE, concurrency: config.OUTBOX_CONCURRENCY,
          onPublished: (topic, lagMs) => {
            counters.published?.inc({ topic });
            counters.lag?.observe(lagMs / 1000);
          },
          onPublishFailed: (topic) => counters.publishFailed?.inc({ topic }),
        });
      }
    },
    onShutdown: [async () => sweeper?.stop(), async () => relay?.stop(), () => prisma.$disconnect()],
  });
}

/** Refuses to run without the bindings and pub/sub it sends through (a missing URL fails the component). */
async function requireComponents(sidecar: Parameters<typeof sidecarUrl>[0], names: string[]) {
  const response = await httpRequest(sidecarUrl(sidecar, '/v1.0/metadata'), { method: 'GET', headers: sidecarHeaders(sidecar), timeoutMs: 5_000 });
  const loaded = new Set(((JSON.parse(response.text) as { components?: Array<{ name: string }> }).components ?? []).map((c) => c.name));
  const missing = names.filter((name) => !loaded.has(name));
  if (missing.length > 0) throw new Error(`the sidecar has not loaded ${missing.join(', ')}: check components/ and the URLs they read (HOLDFAST_SMS_GATEWAY_URL, HOLDFAST_REFUND_GATEWAY_URL)`);
}

main().catch((error) => exitOnStartupFailure(undefined, error));
