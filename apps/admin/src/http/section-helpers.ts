/**
 * What every section does the same way: an app's refusal as a sentence, an app's answer read
 * for a page without ever throwing, and the outcome an action is recorded with.
 */
import type { Logger } from 'pino';
import { describeProblem } from '../domain/problem-words';
import { AppCallError, type ActionRecord } from './section';

/** An app's refusal (or no answer at all) as a sentence a person reads. */
export function problemSentence(err: unknown): string {
  if (err instanceof AppCallError) return describeProblem({ code: err.code, detail: err.detail, status: err.status });
  return describeProblem({ code: 'APP_UNREACHABLE', status: 502 });
}

/** What an app answered that the console cannot read (a newer or broken app): a sentence, never a 500. */
export const UNREADABLE_ANSWER = 'The service answered with something the console cannot read. Tell an operator if this keeps happening.';

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
