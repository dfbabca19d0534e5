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

/** Whether a hold made at `createdAtMs` with `ttlSeconds` has run out at `nowMs`. */
export function isExpired(expiresAtMs: number, nowMs: number): boolean {
  return nowMs >= expiresAtMs;
}
