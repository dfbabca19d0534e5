/**
 * Chaos rules for the simulated outside world. Pure: no I/O; randomness comes from the injected
 * source so a seed makes every run of a test take the same path.
 */
import { z } from 'zod';

/** `ok`, `timeout` (the provider never answers in time), or an HTTP error status such as `402`. */
export const outcomeSchema = z.union([
  z.literal('ok'),
  z.literal('timeout'),
  z.string().regex(/^[45]\d\d$/, 'an outcome is "ok", "timeout" or an HTTP status 400-599'),
]);
export type Outcome = z.infer<typeof outcomeSchema>;

const PROBABILITY_TOLERANCE = 1e-6;

export const chaosRuleSchema = z.object({
  /** Probability of each outcome; they must add up to 1. `{ "ok": 1 }` always succeeds. */
  outcomes: z.record(outcomeSchema, z.number().min(0).max(1))
    .refine((o) => Object.keys(o).length > 0, 'give at least one outcome')
    .refine((o) => Math.abs(Object.values(o).reduce((a, b) => a + b, 0) - 1) < PROBABILITY_TOLERANCE,
      'outcome probabilities must add up to 1'),
  /** Added to every answer, whatever the outcome. */
  latencyMs: z.number().int().min(0).max(120_000).default(0),
  /** How long a `timeout` outcome holds the request before answering 504. */
  timeoutMs: z.number().int().min(0).max(600_000).default(30_000),
  /**
   * Outcomes consumed in order before the probabilities apply, e.g. `["500", "500"]` then `ok`:
   * lets a test pin "fails twice, then succeeds" exactly.
   */
  sequence: z.array(outcomeSchema).max(1000).default([]),
  /** How long long-running work takes once accepted (shipping labels), reported as progress meanwhile. */
  workMs: z.number().int().min(0).max(3_600_000).default(0),
});
export type ChaosRule = z.infer<typeof chaosRuleSchema>;
export type ChaosRuleInput = z.input<typeof chaosRuleSchema>;

export const ALWAYS_OK: ChaosRule = { outcomes: { ok: 1 }, latencyMs: 0, timeoutMs: 30_000, sequence: [], workMs: 0 };

export interface Decision {
  outcome: Outcome;
  latencyMs: number;
  timeoutMs: number;
  workMs: number;
}

/** Outcomes in a fixed order (ok, statuses ascending, timeout), whatever order a rule lists them in. */
function canonicalOrder([a]: [string, number], [b]: [string, number]): number {
  const rank = (o: string) => (o === 'ok' ? 0 : o === 'timeout' ? 1000 : Number(o));
  return rank(a) - rank(b);
}

/**
 * Picks the outcome whose cumulative probability first exceeds `roll` (0 <= roll < 1), walking the
 * outcomes in canonical order so a seed means the same sequence however the rule was written
 * (JavaScript would put "402" before "ok" in an object's own key order).
 */
export function pickOutcome(outcomes: Record<string, number>, roll: number): Outcome {
  let cumulative = 0;
  const entries = Object.entries(outcomes).filter(([, p]) => p > 0).sort(canonicalOrder);
  for (const [outcome, probability] of entries) {
    cumulative += probability;
    if (roll < cumulative) return outcome as Outcome;
  }
  // Rounding can leave the sum a hair under 1: the last outcome takes the remainder.
  return (entries.at(-1)?.[0] ?? 'ok') as Outcome;
}

/**
 * Holds one rule per `domain.operation` and decides each call's fate. Operations without a rule
 * always succeed.
 */
export class ChaosTable {
  private rules = new Map<string, ChaosRule>();
  private sequences = new Map<string, Outcome[]>();

  constructor(private random: () => number, initial: Record<string, ChaosRule> = {}) {
    this.merge(initial);
  }

  /** Replaces the rules named in `rules`; operations not named keep theirs. */
  merge(rules: Record<string, ChaosRule>): void {
    for (const [operation, rule] of Object.entries(rules)) {
      this.rules.set(operation, rule);
      this.sequences.set(operation, [...rule.sequence]);
    }
  }

  reset(rules: Record<string, ChaosRule>, random: () => number): void {
    this.rules.clear();
    this.sequences.clear();
    this.random = random;
    this.merge(rules);
  }

  reseed(random: () => number): void {
    this.random = random;
  }

  /** The rules in force, with each sequence showing what is left of it. */
  snapshot(): Record<string, ChaosRule> {
    return Object.fromEntries([...this.rules].map(([op, rule]) => [op, { ...rule, sequence: [...(this.sequences.get(op) ?? [])] }]));
  }

  decide(operation: string): Decision {
    const rule = this.rules.get(operation) ?? ALWAYS_OK;
    const pending = this.sequences.get(operation);
    const outcome = pending && pending.length > 0 ? pending.shift()! : pickOutcome(rule.outcomes, this.random());
    return { outcome, latencyMs: rule.latencyMs, timeoutMs: rule.timeoutMs, workMs: rule.workMs };
  }
}
