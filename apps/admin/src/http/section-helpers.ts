/**
 * What every section does the same way: an app's refusal as a sentence, an app's answer read
 * for a page without ever throwing, the outcome an action is recorded with, the redirect a
 * refused form carries (a fixed code, put in words on the page), and the whole "call the app,
 * record the action, redirect back with a notice or a refusal" flow of a form post.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { z, ZodError } from 'zod';
import { AppError } from '@holdfast/shared';
import { describeProblem } from '../domain/problem-words';
import { AppCallError, type ActionRecord, type SectionContext } from './section';

/** What an app answered that the console cannot read (a newer or broken app): a sentence, never a 500. */
export const UNREADABLE_ANSWER = 'The service answered with something the console cannot read. Tell an operator if this keeps happening.';

/** An app's refusal (AppCallError) or the console's own (AppError, e.g. a confirmation that does not match). */
const refusalOf = (err: unknown): { status: number; code: string; detail: string } | undefined =>
  err instanceof AppCallError ? { status: err.status, code: err.code, detail: err.detail }
    : err instanceof AppError ? { status: err.status, code: err.code, detail: err.message } : undefined;

/** A refusal (or an answer the console cannot read, or a fault of its own) as a sentence a person reads. */
export function problemSentence(err: unknown): string {
  const refusal = refusalOf(err);
  if (refusal) return describeProblem(refusal);
  if (err instanceof ZodError) return UNREADABLE_ANSWER;
  return describeProblem({ status: 500 });
}

/** The refusal's problem code, or APP_UNREACHABLE when there was no answer to read one from. */
export const problemCode = (err: unknown): string => refusalOf(err)?.code ?? 'APP_UNREACHABLE';
/** A 4xx as it is; a 5xx, no answer or an unreadable one: 502 (the console is the gateway here). */
export const problemStatus = (err: unknown): number => {
  const status = refusalOf(err)?.status;
  return status !== undefined && status < 500 ? status : 502;
};
/** `refused` when the app (or the console) said no (4xx), `failed` when it broke or did not answer. */
export const outcomeOf = (err: unknown): 'refused' | 'failed' => (problemStatus(err) < 500 ? 'refused' : 'failed');

/** A problem code as a redirect may carry it (an app's RFC 9457 code or the console's own). */
export const PROBLEM_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * The query a refused action's redirect carries: which action, the code, the status. Only fixed
 * values (an action from the list, a code of capitals): the page puts them in words itself, so no
 * link can make it say anything.
 */
export function refusalQuerySchema<const A extends readonly [string, ...string[]]>(actions: A) {
  return z.object({
    refused: z.enum(actions),
    code: z.string().regex(PROBLEM_CODE),
    status: z.coerce.number().int().min(400).max(599).catch(400),
  });
}

/** `path?query` (then `#hash`), the query's empty values left out. */
export function withQuery(path: string, query: Record<string, string | undefined>, hash?: string): string {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
  return `${path}${params ? `?${params}` : ''}${hash ? `#${hash}` : ''}`;
}

export interface ActionFlow<T> {
  /** What is recorded (the outcome is added). */
  record: Omit<ActionRecord, 'outcome'>;
  /** The app call that does it. */
  run: () => Promise<T>;
  /** The page to go back to. */
  back: string;
  /** The query (and hash) back carries when it was done: fixed values the page turns into words. */
  done: { query: Record<string, string>; hash?: string };
  /** The action's name in the refusal's query (default: record.action). */
  refusedAs?: string;
  /** Besides refused, code and status, what back carries when it was not done (e.g. the review it concerns). */
  refusedExtra?: Record<string, string>;
  /** More to record when it was done, from what the app answered. */
  doneDetail?: (answer: T) => Record<string, unknown>;
}

/**
 * A form post's whole flow: call the app, record the action (ok, refused or failed), and redirect
 * back (303) with a fixed notice when it was done or with the action, the app's code and status
 * when it was not. A 4xx page would be a console error in the browser, and after a redirect a
 * reload does not post the form again.
 */
export async function actAndRedirect<T>(ctx: Pick<SectionContext, 'recordAction' | 'logger'>, req: Request, res: Response, flow: ActionFlow<T>): Promise<void> {
  let answer: T;
  try {
    answer = await flow.run();
  } catch (err) {
    const code = problemCode(err);
    const status = problemStatus(err);
    ctx.logger.warn({ action: flow.record.action, target: flow.record.target, status, code }, 'admin action refused');
    await ctx.recordAction(req, { ...flow.record, outcome: outcomeOf(err), detail: { ...flow.record.detail, code } });
    return res.redirect(303, withQuery(flow.back, { refused: flow.refusedAs ?? flow.record.action, code, status: String(status), ...flow.refusedExtra }));
  }
  await ctx.recordAction(req, { ...flow.record, outcome: 'ok', ...(flow.record.detail || flow.doneDetail ? { detail: { ...flow.record.detail, ...flow.doneDetail?.(answer) } } : {}) });
  ctx.logger.info({ action: flow.record.action, target: flow.record.target }, 'admin action done');
  res.redirect(303, withQuery(flow.back, flow.done.query, flow.done.hash));
}

/** A form the console refused itself (before any app saw it): recorded as refused, back with its fixed code. */
export async function refuseAndRedirect(ctx: Pick<SectionContext, 'recordAction'>, req: Request, res: Response, record: Omit<ActionRecord, 'outcome'>, back: string, code: string, extra: Record<string, string> = {}, refusedAs = record.action): Promise<void> {
  await ctx.recordAction(req, { ...record, outcome: 'refused', detail: { ...record.detail, code } });
  res.redirect(303, withQuery(back, { refused: refusedAs, code, status: '400', ...extra }));
}

export type Read<T> = { ok: T } | { error: string };

/**
 * An app's answer for a page: the parsed value, or why there is none as a sentence (a refusal, no
 * answer, or an answer of another shape). Never throws: one part of a page failing leaves the rest.
 */
export async function readAnswer<T>(answer: Promise<unknown>, parse: (body: unknown) => T, logger?: Logger): Promise<Read<T>> {
  let body: unknown;
  try {
    body = await answer;
  } catch (err) {
    return { error: problemSentence(err) };
  }
  try {
    return { ok: parse(body) };
  } catch (err) {
    logger?.warn({ err: err instanceof Error ? err.message.slice(0, 500) : String(err) }, 'an app answer the console cannot read');
    return { error: UNREADABLE_ANSWER };
  }
}

/**
 * A list an app answers a page at a time: the first `limit` items, and whether there are more
 * (its nextCursor, or one item beyond the limit asked for). A page never cuts a list silently.
 */
export function firstOf<T>(items: readonly T[], limit: number, nextCursor?: string | null): { items: T[]; more: boolean } {
  return { items: items.slice(0, limit), more: Boolean(nextCursor) || items.length > limit };
}

/** What a page says over a cut list. */
export const moreSentence = (shown: number, what: string): string => `Showing the first ${shown} ${what}; there are more, not shown here.`;
