import { z } from 'zod';
import { AppError } from '@holdfast/shared';
import { actAndRedirect, firstOf, moreSentence, outcomeOf, problemCode, problemSentence, problemStatus, readAnswer, refusalQuerySchema, refuseAndRedirect, UNREADABLE_ANSWER, withQuery } from './section-helpers';
import { AppCallError } from './section';

describe('section helpers', () => {
  it('puts an app\'s refusal, or no answer at all, in words', () => {
    expect(problemSentence(new AppCallError(404, 'SHOW_NOT_FOUND', '', 'booking'))).toBe('That show does not exist.');
    expect(problemSentence(new AppError(400, 'REASON_REQUIRED', 'Give a reason.'))).toBe('Give a reason.');
    expect(problemSentence(new z.ZodError([]))).toBe(UNREADABLE_ANSWER);
    expect(problemSentence(new TypeError('x is undefined'))).toBe('Something went wrong on the server. Try again; if it keeps happening, tell an operator.');
  });

  it('reads an answer for a page: the value, a refusal as a sentence, and an answer of another shape as a sentence (never a throw)', async () => {
    const schema = z.object({ deadLetters: z.array(z.object({ id: z.string() })) });
    const parse = (a: unknown) => schema.parse(a).deadLetters;
    await expect(readAnswer(Promise.resolve({ deadLetters: [{ id: 'a' }] }), parse)).resolves.toEqual({ ok: [{ id: 'a' }] });
    await expect(readAnswer(Promise.reject(new AppCallError(409, 'DEAD_LETTER_ALREADY_REPLAYED', '', 'delivery')), parse)).resolves.toEqual({ error: 'That dead letter has already been replayed.' });
    const warn = jest.fn();
    await expect(readAnswer(Promise.resolve({ deadLetters: 'nope' }), parse, { warn } as never)).resolves.toEqual({ error: UNREADABLE_ANSWER });
    await expect(readAnswer(Promise.resolve('<html>'), parse)).resolves.toEqual({ error: UNREADABLE_ANSWER });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('says when a list was cut: a next cursor, or one item beyond the limit asked for', () => {
    expect(firstOf([1, 2, 3], 3)).toEqual({ items: [1, 2, 3], more: false });
    expect(firstOf([1, 2, 3, 4], 3)).toEqual({ items: [1, 2, 3], more: true });
    expect(firstOf([1, 2], 2, 'c1')).toEqual({ items: [1, 2], more: true });
    expect(firstOf([1, 2], 2, null)).toEqual({ items: [1, 2], more: false });
    expect(moreSentence(100, 'open reviews')).toBe('Showing the first 100 open reviews; there are more, not shown here.');
  });

  it('tells refused from failed, with the code and status a redirect carries', () => {
    const refused = new AppCallError(409, 'NOT_AWAITING_APPROVAL', '', 'fulfillment');
    const broke = new AppCallError(503, 'APP_UNREACHABLE', 'fulfillment could not be reached', 'fulfillment');
    expect([outcomeOf(refused), problemCode(refused), problemStatus(refused)]).toEqual(['refused', 'NOT_AWAITING_APPROVAL', 409]);
    expect([outcomeOf(broke), problemCode(broke), problemStatus(broke)]).toEqual(['failed', 'APP_UNREACHABLE', 502]);
    expect([outcomeOf(new AppError(400, 'CONFIRMATION_MISMATCH', 'no')), problemCode(new AppError(400, 'CONFIRMATION_MISMATCH', 'no'))]).toEqual(['refused', 'CONFIRMATION_MISMATCH']);
    expect([outcomeOf(new Error('bug')), problemCode(new Error('bug')), problemStatus(new Error('bug'))]).toEqual(['failed', 'APP_UNREACHABLE', 502]);
  });

  it('reads a refusal from a query only with a listed action and a code of capitals', () => {
    const schema = refusalQuerySchema(['approve', 'reject']);
    expect(schema.parse({ refused: 'approve', code: 'NOT_AWAITING_APPROVAL', status: '409' })).toEqual({ refused: 'approve', code: 'NOT_AWAITING_APPROVAL', status: 409 });
    expect(schema.parse({ refused: 'reject', code: 'X', status: 'oops' }).status).toBe(400);
    expect(schema.safeParse({ refused: 'approve', code: 'Your account was hacked, call 555' }).success).toBe(false);
    expect(schema.safeParse({ refused: 'delete', code: 'X' }).success).toBe(false);
    expect(withQuery('/orders/o-1', { refused: 'approve', code: 'X', order: undefined }, 'top')).toBe('/orders/o-1?refused=approve&code=X#top');
    expect(withQuery('/shows/s', {}, 'cancel-progress')).toBe('/shows/s#cancel-progress');
  });

  describe('actAndRedirect', () => {
    const setup = () => {
      const recorded: unknown[] = [];
      const ctx = { recordAction: async (_req: unknown, record: unknown) => void recorded.push(record), logger: { warn: jest.fn(), info: jest.fn() } } as never;
      const res = { redirect: jest.fn() };
      return { ctx, res, recorded, req: {} as never };
    };
    const record = { action: 'order.approve', target: { kind: 'order' as const, id: 'o-1' }, detail: { reason: 'ok' } };

    it('records ok with what the app answered and goes back with the fixed notice', async () => {
      const { ctx, res, recorded, req } = setup();
      await actAndRedirect(ctx, req, res as never, { record, run: async () => ({ n: 3 }), back: '/orders/o-1', done: { query: { done: 'approve' } }, doneDetail: (a) => ({ n: a.n }) });
      expect(recorded).toEqual([{ ...record, outcome: 'ok', detail: { reason: 'ok', n: 3 } }]);
      expect(res.redirect).toHaveBeenCalledWith(303, '/orders/o-1?done=approve');
    });

    it('records refused or failed with the code and goes back with the action, code and status', async () => {
      const { ctx, res, recorded, req } = setup();
      await actAndRedirect(ctx, req, res as never, {
        record, run: async () => { throw new AppCallError(409, 'NOT_AWAITING_APPROVAL', '', 'fulfillment'); },
        back: '/approvals', done: { query: { done: 'approve' } }, refusedAs: 'approve', refusedExtra: { order: 'o-1' },
      });
      await actAndRedirect(ctx, req, res as never, { record, run: async () => { throw new Error('socket'); }, back: '/orders/o-1', done: { query: {} } });
      expect(recorded).toEqual([
        { ...record, outcome: 'refused', detail: { reason: 'ok', code: 'NOT_AWAITING_APPROVAL' } },
        { ...record, outcome: 'failed', detail: { reason: 'ok', code: 'APP_UNREACHABLE' } },
      ]);
      expect(res.redirect.mock.calls).toEqual([
        [303, '/approvals?refused=approve&code=NOT_AWAITING_APPROVAL&status=409&order=o-1'],
        [303, '/orders/o-1?refused=order.approve&code=APP_UNREACHABLE&status=502'],
      ]);
    });

    it('refuses a form the console checked itself: recorded, back with its fixed code', async () => {
      const { ctx, res, recorded, req } = setup();
      await refuseAndRedirect(ctx, req, res as never, { action: 'show.cancel', target: { kind: 'show', id: 's-1' } }, '/shows/s-1', 'REASON_REQUIRED');
      expect(recorded).toEqual([{ action: 'show.cancel', target: { kind: 'show', id: 's-1' }, outcome: 'refused', detail: { code: 'REASON_REQUIRED' } }]);
      expect(res.redirect).toHaveBeenCalledWith(303, '/shows/s-1?refused=show.cancel&code=REASON_REQUIRED&status=400');
    });
  });
});
