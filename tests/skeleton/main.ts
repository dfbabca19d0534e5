/** The walking-skeleton app (app-id `skeleton`): see README.md. Started by tests/integration only. */
import { DaprPubSubStatusEnum, WorkflowRuntime } from '@dapr/dapr';
import { z } from 'zod';
import {
  APP_IDS, COMPONENTS, TOPICS, createLogger, createPrismaClient, currentCorrelationId, daprAppEnv, databaseReadiness,
  createDaprClient, exitOnStartupFailure, loadConfig, recordDeadLetter, startDaprApp, waitForSidecarOutbound, type Subscription,
} from '@holdfast/shared';
import { actorEvents, CounterActor, useCounterLogger } from './counter.actor';
import { approvalWorkflow } from './approval.workflow';
import { createApprovalActivities } from './approval.activities';

const received: Array<{ topic: string; eventId: string; data: unknown }> = [];
const failingAttempts = new Map<string, number>();

async function main() {
  const config = loadConfig({
    ...daprAppEnv(4100),
    PROVIDERS_URL: z.string().url(),
    ACTOR_IDLE_TIMEOUT: z.string().default('60m'),
  });
  const logger = createLogger(APP_IDS.skeleton, config.LOG_LEVEL);
  const prisma = createPrismaClient(config.DATABASE_URL);
  useCounterLogger(logger);

  const subscriptions: Subscription<any>[] = [
    {
      pubsubName: COMPONENTS.pubsub, topic: TOPICS.skeletonGreetings, data: z.object({ greeting: z.string() }),
      handle: async (data, event) => {
        received.push({ topic: TOPICS.skeletonGreetings, eventId: event.id, data });
      },
    },
    {
      pubsubName: COMPONENTS.pubsub, topic: TOPICS.skeletonAlwaysFails, deadLetterTopic: TOPICS.skeletonDeadLetters,
      data: z.unknown(),
      handle: async (_data, event) => {
        failingAttempts.set(event.id, (failingAttempts.get(event.id) ?? 0) + 1);
        return DaprPubSubStatusEnum.RETRY;
      },
    },
    {
      pubsubName: COMPONENTS.pubsub, topic: TOPICS.skeletonDeadLetters, data: z.unknown(),
      handle: async (_data, event) => {
        await recordDeadLetter(prisma, {
          pubsubName: COMPONENTS.pubsub,
          topic: event.topic && event.topic !== TOPICS.skeletonDeadLetters ? event.topic : TOPICS.skeletonAlwaysFails,
          deadLetterTopic: TOPICS.skeletonDeadLetters,
          event,
          lastError: `subscriber of ${TOPICS.skeletonAlwaysFails} kept answering RETRY`,
          correlationId: currentCorrelationId(),
        });
      },
    },
  ];

  const workflows = new WorkflowRuntime({
    daprHost: config.DAPR_HOST, daprPort: String(config.DAPR_GRPC_PORT), daprApiToken: config.DAPR_API_TOKEN,
  });
  workflows.registerWorkflowWithName('approvalWorkflow', approvalWorkflow);
  for (const [name, activity] of Object.entries(createApprovalActivities({ providersUrl: config.PROVIDERS_URL }))) {
    workflows.registerActivityWithName(name, activity);
  }

  const dapr = createDaprClient(config, logger);
  const smsSchema = z.object({ to: z.string(), body: z.string(), idempotencyKey: z.string().min(1) });

  await startDaprApp({
    name: APP_IDS.skeleton,
    settings: config,
    // What clients reach through the gateway; the SDK's actor, pub/sub and config routes are not among them.
    invocablePaths: ['/skeleton/'],
    logger,
    readiness: [databaseReadiness(prisma)],
    subscriptions,
    actorSettings: { actorIdleTimeout: config.ACTOR_IDLE_TIMEOUT },
    routes: (app) => {
      app.get('/skeleton/received', (req, res) => {
        res.json(received.filter((r) => !req.query.topic || r.topic === req.query.topic));
      });
      app.get('/skeleton/failing-attempts', (_req, res) => {
        res.json(Object.fromEntries(failingAttempts));
      });
      app.get('/skeleton/actor-events', (_req, res) => {
        res.json(actorEvents);
      });
      app.post('/skeleton/sms', async (req, res) => {
        const sms = smsSchema.parse(req.body);
        try {
          const result = await dapr.binding.send(COMPONENTS.smsBinding, 'post', { to: sms.to, body: sms.body }, {
            path: '', 'Content-Type': 'application/json', 'Idempotency-Key': sms.idempotencyKey,
            'X-Correlation-Id': currentCorrelationId() ?? sms.idempotencyKey,
          });
          res.json({ sent: true, result });
        } catch (error) {
          res.status(502).json({ sent: false, error: error instanceof Error ? error.message : String(error) });
        }
      });
    },
    register: async (daprServer) => {
      await daprServer.actor.init();
      await daprServer.actor.registerActor(CounterActor);
    },
    afterStart: async () => {
      // The worker gives up for good if the sidecar's gRPC API is not up on its first try.
      await waitForSidecarOutbound(config);
      await workflows.start();
    },
    onShutdown: [() => workflows.stop(), () => dapr.stop(), () => prisma.$disconnect()],
  });
}

main().catch((error) => exitOnStartupFailure(undefined, error));
