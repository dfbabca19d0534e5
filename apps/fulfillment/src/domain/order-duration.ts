/**
 * How long an order without a down payment can take, at worst, from the settings: seed 002's
 * "workflow timeout: 30 minutes" as a bound the saga's own timers keep, not a second timer racing
 * them. Every wait of the saga is bounded (the approval reminder, the label deadline, each
 * activity's retry policy, the compensations' retries); their worst cases add up to the longest an
 * order can run, and the app refuses settings (and orders) whose worst case exceeds
 * WORKFLOW_TIMEOUT_SECONDS.
 *
 * The retry policies live here so that the saga (workflow/order-fulfillment.v2.workflow.ts) and
 * this bound read the same figures. Down-payment orders follow seed 003's timers (30 minutes to pay,
 * 24 hours to validate) and are not bounded by this. Pure: no Dapr, express or Prisma.
 */
import { retryPolicySchema, retrySchedule, type RetryPolicy } from '@holdfast/shared';

/** Retry policies per provider (attempts include the first): payment 3 retries at 1 s, 2 s, 4 s; inventory 2; shipping 5. */
export const ORDER_RETRY_POLICIES = {
  payment: retryPolicySchema.parse({ maxAttempts: 4, firstRetryIntervalMs: 1000, backoffCoefficient: 2 }),
  inventory: retryPolicySchema.parse({ maxAttempts: 3, firstRetryIntervalMs: 1000, backoffCoefficient: 2 }),
  shipping: retryPolicySchema.parse({ maxAttempts: 6, firstRetryIntervalMs: 1000, backoffCoefficient: 2, maxRetryIntervalMs: 10_000 }),
  notification: retryPolicySchema.parse({ maxAttempts: 4, firstRetryIntervalMs: 1000, backoffCoefficient: 2 }),
  /** Our own actor and database: quick retries ride out a restart. */
  local: retryPolicySchema.parse({ maxAttempts: 6, firstRetryIntervalMs: 500, backoffCoefficient: 2 }),
  /** Asking an unanswered step again: as patient as a payment call, then the doubt is recorded for a person. */
  reconcile: retryPolicySchema.parse({ maxAttempts: 4, firstRetryIntervalMs: 1000, backoffCoefficient: 2 }),
  /** Undo must happen: longer, capped at 30 s between attempts (about 4 minutes in all). */
  compensation: retryPolicySchema.parse({ maxAttempts: 12, firstRetryIntervalMs: 1000, backoffCoefficient: 2, maxRetryIntervalMs: 30_000 }),
} satisfies Record<string, RetryPolicy>;

/** Seed 002: "Workflow timeout: 30 minutes". */
export const DEFAULT_WORKFLOW_TIMEOUT_SECONDS = 1_800;

/** The settings an order's worst case depends on (the env names in `SETTING`). */
export interface OrderTimingSettings {
  /** APPROVAL_TIMEOUT_SECONDS, or the order's own approvalTimeoutSeconds. */
  approvalTimeoutSeconds: number;
  /** PROVIDER_TIMEOUT_MS: the longest a provider call takes before it counts as failed. */
  providerTimeoutMs: number;
  /** LABEL_POLL_SECONDS and LABEL_DEADLINE_SECONDS. */
  labelPollSeconds: number;
  labelDeadlineSeconds: number;
}

const SETTING = {
  approval: 'APPROVAL_TIMEOUT_SECONDS (or the order\'s approvalTimeoutSeconds)',
  provider: 'PROVIDER_TIMEOUT_MS',
  label: 'LABEL_DEADLINE_SECONDS + LABEL_POLL_SECONDS',
} as const;

/** One wait of the saga and the settings it grows with. */
export interface DurationPart {
  name: string;
  seconds: number;
  settings: string[];
}

export interface WorstCase {
  seconds: number;
  /** The path through the saga that takes longest. */
  path: 'shipped' | 'undone after the label' | 'undone after an unanswered capture';
  parts: DurationPart[];
}

/**
 * The longest an activity called with `policy` takes before it succeeds or fails for good: every
 * attempt runs into the provider timeout (`providerCalls` calls per attempt; 0 for our own database
 * and actor, which have no timeout of their own and are counted by their waits only), plus every
 * wait between attempts: attempts x (timeout) + the backoff.
 */
export function activityWorstSeconds(policy: RetryPolicy, providerCalls: number, providerTimeoutMs: number): number {
  const backoffMs = retrySchedule(policy).reduce((sum, ms) => sum + ms, 0);
  return (policy.maxAttempts * providerCalls * providerTimeoutMs + backoffMs) / 1000;
}

