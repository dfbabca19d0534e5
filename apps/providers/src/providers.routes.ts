/**
 * The simulated providers' HTTP surface: each operation validates its request, then lets chaos
 * decide (latency, a failure status, a timeout) unless a test token forces the outcome, answers
 * a repeated idempotency key with the first success, and records every call.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import seedrandom from 'seedrandom';
import type { Logger } from 'pino';
import { ChaosTable, type ChaosRule } from './domain/chaos';
import { CallLog, IdempotencyStore, type RecordedCall } from './domain/calls';
import { failureBody, OPERATIONS, operationKey, resourceView, type Operation, type SuccessAnswer } from './domain/operations';
import { ResourceStore } from './domain/resources';
import { deliveryView, type WebhookSender } from './domain/webhooks';
import { chaosUpdateSchema, type ChaosUpdate } from './chaos-config';
import { AppError, canonicalJson, currentCorrelationId } from '@holdfast/shared/src/base';
import { openApiDocument } from './openapi';

export interface ProvidersState {
  chaos: ChaosTable;
  calls: CallLog;
  answers: IdempotencyStore<SuccessAnswer & { requestFingerprint: string }>;
  /** Authorizations, captures, reservations, labels...: what each provider holds, with status histories. */
  resources: ResourceStore;
  /** Requests still being answered, per operation and key: a retry that arrives meanwhile waits for them. */
  inFlight: Map<string, Promise<unknown>>;
  seed: number;
  initial: ChaosUpdate;
  /** The payment account's webhook endpoint; none configured, no webhooks (PAYMENTS_WEBHOOK_URL). */
  webhooks?: WebhookSender;
}

/** `callLog`: the calls (PROVIDERS_CALL_LOG_MAX_CALLS) and request bodies (PROVIDERS_CALL_LOG_MAX_MB) the call log keeps at most. */
export function createProvidersState(initial: ChaosUpdate, webhooks?: WebhookSender, callLog: { maxCalls?: number; maxBytes?: number } = {}): ProvidersState {
  const seed = initial.seed ?? Date.now();
  return {
    chaos: new ChaosTable(seedrandom(String(seed)), initial.rules as Record<string, ChaosRule>),
    calls: new CallLog(callLog.maxCalls, callLog.maxBytes),
    answers: new IdempotencyStore(),
    resources: new ResourceStore(),
    inFlight: new Map(),
    seed,
    initial,
    webhooks,
  };
}

/**
 * The request's parameters, key order aside, as a digest: kept for every key for ever, and an
 * email's request carries its attachments (a kept copy of each was most of this app's memory).
 */
const fingerprint = (request: unknown) => createHash('sha256').update(canonicalJson(request)).digest('base64url');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function idempotencyKeyOf(req: Request): string | null {
  const fromHeader = req.header('idempotency-key');
  const body = req.body as { idempotencyKey?: unknown; custom_args?: { idempotency_key?: unknown } } | undefined;
  // SendGrid has no idempotency header: senders put their message key in custom_args (our stand-in honours it).
  const fromBody = body?.idempotencyKey ?? body?.custom_args?.idempotency_key;
  return fromHeader ?? (typeof fromBody === 'string' ? fromBody : null);
}

function send(res: Response, answer: SuccessAnswer) {
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  if (answer.body === '') res.status(answer.status).end();
  else res.status(answer.status).json(answer.body);
}

