/**
 * Which seats of one show are taken, and by which hold: the decision the ShowActor makes, as pure
 * functions. A grant is all or nothing.
 */
export type SeatTaking = { holdId: string; kind: 'HELD' | 'SOLD' };
export type ShowSeats = Record<string, SeatTaking>;

export type GrantResult =
  | { granted: true; seats: ShowSeats }
  | { granted: false; reason: 'SEAT_UNAVAILABLE'; seatIds: string[] }
  | { granted: false; reason: 'UNKNOWN_SEATS'; seatIds: string[] };

export function grantSeats(seats: ShowSeats, holdId: string, seatIds: string[], knownSeatIds: ReadonlySet<string>): GrantResult {
  const unknown = seatIds.filter((id) => !knownSeatIds.has(id));
  if (unknown.length > 0) return { granted: false, reason: 'UNKNOWN_SEATS', seatIds: unknown };
  // A repeated grant to the same hold is not a conflict: granting is idempotent per hold.
  const taken = seatIds.filter((id) => seats[id] && seats[id]!.holdId !== holdId);
  if (taken.length > 0) return { granted: false, reason: 'SEAT_UNAVAILABLE', seatIds: taken };
  const next = { ...seats };
  // A seat this hold has already keeps its taking: a late retry of a confirmed hold's placement does not make its sold seat held again.
  for (const id of seatIds) next[id] = seats[id] ?? { holdId, kind: 'HELD' };
  return { granted: true, seats: next };
}

/** Frees the seats a hold still holds (not those already sold); returns which were freed. */
export function releaseSeats(seats: ShowSeats, holdId: string): { seats: ShowSeats; released: string[] } {
  const released = Object.keys(seats).filter((id) => seats[id]!.holdId === holdId && seats[id]!.kind === 'HELD');
  const next = { ...seats };
  for (const id of released) delete next[id];
  return { seats: next, released };
}

/** Turns a hold's held seats into sold seats; returns which were sold. */
export function markSold(seats: ShowSeats, holdId: string): { seats: ShowSeats; sold: string[] } {
  const sold = Object.keys(seats).filter((id) => seats[id]!.holdId === holdId && seats[id]!.kind === 'HELD');
  const next = { ...seats };
  for (const id of sold) next[id] = { holdId, kind: 'SOLD' };
  return { seats: next, sold };
}

/** Frees a cancelled booking's sold seats; returns which were freed. */
export function releaseSold(seats: ShowSeats, holdId: string): { seats: ShowSeats; released: string[] } {
  const released = Object.keys(seats).filter((id) => seats[id]!.holdId === holdId && seats[id]!.kind === 'SOLD');
  const next = { ...seats };
  for (const id of released) delete next[id];
  return { seats: next, released };
}

export function seatStatus(seats: ShowSeats, seatId: string): 'AVAILABLE' | 'HELD' | 'SOLD' {
  return seats[seatId]?.kind ?? 'AVAILABLE';
}