/**
 * The worst case of an order without a down payment that waits for its manager: the longest of
 * its three slowest paths (an auto-approved order skips the approval and takes less).
 *  - shipped: authorize, a decision just before the approval timeout, reserve, capture, the label (started, then checked every LABEL_POLL_SECONDS until LABEL_DEADLINE_SECONDS: the
 *    last check starts before the deadline and may take a shipping call's worst case), the
 *    notification, and the record of its failure;
 *  - undone after the label: the same up to the label's deadline, then cancelLabel, refundCapture
 *    and releaseReservation, each on the compensation policy, then the final record;
 *  - undone after an unanswered capture: up to the capture, then releaseReservation and
 *    releaseAuthorization (which may capture and refund what the unanswered capture took: three
 *    provider calls an attempt), then the final record.
 * A rejection, an approval timeout, a refusal or a cancel stops earlier and undoes less.
 */
export function worstCaseOrderSeconds(settings: OrderTimingSettings): WorstCase {
  const P = ORDER_RETRY_POLICIES;
  const t = settings.providerTimeoutMs;
  const call = (name: string, policy: RetryPolicy, providerCalls: number): DurationPart => ({
    name, seconds: activityWorstSeconds(policy, providerCalls, t), settings: providerCalls > 0 ? [SETTING.provider] : [],
  });
  const authorize = call('authorize (payment policy)', P.payment, 1);
  const approval: DurationPart = { name: 'manager approval', seconds: settings.approvalTimeoutSeconds, settings: [SETTING.approval] };
  const reserve = call('reserve (inventory policy)', P.inventory, 1);
  const capture = call('capture (payment policy)', P.payment, 1);
  const startLabel = call('label start (shipping policy)', P.shipping, 1);
  const labelWait: DurationPart = {
    name: 'label checks until the deadline',
    seconds: settings.labelDeadlineSeconds + settings.labelPollSeconds + activityWorstSeconds(P.shipping, 1, t),
    settings: [SETTING.label, SETTING.provider],
  };
  const finish = call('final record (compensation policy)', P.compensation, 0);
  const throughCapture = [authorize, approval, reserve, capture];
  const throughLabel = [...throughCapture, startLabel, labelWait];
  const undo = (name: string, providerCalls: number) => call(`${name} (compensation policy)`, P.compensation, providerCalls);
  const paths: Array<Omit<WorstCase, 'seconds'>> = [
    { path: 'shipped', parts: [...throughLabel, call('notification (notification policy)', P.notification, 1), finish] },
    { path: 'undone after the label', parts: [...throughLabel, undo('cancelLabel', 1), undo('refundCapture', 1), undo('releaseReservation', 1), finish] },
    { path: 'undone after an unanswered capture', parts: [...throughCapture, undo('releaseReservation', 1), undo('releaseAuthorization, capture and refund', 3), finish] },
  ];
  const sum = (parts: DurationPart[]) => parts.reduce((total, part) => total + part.seconds, 0);
  const longest = paths.reduce((a, b) => (sum(b.parts) > sum(a.parts) ? b : a));
  return { ...longest, seconds: sum(longest.parts) };
}

/**
 * The longest approval timeout an order may ask for (approvalTimeoutSeconds) and still end within
 * `workflowTimeoutSeconds`: what the rest of the saga leaves. 0 when the rest alone exceeds it.
 */
export function maxApprovalTimeoutSeconds(settings: Omit<OrderTimingSettings, 'approvalTimeoutSeconds'>, workflowTimeoutSeconds: number): number {
  const rest = worstCaseOrderSeconds({ ...settings, approvalTimeoutSeconds: 0 }).seconds;
  return Math.max(0, Math.floor(workflowTimeoutSeconds - rest));
}

/**
 * Undefined when the settings' worst case fits in `workflowTimeoutSeconds`; else a sentence naming
 * the settings it grows with, the largest share first (the app refuses to start with it).
 */
export function workflowTimeoutProblem(settings: OrderTimingSettings, workflowTimeoutSeconds: number): string | undefined {
  const worst = worstCaseOrderSeconds(settings);
  if (worst.seconds <= workflowTimeoutSeconds) return undefined;
  const bySetting = new Map<string, number>();
  for (const part of worst.parts) {
    const name = part.settings[0] ?? 'the retry policies\' waits';
    bySetting.set(name, (bySetting.get(name) ?? 0) + part.seconds);
  }
  const shares = [...bySetting].sort((a, b) => b[1] - a[1]).map(([name, seconds]) => `${name}: ${Math.round(seconds)} s`).join(', ');
  return `WORKFLOW_TIMEOUT_SECONDS: an order without a down payment can take up to ${Math.ceil(worst.seconds)} s (${worst.path}), more than WORKFLOW_TIMEOUT_SECONDS ${workflowTimeoutSeconds}; `
    + `lower the settings that exceed it (${shares}) or raise WORKFLOW_TIMEOUT_SECONDS`;
}
