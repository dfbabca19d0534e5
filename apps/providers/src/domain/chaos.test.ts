import seedrandom from 'seedrandom';
import { ChaosTable, chaosRuleSchema, pickOutcome } from './chaos';

const rule = (input: unknown) => chaosRuleSchema.parse(input);

describe('chaos', () => {
  it('when a roll falls in an outcome\'s share, then that outcome is picked', () => {
    const outcomes = { ok: 0.4, '402': 0.3, timeout: 0.2, '500': 0.1 };
    expect(pickOutcome(outcomes, 0)).toBe('ok');
    expect(pickOutcome(outcomes, 0.39)).toBe('ok');
    expect(pickOutcome(outcomes, 0.4)).toBe('402');
    // Canonical order: ok, 402, 500, timeout.
    expect(pickOutcome(outcomes, 0.75)).toBe('500');
    expect(pickOutcome(outcomes, 0.95)).toBe('timeout');
    expect(pickOutcome({ timeout: 0.2, '500': 0.1, '402': 0.3, ok: 0.4 }, 0.75)).toBe('500');
  });

  it('when two tables share a seed, then they decide the same way call after call', () => {
    const rules = { 'payment.authorize': rule({ outcomes: { ok: 0.5, '500': 0.5 } }) };
    const a = new ChaosTable(seedrandom('42'), rules);
    const b = new ChaosTable(seedrandom('42'), rules);
    const run = (t: ChaosTable) => Array.from({ length: 50 }, () => t.decide('payment.authorize').outcome);
    const first = run(a);
    expect(run(b)).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', '500']));
  });

  it('when a rule has a sequence, then it is served in order before the probabilities', () => {
    const table = new ChaosTable(seedrandom('1'), { 'sms.send': rule({ outcomes: { ok: 1 }, sequence: ['503', 'timeout'] }) });
    expect(['sms.send', 'sms.send', 'sms.send'].map((op) => table.decide(op).outcome)).toEqual(['503', 'timeout', 'ok']);
    expect(table.snapshot()['sms.send']!.sequence).toEqual([]);
  });

  it('when an operation has no rule, then it always succeeds', () => {
    expect(new ChaosTable(Math.random).decide('inventory.reserve')).toMatchObject({ outcome: 'ok', latencyMs: 0 });
  });

  it('when rules are merged, then operations not named keep theirs', () => {
    const table = new ChaosTable(Math.random, { 'payment.capture': rule({ outcomes: { '410': 1 } }) });
    table.merge({ 'payment.authorize': rule({ outcomes: { '402': 1 } }) });
    expect(table.decide('payment.capture').outcome).toBe('410');
    expect(table.decide('payment.authorize').outcome).toBe('402');
  });

  it('when probabilities do not add up to 1, or an outcome is not a status, then the rule is rejected', () => {
    expect(() => rule({ outcomes: { ok: 0.5 } })).toThrow(/add up to 1/);
    expect(() => rule({ outcomes: { ok: 0.5, '200': 0.5 } })).toThrow();
    expect(() => rule({ outcomes: {} })).toThrow();
  });
});