function handle(op: Operation, state: ProvidersState, logger: Logger) {
  const key = operationKey(op);
  return async (req: Request, res: Response) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const correlationId = currentCorrelationId() ?? null;
    // A retry that overtakes the first attempt (the caller timed out while we slept) waits for it,
    // then gets its answer if it succeeded: one effect per key, as at Stripe.
    const flightKey = idempotencyKey ? `${key}\u0000${idempotencyKey}` : undefined;
    // Several retries may wait for one attempt; when it ends, only one of them goes next.
    while (flightKey && state.inFlight.has(flightKey)) await state.inFlight.get(flightKey)!.catch(() => undefined);
    // The flight ends when this attempt's work ends, not when its caller hangs up: a caller killed
    // mid-call (its socket closes at once) retries while the first attempt still sleeps, and that
    // retry must wait for the first attempt's answer, not make a second effect.
    let release = () => {};
    if (flightKey) {
      let finish = () => {};
      const flight = new Promise<void>((resolve) => (finish = resolve));
      state.inFlight.set(flightKey, flight);
      release = () => {
        finish();
        if (state.inFlight.get(flightKey) === flight) state.inFlight.delete(flightKey);
      };
    }
    try {
      await attempt();
    } finally {
      release();
    }

    async function attempt() {
      const input = op.method === 'get' ? req.params : req.body ?? {};
      const base = { domain: op.domain, operation: op.operation, idempotencyKey, correlationId, request: input };
      const requestBytes = Number(req.headers['content-length'] ?? 0) || 0;
      const record = (call: Pick<RecordedCall, 'outcome' | 'status' | 'replayed'>) => state.calls.record({ ...base, ...call }, undefined, requestBytes);

      const parsed = op.request.safeParse(input);
      if (!parsed.success) {
        record({ outcome: '400', status: 400, replayed: false });
        res.status(400).json({ error: { type: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), status: 400 } });
        return;
      }
      const earlier = state.answers.get(key, idempotencyKey);
      if (earlier) {
        // As at Stripe: a key stands for one request; the same key with other parameters is refused.
        if (earlier.requestFingerprint !== fingerprint(parsed.data)) {
          record({ outcome: '422', status: 422, replayed: false });
          res.status(422).json({ error: { type: 'idempotency_error', message: 'This idempotency key was used with other parameters.', status: 422 } });
          return;
        }
        record({ outcome: 'ok', status: earlier.status, replayed: true });
        send(res, earlier);
        return;
      }
      const decision = state.chaos.decide(key);
      const outcome = op.forcedOutcome?.(parsed.data, state.resources) ?? decision.outcome;
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);

      if (outcome === 'ok') {
        const answer = op.succeed(parsed.data, {
          newId: (prefix) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`, resources: state.resources, workMs: decision.workMs,
        });
        // Only successes are remembered: a refusal (unknown id, wrong state) may not hold next time.
        const succeeded = answer.status < 300;
        if (succeeded) state.answers.remember(key, idempotencyKey, { ...answer, requestFingerprint: fingerprint(parsed.data) });
        record({ outcome: succeeded ? outcome : String(answer.status), status: answer.status, replayed: false });
        send(res, answer);
        // After the answer, as at Stripe: the event reaches the endpoint a little later (delayMs).
        if (succeeded && op.webhook && state.webhooks) {
          const event = op.webhook(parsed.data, answer);
          const delivery = state.webhooks.enqueue(event.type, event.object, idempotencyKey);
          logger.debug({ operation: key, eventId: delivery.event.id, type: event.type }, 'webhook queued');
        }
        return;
      }
      if (outcome === 'timeout') {
        // Recorded when received: the caller has given up long before we answer. A retry need not
        // wait for this attempt: it had no effect.
        record({ outcome, status: 504, replayed: false });
        release();
        await sleep(decision.timeoutMs);
        if (!res.writableEnded && !res.destroyed) res.status(504).json(failureBody(op.domain, 504));
        return;
      }
      const status = Number(outcome);
      record({ outcome, status, replayed: false });
      logger.debug({ operation: key, status }, 'chaos failure');
      res.status(status).json(failureBody(op.domain, status));
    }
  };
}

/** `admin`: whether /admin is served on this port too (not when PROVIDERS_ADMIN_PORT moves it): the document lists it only then. */
export function providersRouter(state: ProvidersState, logger: Logger, options: { admin?: boolean } = {}): Router {
  const router = Router();
  const openApi = openApiDocument({ admin: options.admin ?? true });
  router.get('/openapi.json', (_req, res) => void res.json(openApi));
  for (const op of OPERATIONS) router[op.method](op.path, handle(op, state, logger));
  return router;
}

/** The control surface tests and operators use: chaos rules and the record of calls. */
export function adminRouter(state: ProvidersState): Router {
  const router = Router();
  const view = () => ({ seed: state.seed, rules: state.chaos.snapshot(), operations: OPERATIONS.map(operationKey) });

  router.get('/chaos', (_req, res) => {
    res.json(view());
  });
  router.put('/chaos', (req, res) => {
    // A body is required (as the document says): a PUT without one is a mistake, not "change nothing".
    const update = chaosUpdateSchema.parse(req.body);
    const unknown = Object.keys(update.rules).filter((name) => !OPERATIONS.some((op) => operationKey(op) === name));
    if (unknown.length > 0) {
      throw new AppError(400, 'UNKNOWN_OPERATION', `No such operation: ${unknown.join(', ')}`, { operations: OPERATIONS.map(operationKey) });
    }
    state.chaos.merge(update.rules as Record<string, ChaosRule>);
    if (update.seed !== undefined) {
      state.seed = update.seed;
      state.chaos.reseed(seedrandom(String(update.seed)));
    }
    res.json(view());
  });
  /** Back to the rules and seed the app started with (its chaos file); the calls stay (DELETE /admin/calls). */
  router.delete('/chaos', (_req, res) => {
    state.seed = state.initial.seed ?? Date.now();
    state.chaos.reset(state.initial.rules as Record<string, ChaosRule>, seedrandom(String(state.seed)));
    res.json(view());
  });
  router.get('/calls', (req, res) => {
    const filter = {
      domain: typeof req.query.domain === 'string' ? req.query.domain : undefined,
      operation: typeof req.query.operation === 'string' ? req.query.operation : undefined,
      idempotencyKey: typeof req.query.idempotencyKey === 'string' ? req.query.idempotencyKey : undefined,
    };
    res.json({ calls: state.calls.list(filter) });
  });
  router.get('/resources', (req, res) => {
    const filter = {
      reference: typeof req.query.reference === 'string' ? req.query.reference : undefined,
      kind: typeof req.query.kind === 'string' ? req.query.kind : undefined,
    };
    res.json({ resources: state.resources.list(filter).map((r) => resourceView(r, state.resources)) });
  });
  router.delete('/resources', (_req, res) => {
    state.resources.clear();
    res.status(204).end();
  });
  router.delete('/calls', (_req, res) => {
    state.calls.clear();
    state.answers.clear();
    res.status(204).end();
  });
  /** The webhook deliveries: event, attempts, last status. Empty (`enabled: false`) without PAYMENTS_WEBHOOK_URL. */
  router.get('/webhooks', (req, res) => {
    const filter = {
      type: typeof req.query.type === 'string' ? req.query.type : undefined,
      objectId: typeof req.query.objectId === 'string' ? req.query.objectId : undefined,
      status: typeof req.query.status === 'string' ? req.query.status : undefined,
    };
    res.json({ enabled: Boolean(state.webhooks), url: state.webhooks?.settings.url ?? null, deliveries: (state.webhooks?.list(filter) ?? []).map(deliveryView) });
  });
  /** Sends a recorded event once more, now: the same id and body, freshly signed (a redelivery). Answers once the endpoint has. */
  router.post('/webhooks/:eventId/resend', async (req, res) => {
    const delivery = await state.webhooks?.resend(String(req.params.eventId));
    if (!delivery) throw new AppError(404, 'WEBHOOK_EVENT_NOT_FOUND', `No webhook event ${req.params.eventId}.`);
    res.json({ ...deliveryView(delivery), attempt: delivery.attempts.at(-1) });
  });
  /** Forgets the deliveries and cancels their pending retries. */
  router.delete('/webhooks', (_req, res) => {
    state.webhooks?.clear();
    res.status(204).end();
  });
  return router;
}

