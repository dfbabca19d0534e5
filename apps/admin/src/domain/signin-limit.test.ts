import { signinDecision } from './signin-limit';

const now = new Date('2026-12-02T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('sign-in limit (5 failures per minute per name and per address)', () => {
  it('allows an attempt after four failures in the window', () => {
    expect(signinDecision({ byName: [ago(1), ago(2), ago(3), ago(4)], byAddress: [] }, now)).toEqual({ allowed: true });
  });

  it('refuses the sixth attempt, until the oldest counted failure is a minute old', () => {
    const five = [ago(50), ago(40), ago(30), ago(20), ago(10)];
    expect(signinDecision({ byName: five, byAddress: [] }, now)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(signinDecision({ byName: [], byAddress: five }, now)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('ignores failures older than the window and waits for the longer of the two keys', () => {
    expect(signinDecision({ byName: [ago(70), ago(40), ago(30), ago(20), ago(10)], byAddress: [] }, now)).toEqual({ allowed: true });
    const decision = signinDecision({ byName: [ago(50), ago(40), ago(30), ago(20), ago(10)], byAddress: [ago(5), ago(4), ago(3), ago(2), ago(1), ago(0)] }, now);
    expect(decision).toEqual({ allowed: false, retryAfterSeconds: 56 });
  });
});
