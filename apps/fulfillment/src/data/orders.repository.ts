/**
 * The orders read model (PostgreSQL): written by the saga's activities as the workflow moves,
 * read by the status and search endpoints. Every write is idempotent, because an activity may run
 * again after a crash: a step is recorded once, however often it is written.
 */
import { Prisma, type PrismaClient } from '@holdfast/shared';
import { mergeSteps, type OrderInput, type OrderStatus, type StepMove, type StepRecord } from '../domain/order';

export type { StepMove, StepRecord } from '../domain/order';

export interface NewOrder {
  input: OrderInput;
  totalMinor: number;
  approvalTimeoutSeconds: number;
  correlationId?: string;
}

export interface OrderSearch {
  orderId?: string;
  customerId?: string;
  /** Any of these statuses. */
  statuses?: OrderStatus[];
  /** Exactly this total (the document's `totalAmount` search attribute), and/or within bounds. */
  amountMinor?: number;
  minAmountMinor?: number;
  maxAmountMinor?: number;
  from?: Date;
  to?: Date;
  limit: number;
  /** The last order of the previous page (created_at then id), for keyset paging. */
  after?: { createdAt: Date; id: string };
}

export function createOrdersRepository(prisma: PrismaClient) {
  /** Several completed steps in one statement, as if each were recorded in turn (domain/order.ts mergeSteps). */
  async function completeSteps(orderId: string, records: StepRecord[], ...moves: StepMove[]) {
    const { records: kept, progress, currentStep, status, approvedBy } = mergeSteps(records, moves);
    await prisma.$executeRaw`
      UPDATE orders SET
        completed_steps = COALESCE((SELECT jsonb_agg(e) FROM jsonb_array_elements(completed_steps) e WHERE e->>'step' NOT IN (SELECT jsonb_array_elements_text(${JSON.stringify(kept.map((r) => r.step))}::jsonb))), '[]'::jsonb) || ${JSON.stringify(kept)}::jsonb,
        progress = GREATEST(progress, ${progress}::int),
        current_step = ${currentStep},
        status = COALESCE(${status}::"OrderStatus", status),
        approved_by = COALESCE(${approvedBy}, approved_by),
        updated_at = now()
      WHERE id = ${orderId} AND finished_at IS NULL`;
  }

  return {
    /** Inserts the order, or finds the one already there: `created` says which. */
    async createOrFind(order: NewOrder) {
      try {
        const created = await prisma.order.create({
          data: {
            id: order.input.orderId, instanceId: order.input.orderId, customerId: order.input.customerId, customerEmail: order.input.customerEmail, customerPhone: order.input.customerPhone ?? null,
            items: order.input.items as unknown as Prisma.InputJsonValue, totalAmount: order.totalMinor, currency: order.input.currency,
            shippingAddress: order.input.shippingAddress as unknown as Prisma.InputJsonValue, approvalTimeoutSeconds: order.approvalTimeoutSeconds,
            correlationId: order.correlationId, currentStep: order.input.downPayment ? 'reserve' : 'authorize',
            downPaymentAmount: order.input.downPayment ? Math.round(order.input.downPayment.amount * 100) : null,
          },
        });
        return { order: created, created: true };
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          return { order: await prisma.order.findUniqueOrThrow({ where: { id: order.input.orderId } }), created: false };
        }
        throw error;
      }
    },

    find(orderId: string) {
      return prisma.order.findUnique({ where: { id: orderId } });
    },

    /**
     * Records a completed step (replacing an earlier record of the same step) and moves the
     * order on: one statement, no read-modify-write race.
     */
    async completeStep(orderId: string, record: StepRecord, next: StepMove) {
      await completeSteps(orderId, [record], next);
    },

    completeSteps,

    /** Progress within a step (the label being made); never moves backwards. */
    async reportProgress(orderId: string, progress: number, currentStep: string, status?: OrderStatus) {
      await prisma.$executeRaw`
        UPDATE orders SET progress = GREATEST(progress, ${progress}::int), current_step = ${currentStep},
          status = COALESCE(${status ?? null}::"OrderStatus", status), updated_at = now()
        WHERE id = ${orderId} AND finished_at IS NULL`;
    },

    /** When the approval wait times out (the OrderActor's deadline); the first write stays. */
    async recordApprovalDue(orderId: string, dueAt: Date) {
      await prisma.$executeRaw`UPDATE orders SET approval_due_at = COALESCE(approval_due_at, ${dueAt}) WHERE id = ${orderId}`;
    },

    /** Records an undo action once (by action and target). */
    async recordCompensation(orderId: string, record: StepRecord & { target: string }) {
      await prisma.$executeRaw`
        UPDATE orders SET
          compensations = COALESCE((SELECT jsonb_agg(e) FROM jsonb_array_elements(compensations) e WHERE NOT (e->>'step' = ${record.step} AND e->>'target' = ${record.target})), '[]'::jsonb) || jsonb_build_array(${JSON.stringify(record)}::jsonb),
          updated_at = now()
        WHERE id = ${orderId}`;
    },

    /**
     * The end: final status, error, and the time; a finished order is not changed again. Answers
     * how long the order took when this call finished it, null when it was finished already.
     */
    async finish(orderId: string, outcome: { status: OrderStatus; error?: string; rejectionReason?: string; progress?: number }): Promise<{ durationMs: number } | null> {
      const rows = await prisma.$queryRaw<Array<{ duration_ms: number }>>`
        UPDATE orders SET status = ${outcome.status}::"OrderStatus", error = ${outcome.error ?? null}, rejection_reason = COALESCE(${outcome.rejectionReason ?? null}, rejection_reason),
          current_step = NULL, finished_at = now(), progress = COALESCE(${outcome.progress ?? null}::int, progress), updated_at = now()
        WHERE id = ${orderId} AND finished_at IS NULL
        RETURNING (extract(epoch FROM finished_at - created_at) * 1000)::float8 AS duration_ms`;
      return rows[0] ? { durationMs: Number(rows[0].duration_ms) } : null;
    },

    /**
     * Who cancelled, as the OrderActor answered it (the first canceller, whoever asks again): the
     * first write stays. Written by the route after the actor accepted the cancel.
     */
    async recordCancelledBy(orderId: string, by: { kind: 'customer' | 'manager'; id: string }) {
      await prisma.$executeRaw`
        UPDATE orders SET cancelled_by = ${JSON.stringify(by)}::jsonb, updated_at = now() WHERE id = ${orderId} AND cancelled_by IS NULL`;
    },

    /** The manager credential that approved or rejected (the decision the OrderActor accepted), and the person it named (`actor`) when another. */
    async recordDecidedBy(orderId: string, by: { kind: 'manager'; id: string; action: 'approve' | 'reject'; actor?: string }) {
      await prisma.$executeRaw`
        UPDATE orders SET decided_by = ${JSON.stringify(by)}::jsonb, updated_at = now() WHERE id = ${orderId} AND decided_by IS NULL`;
    },

    /** Newest first, keyset-paged. */
    search(query: OrderSearch) {
      const where: Prisma.OrderWhereInput = {
        id: query.orderId,
        customerId: query.customerId,
        status: query.statuses ? { in: query.statuses } : undefined,
        totalAmount: query.amountMinor !== undefined || query.minAmountMinor !== undefined || query.maxAmountMinor !== undefined
          ? { equals: query.amountMinor, gte: query.minAmountMinor, lte: query.maxAmountMinor } : undefined,
        createdAt: query.from || query.to ? { gte: query.from, lte: query.to } : undefined,
        ...(query.after ? { OR: [{ createdAt: { lt: query.after.createdAt } }, { createdAt: query.after.createdAt, id: { lt: query.after.id } }] } : {}),
      };
      return prisma.order.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
    },
  };
}
export type OrdersRepository = ReturnType<typeof createOrdersRepository>;
