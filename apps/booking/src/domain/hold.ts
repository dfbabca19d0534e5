/** A seat hold's rules: how long it lives, what it must carry, and which transitions are allowed. */
import { fingerprint } from './policy';

export const DEFAULT_HOLD_TTL_SECONDS = 300;
export const MIN_HOLD_TTL_SECONDS = 5;
export const MAX_HOLD_TTL_SECONDS = 900;

export type HoldStatus = 'ACTIVE' | 'EXPIRED' | 'RELEASED' | 'CONFIRMED';

/** What a hold was made under; checked before any confirmation. */
export interface HoldSnapshot {
  policyVersion: number;
  policyHash: string;
  zoneIds: string[];
  adjacencyHash: string;
  seatIds: string[];
}

export interface SeatFacts {
  id: string;
  zone: string;
  adjacentIds: string[];
}

/** Only the seat facts that pricing and a hold's snapshot use, from a seat row. */
export const seatFactsOf = (seats: Array<{ id: string; zone: string; adjacentIds: string[] }>): SeatFacts[] =>
  seats.map((s) => ({ id: s.id, zone: s.zone, adjacentIds: s.adjacentIds }));

export function buildSnapshot(policyVersion: number, policyHash: string, seats: SeatFacts[]): HoldSnapshot {
  const sorted = [...seats].sort((a, b) => a.id.localeCompare(b.id));
  return {
    policyVersion,
    policyHash,
    zoneIds: [...new Set(sorted.map((s) => s.zone))].sort(),
    adjacencyHash: fingerprint(sorted.map((s) => [s.id, [...s.adjacentIds].sort()])),
    seatIds: sorted.map((s) => s.id),
  };
}

/** Names every missing or inconsistent part of a snapshot; an empty list means it is complete. */
export function snapshotProblems(snapshot: Partial<HoldSnapshot> | undefined, heldSeatIds: string[]): string[] {
  if (!snapshot) return ['snapshot is missing'];
  const problems: string[] = [];
  if (!Number.isInteger(snapshot.policyVersion) || snapshot.policyVersion! < 1) problems.push('policyVersion is missing');
  if (!snapshot.policyHash) problems.push('policyHash is missing');
  if (!snapshot.zoneIds?.length) problems.push('zoneIds are missing');
  if (!snapshot.adjacencyHash) problems.push('adjacencyHash is missing');
  if (!snapshot.seatIds?.length) problems.push('seatIds are missing');
  else if ([...snapshot.seatIds].sort().join() !== [...heldSeatIds].sort().join()) problems.push('seatIds do not match the held seats');
  return problems;
}

const TRANSITIONS: Record<HoldStatus, HoldStatus[]> = {
  ACTIVE: ['EXPIRED', 'RELEASED', 'CONFIRMED'],
  EXPIRED: [],
  RELEASED: [],
  CONFIRMED: [],
};

export function canTransition(from: HoldStatus, to: HoldStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Whether a hold that expires at `expiresAtMs` has run out at `nowMs`. */
export function isExpired(expiresAtMs: number, nowMs: number): boolean {
  return nowMs >= expiresAtMs;
}

/** How often a hold may be re-quoted under a changed policy before the change goes to an admin. */
export const MAX_POLICY_RECOVERIES = 2;

export type PolicyDecision =
  | { action: 'none' }
  | { action: 'requote'; recovery: number }
  | { action: 'escalate'; oldPolicyHash: string; newPolicyHash: string }
  /** Re-quoting is turned off (FEATURE_POLICY_REQUOTE_ENABLED=false): any drift is refused at once. */
  | { action: 'reject'; oldPolicyHash: string; newPolicyHash: string };

/**
 * A hold made under another policy version than the show's current one has drifted: it is
 * re-quoted under the new policy, at most MAX_POLICY_RECOVERIES times, then escalated (seed 001).
 * With `requote: false` (the kill switch) a drift is refused at once, with no re-quote and no escalation.
 */
export function reconcilePolicy(
  hold: { policyVersion: number; snapshot: Pick<HoldSnapshot, 'policyHash'>; policyRecoveries?: number },
  current: { policyVersion: number; policyHash: string },
  options: { requote?: boolean } = {},
): PolicyDecision {
  if (hold.policyVersion === current.policyVersion) return { action: 'none' };
  if (options.requote === false) return { action: 'reject', oldPolicyHash: hold.snapshot.policyHash, newPolicyHash: current.policyHash };
  const done = hold.policyRecoveries ?? 0;
  if (done >= MAX_POLICY_RECOVERIES) return { action: 'escalate', oldPolicyHash: hold.snapshot.policyHash, newPolicyHash: current.policyHash };
  return { action: 'requote', recovery: done + 1 };
}
