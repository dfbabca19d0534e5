import { AppError, toProblem } from './problem';
import { assertSafeText, findUnsafeText, markUnsafePath, pathIssues, pathMarker, unsafeTextReason } from './text-guard';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udfff';

describe('text PostgreSQL cannot store', () => {
  it('when a string holds NUL or an unpaired surrogate, then it is refused; valid text, pairs (emoji) included, is not', () => {
    expect(unsafeTextReason('a\u0000b')).toMatch(/U\+0000/);
    expect(unsafeTextReason(`x${LONE_HIGH}`)).toMatch(/unpaired/);
    expect(unsafeTextReason(`${LONE_HIGH}x`)).toMatch(/unpaired/);
    expect(unsafeTextReason(`x${LONE_LOW}`)).toMatch(/unpaired/);
    expect(unsafeTextReason(`${LONE_LOW}${LONE_HIGH}`)).toMatch(/unpaired/);
    expect(unsafeTextReason('Zürich 🎭 – «Oper» 漢字 \u0001 \uffff')).toBeUndefined();
    expect(unsafeTextReason('\ud83c\udfad')).toBeUndefined();
    expect(unsafeTextReason('')).toBeUndefined();
  });

  it('when a body holds bad text in values and keys at any depth, then each is named by its path', () => {
    const body = {
      title: 'ok\u0000',
      venue: { name: 'fine', sections: [{ zone: 'A' }, { zone: LONE_HIGH }] },
      policy: { zonePrices: { [`VIP${LONE_LOW}`]: 100, GOOD: 200 } },
      seatIds: ['A-1', 'A-\u0000'],
    };
    expect(findUnsafeText(body, 'body')).toEqual(expect.arrayContaining([
      { path: 'body.title', message: expect.stringMatching(/U\+0000/), code: 'invalid_format' },
      { path: 'body.venue.sections.1.zone', message: expect.stringMatching(/unpaired/), code: 'invalid_format' },
      { path: 'body.policy.zonePrices', message: expect.stringMatching(/^an object key .*unpaired/), code: 'invalid_key' },
      { path: 'body.seatIds.1', message: expect.any(String), code: 'invalid_format' },
    ]));
    expect(findUnsafeText(body, 'body')).toHaveLength(4);
  });

  it('when the body is a bare value (the JSON parser is not strict: actor arguments), then it is checked as such', () => {
    expect(findUnsafeText(2, 'body')).toEqual([]);
    expect(findUnsafeText(null, 'body')).toEqual([]);
    expect(findUnsafeText(true, 'body')).toEqual([]);
    expect(findUnsafeText('plain', 'body')).toEqual([]);
    expect(findUnsafeText('\u0000', 'body')).toEqual([{ path: 'body', message: expect.any(String), code: 'invalid_format' }]);
  });

  it('when a body is nested very deep, then the walk neither overflows the stack nor misses the leaf', () => {
    let deep: unknown = { leaf: 'x\u0000' };
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const issues = findUnsafeText(deep, 'body');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path.endsWith('.0.0.leaf')).toBe(true);
  });

  it('when many strings are bad, then the list stops at 20', () => {
    expect(findUnsafeText(Array.from({ length: 100 }, () => '\u0000'), 'body')).toHaveLength(20);
  });

  it('when assertSafeText refuses, then the problem is the 400 VALIDATION_FAILED zod errors get, with path, message and code', () => {
    let thrown: unknown;
    try {
      assertSafeText({ id: 'evt_\u0000' }, 'body');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(toProblem(thrown)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ path: 'body.id', message: expect.any(String), code: 'invalid_format' }] });
    expect(() => assertSafeText({ id: 'evt_1', nested: [{ ok: 'ü' }] }, 'body')).not.toThrow();
  });

  it('when a path percent-encodes NUL or a surrogate (WTF-8), then the run is marked and the param holding it named', () => {
    expect(markUnsafePath('/api/shows/abc')).toBeUndefined();
    expect(markUnsafePath('/api/shows/caf%C3%A9%20x')).toBeUndefined();
    const marked = markUnsafePath('/api/bookings/%00/tickets/A-%ED%A0%80.png')!;
    expect(marked.path).toBe(`/api/bookings/${pathMarker(0)}/tickets/A-${pathMarker(1)}.png`);
    expect(pathIssues(marked, { bookingId: pathMarker(0), seatId: `A-${pathMarker(1)}` })).toEqual([
      { path: 'params.bookingId', message: expect.stringMatching(/U\+0000/), code: 'invalid_format' },
      { path: 'params.seatId', message: expect.stringMatching(/UTF-8/), code: 'invalid_format' },
    ]);
    // Outside any parameter (or no route matched): the path as a whole.
    expect(pathIssues(markUnsafePath('/nowhere/%00')!, undefined)).toEqual([{ path: 'path', message: expect.any(String), code: 'invalid_format' }]);
  });
});
