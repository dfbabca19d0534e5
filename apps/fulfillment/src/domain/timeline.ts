/**
 * An order's story as the fulfillment app recorded it (issue 13's timeline); pure. The order's
 * creation, each saga step and each compensation at the time the saga recorded it (with its data:
 * the authorization, the approver, the label), the order's end with who decided or cancelled, and
 * each seed-003 job. The approval wait's start has no row of its own (only its deadline): it is
 * not an event; the rejection has no time of its own beyond the order's end, so it is told there.
 */
import type { TimelineEvent, TimelinePart } from '@holdfast/shared';
import type { RecordedStep } from './order-view';
import { documentStepName } from './order-view';

export interface OrderFacts {
  order: {
    id: string; status: string; customerEmail: string; totalAmount: number; currency: string; correlationId: string | null; createdAt: Date; finishedAt: Date | null;
    completedSteps: unknown; compensations: unknown; error: string | null; approvedBy: string | null; rejectionReason: string | null; cancelledBy: unknown; decidedBy: unknown;
  };
  jobs: Array<{ id: string; type: string; status: string; attempts: number; lastError: string | null; createdAt: Date; updatedAt: Date; finishedAt: Date | null }>;
}

const steps = (json: unknown): RecordedStep[] => (Array.isArray(json) ? json.filter((s): s is RecordedStep => Boolean(s) && typeof s === 'object' && typeof (s as RecordedStep).at === 'string' && typeof (s as RecordedStep).step === 'string') : []);
const who = (json: unknown): string | undefined => {
  if (!json || typeof json !== 'object') return undefined;
  const j = json as { actor?: unknown; id?: unknown; kind?: unknown };
  return typeof j.actor === 'string' ? j.actor : typeof j.id === 'string' ? (j.kind === 'customer' ? `customer ${j.id}` : j.id) : undefined;
};
const PROVIDER_KEYS = ['labelId', 'captureId', 'authorizationId', 'authId', 'reservationId', 'refundId', 'notificationId'];
const providerOf = (data: Record<string, unknown> | undefined): string | undefined => {
  for (const key of PROVIDER_KEYS) if (typeof data?.[key] === 'string') return data[key] as string;
  return undefined;
};
const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

export function orderTimeline({ order, jobs }: OrderFacts): TimelinePart {
  const corr = order.correlationId ? { correlationId: order.correlationId } : {};
  const events: TimelineEvent[] = [
    { at: order.createdAt.toISOString(), app: 'fulfillment', kind: 'order.created', summary: `Order of ${money(order.totalAmount, order.currency)} placed by ${order.customerEmail}.`, ...corr },
    ...steps(order.completedSteps).map((s): TimelineEvent => {
      const providerId = providerOf(s.data);
      const approver = s.step === 'approval' && typeof s.data?.approvedBy === 'string' ? s.data.approvedBy : undefined;
      return {
        at: s.at, app: 'fulfillment', kind: 'saga.step', status: 'COMPLETED', summary: `Step ${documentStepName(s.step)} completed${s.data && Object.keys(s.data).length ? `: ${JSON.stringify(s.data)}` : ''}.`,
        ...(providerId ? { providerId } : {}), ...(approver ? { actor: approver } : {}), ...corr,
      };
    }),
    ...steps(order.compensations).map((s): TimelineEvent => {
      const providerId = providerOf(s.data);
      return { at: s.at, app: 'fulfillment', kind: 'compensation', status: 'COMPLETED', summary: `Undone: ${documentStepName(s.step)}${s.target ? ` (${s.target})` : ''}.`, ...(providerId ? { providerId } : {}), ...corr };
    }),
    ...jobs.map((j): TimelineEvent => ({
      at: (j.finishedAt ?? j.updatedAt).toISOString(), app: 'fulfillment', kind: 'job', status: j.status.toUpperCase(), attempt: j.attempts,
      summary: `Job ${j.type} ${j.status} after ${j.attempts} attempt(s).`, ...(j.lastError ? { error: j.lastError } : {}), ...corr,
    })),
  ];
  if (order.finishedAt) {
    const actor = order.status === 'cancelled' ? who(order.cancelledBy) : order.status === 'rejected' ? who(order.decidedBy) : undefined;
    const why = order.status === 'rejected' && order.rejectionReason ? `: ${order.rejectionReason}` : '';
    events.push({
      at: order.finishedAt.toISOString(), app: 'fulfillment', kind: `order.${order.status}`, status: order.status.toUpperCase(), summary: `Order ${order.status}${why}.`,
      ...(order.error ? { error: order.error } : {}), ...(actor ? { actor } : {}), ...corr,
    });
  }
  return { events, related: [{ kind: 'order', id: order.id, label: `${order.status}, ${money(order.totalAmount, order.currency)}` }] };
}
