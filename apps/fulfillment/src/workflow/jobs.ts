/**
 * Seed 003's jobs in workflow code: `callJob` runs a job's activity with the document's retry
 * schedule (by default 5 s, 30 s, 5 min: at most 3 retries) as durable workflow timers, telling
 * each attempt its number and whether a retry is left (so the ledger counts retries and marks a
 * job dead). `OrderJob` is a one-job workflow for the jobs asked for by hand (POST /api/test-queue):
 * a WhatsApp message or a stock release, run and retried the same way. Only ctx calls here.
 */
import type { Task, WorkflowContext } from '@dapr/dapr';
import { isNonRetryable } from '@holdfast/shared';
import type { JobType } from '../domain/jobs';
import { ORDER_ACTIVITIES as A } from './order-fulfillment.activities';

export const ORDER_JOB_WORKFLOW = 'OrderJob';

export async function* callJob<O>(ctx: WorkflowContext, activity: string, input: object, job: { id: string; type: JobType }, retryDelaysSeconds: readonly number[]): AsyncGenerator<Task<unknown>, O, any> {
  for (let attempt = 1; ; attempt++) {
    const lastAttempt = attempt > retryDelaysSeconds.length;
    try {
      return (yield ctx.callActivity(activity as never, { ...input, job, attempt, lastAttempt })) as O;
    } catch (error) {
      if (lastAttempt || isNonRetryable(error)) throw error;
      yield ctx.createTimer(retryDelaysSeconds[attempt - 1]!);
    }
  }
}

export type OrderJobInput =
  | { job: { id: string; type: 'NOTIFICATION_SEND_WHATSAPP' }; orderId: string; correlationId: string; to: string; message: string; retryDelaysSeconds: number[] }
  | { job: { id: string; type: 'STOCK_RELEASE' }; correlationId: string; productId: string; quantity: number; retryDelaysSeconds: number[] };

export interface OrderJobOutput {
  status: 'completed' | 'dead';
  result?: unknown;
  error?: string;
}

export async function* orderJob(ctx: WorkflowContext, input: OrderJobInput): AsyncGenerator<Task<unknown>, OrderJobOutput, any> {
  const { retryDelaysSeconds, job, ...rest } = input;
  const activity = job.type === 'STOCK_RELEASE' ? A.releaseStock : A.sendWhatsApp;
  try {
    return { status: 'completed', result: yield* callJob(ctx, activity, rest, job, retryDelaysSeconds) };
  } catch (error) {
    return { status: 'dead', error: error instanceof Error ? error.message : String(error) };
  }
}
