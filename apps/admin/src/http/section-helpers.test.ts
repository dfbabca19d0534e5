import { z } from 'zod';
import { firstOf, moreSentence, problemSentence, readAnswer, UNREADABLE_ANSWER } from './section-helpers';
import { AppCallError } from './section';

describe('section helpers', () => {
  it('puts an app\'s refusal, or no answer at all, in words', () => {
    expect(problemSentence(new AppCallError(404, 'SHOW_NOT_FOUND', '', 'booking'))).toBe('That show does not exist.');
    expect(problemSentence(new Error('socket hang up'))).toBe('The service did not answer in time. Try again in a moment.');
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
});
