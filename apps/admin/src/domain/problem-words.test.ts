import { describeProblem } from './problem-words';

describe('describeProblem', () => {
  it('puts a known code in words', () => {
    expect(describeProblem({ code: 'NOT_AWAITING_APPROVAL', status: 409, detail: '{"raw":1}' })).toBe('This order is no longer waiting for approval, so it cannot be approved or rejected now.');
  });

  it('uses the app\'s detail for an unknown code when it reads as a sentence', () => {
    expect(describeProblem({ code: 'SOMETHING_NEW', status: 409, detail: 'The seat map is being rebuilt' })).toBe('The seat map is being rebuilt.');
  });

  it('never shows JSON or a stack: falls back to a sentence by status', () => {
    expect(describeProblem({ code: 'X', status: 409, detail: '{"a":1}' })).toBe('That cannot be done in the current state.');
    expect(describeProblem({ code: 'X', status: 502, detail: 'Error\n    at foo (x.js:1)' })).toMatch(/^Something went wrong/);
    expect(describeProblem({ status: 418 })).toMatch(/^The request was not accepted/);
    expect(describeProblem({})).toMatch(/^Something went wrong/);
  });
});
