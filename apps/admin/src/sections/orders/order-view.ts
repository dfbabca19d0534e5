/**
 * What the order pages show, worked out from fulfillment's status answer (GET /workflows/:id/status,
 * orderView in apps/fulfillment/src/http/orders.routes.ts): which actions the state allows, the
 * label's progress, the time left before an approval times out, and a refused action in words.
 * Pure: no express, no apps client.
 */

/** The part of fulfillment's order view the console reads (amounts in major units). */
export interface OrderStep {
  name: string;
  status?: string;
  timestamp: string;
  data?: Record<string, unknown>;
  target?: string;
}

export interface OrderView {
  orderId: string;
  customerId: string;
  status: string;
  progress: number;
  currentStep: string | null;
  completedSteps: OrderStep[];
  compensations: OrderStep[];
  error: string | null;
  totalAmount: number;
  currency: string;
  approvedBy?: string | null;
  rejectionReason?: string | null;
  cancelledBy?: { kind: string; id: string } | null;
  /** When an order awaiting approval times out (the OrderActor's due time); absent on older apps. */
  approvalDueAt?: string | null;
  createdAt: string;
  updatedAt?: string;
  finishedAt?: string | null;
}

export const FINAL_STATUSES: readonly string[] = ['shipped', 'rejected', 'failed', 'cancelled'];

/** Fulfillment's statuses as a person reads them. */
export const STATUS_LABELS: Readonly<Record<string, string>> = {
  pending_dp: 'Awaiting down payment',
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  rejected: 'Rejected',
  processing: 'Processing',
  shipped: 'Shipped',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const statusLabel = (status: string) => STATUS_LABELS[status] ?? status;

export interface AllowedActions {
  approve: boolean;
  reject: boolean;
  cancel: boolean;
}

/** Approve and reject while a manager is awaited; cancel until the order has finished. */
export function allowedActions(order: Pick<OrderView, 'status' | 'finishedAt'>): AllowedActions {
  const open = !FINAL_STATUSES.includes(order.status) && !order.finishedAt;
  const awaiting = order.status === 'awaiting_approval';
  return { approve: open && awaiting, reject: open && awaiting, cancel: open };
}

/** Progress the saga reports while it makes the label: 60 (captured) to 90 (label done). */
const LABEL_FROM = 60;
const LABEL_TO = 90;

/**
 * The label's own progress (0-100) when the saga has reached it, else null: from the order's
 * progress while the label is being made, 100 once the label step completed.
 */
export function labelProgress(order: Pick<OrderView, 'progress' | 'currentStep' | 'completedSteps'>): number | null {
  if (order.completedSteps.some((s) => s.name === 'shipping_label')) return 100;
  if (order.currentStep !== 'shipping_label') return null;
  const within = Math.round(((order.progress - LABEL_FROM) / (LABEL_TO - LABEL_FROM)) * 100);
  return Math.max(0, Math.min(100, within));
}

/** "1 min 05 s", "45 s", "2 h 03 min"; "timed out" at or past zero. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return 'timed out';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(rest).padStart(2, '0')} s`;
  return `${rest} s`;
}

export interface TimeLeft {
  /** The due time as sent (ISO), or null when unknown. */
  dueAt: string | null;
  /** Whole seconds left (0 when past), null when unknown. */
  seconds: number | null;
  text: string;
}

/** The time left before an approval times out; "unknown" when the app did not say when. */
export function timeLeft(dueAt: string | null | undefined, now: Date): TimeLeft {
  const due = dueAt ? Date.parse(dueAt) : Number.NaN;
  if (!dueAt || Number.isNaN(due)) return { dueAt: null, seconds: null, text: 'unknown' };
  const seconds = Math.max(0, Math.floor((due - now.getTime()) / 1000));
  return { dueAt: new Date(due).toISOString(), seconds, text: formatDuration(seconds) };
}

export type OrderAction = 'approve' | 'reject' | 'cancel';

const VERBS: Record<OrderAction, string> = { approve: 'approved', reject: 'rejected', cancel: 'cancelled' };

/** Why the order is where it is, as the end of a sentence ("it was already rejected"). */
export function stateClause(order: Pick<OrderView, 'status' | 'error' | 'rejectionReason'>): string {
  switch (order.status) {
    case 'rejected': return order.rejectionReason ? `it was already rejected (${order.rejectionReason})` : 'it was already rejected';
    case 'approved':
    case 'processing': return 'it was already approved and is being processed';
    case 'shipped': return 'it has already shipped';
    case 'cancelled': return 'it was already cancelled';
    case 'failed': return order.error?.includes('approval timeout') ? 'it timed out waiting for approval' : `it failed${order.error ? ` (${order.error})` : ''}`;
    case 'pending_dp': return 'it is still waiting for its down payment';
    case 'awaiting_approval': return 'it is awaiting approval';
    default: return `its status is ${order.status}`;
  }
}

/** The reasons fulfillment gives for refusing a manager's action (its 409 codes), in words. */
const REFUSAL_CLAUSES: Readonly<Record<string, string>> = {
  NOT_AWAITING_APPROVAL: 'it is not awaiting approval',
  NOT_AWAITING_PAYMENT: 'it is not awaiting a down payment',
  ORDER_FINISHED: 'it has already finished',
  ORDER_ENDING: 'it is already being undone (rejected, timed out or unpaid)',
};

/**
 * A refused action as one sentence: "This order can no longer be approved: it was already rejected."
 * The order as read after the refusal says why, when it was read; else the refusal's code does.
 */
export function refusalSentence(action: OrderAction, refusal: { status: number; code: string; detail?: string }, current?: Pick<OrderView, 'status' | 'error' | 'rejectionReason'>): string {
  if (refusal.status === 409) {
    const why = current && current.status !== 'awaiting_approval' ? stateClause(current) : REFUSAL_CLAUSES[refusal.code] ?? 'its state does not allow it any more';
    return `This order can no longer be ${VERBS[action]}: ${why}.`;
  }
  if (refusal.status === 404) return 'This order does not exist (any more).';
  if (refusal.status === 401 || refusal.status === 403) return `The order could not be ${VERBS[action]}: the console's manager credential was refused by fulfillment.`;
  if (refusal.status === 400) return `The order could not be ${VERBS[action]}: fulfillment did not accept the request${refusal.detail ? ` (${refusal.detail})` : ''}.`;
  return `The order could not be ${VERBS[action]}: fulfillment did not answer. Try again in a moment.`;
}

/**
 * A form the console itself refused (before fulfillment saw it): a fixed code in the redirect, put
 * in words here. The query string never carries text to show, so no link can make the page say anything.
 */
export const FORM_REFUSALS = {
  REASON_REQUIRED: 'Give a reason for the rejection. The order was not rejected.',
  REASON_TOO_LONG: 'A reason is at most 500 characters. The order was not rejected.',
  FORM_INVALID: 'The form was not valid, so nothing was done. Reload the page and try again.',
} as const;
export type FormRefusalCode = keyof typeof FORM_REFUSALS;

/** The code of a refused order form, from its first zod issue (reason: missing or too long). */
export function formRefusalCode(issue: { path: ReadonlyArray<PropertyKey>; code: string } | undefined): FormRefusalCode {
  if (issue?.path[0] !== 'reason') return 'FORM_INVALID';
  return issue.code === 'too_big' ? 'REASON_TOO_LONG' : 'REASON_REQUIRED';
}

export const isFormRefusal = (code: string | undefined): code is FormRefusalCode => code !== undefined && Object.hasOwn(FORM_REFUSALS, code);
