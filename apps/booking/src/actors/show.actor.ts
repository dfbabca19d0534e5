/**
 * ShowActor (one per show): the single place that decides seat availability. Dapr runs one call
 * of an actor at a time, so two holds asking for one seat are decided one after the other.
 */
import { AbstractActor } from '@dapr/dapr';
import type { Logger } from 'pino';
import { ACTOR_TYPES, registerActorReminderAt, type SidecarSettings } from '@holdfast/shared';
import { grantSeats, markSold, releaseSeats, releaseSold, type GrantResult, type ShowSeats } from '../domain/seat-allocation';
import { dueHolds, sweepBucketEnd, SWEEP_PERIOD_SECONDS, sweepReminderName, type DueHold } from '../domain/hold-expiry';
import { MAX_HOLD_TTL_SECONDS } from '../domain/hold';
import type { ShowsRepository } from '../data/shows.repository';

export interface GrantCommand {
  holdId: string;
  seatIds: string[];
  /**
   * When the hold expires (ISO 8601): the grant makes sure the sweep reminder of its second is
   * registered on the show's HoldExpiryActor before the seats are taken (domain/hold-expiry.ts).
   * Absent from callers that register a reminder of their own.
   */
  expiresAt?: string;
}

export type ShowGrant = Exclude<GrantResult, { granted: true }> | { granted: true }
  | { granted: false; reason: 'SHOW_NOT_FOUND' | 'SHOW_CANCELLED'; seatIds: string[] }
  /** The hold's expiry passed before its seats were granted (or is not a time within the longest ttl from now): nothing is taken. */
  | { granted: false; reason: 'PLACEMENT_TIMED_OUT' | 'INVALID_COMMAND'; seatIds: string[] };

export function createShowActor(deps: { shows: ShowsRepository; logger: Logger; sidecar: SidecarSettings; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return class ShowActor extends AbstractActor {
    /** The show's seat ids and status, read from PostgreSQL once per activation. */
    private facts?: { known: Set<string>; status: string } | null;

    private async showFacts() {
      if (this.facts === undefined) {
        const show = await deps.shows.find(this.getActorId().getId());
        this.facts = show ? { known: new Set((await deps.shows.seats(show.venueId)).map((s) => s.id)), status: show.status } : null;
      }
      return this.facts;
    }

    /**
     * Every taken seat of the show, in this activation's memory, read from the database's seat
     * claims when the actor activates. No actor state: PostgreSQL's claims are the one record (a
     * second copy in Dapr's state store cost each grant 2 reads per seat and a write, issue 15).
     * A grant made here precedes its claim's insert by a moment; if the activation is lost in that
     * moment the seat may be granted again, and the claims' primary key refuses the second insert.
     */
    private takings?: ShowSeats;
    /** When each hold with held seats expires (epoch ms), from its grant or its row: what the sweep asks for (dueHolds). */
    private readonly expiries = new Map<string, number>();
    /** Sweep reminders this activation registered, by bucket end: the first grant of each second registers it, the others need not. */
    private readonly armed = new Set<number>();

    /** The takings of `seatIds`, a copy the domain functions may change. */
    private async loadSeats(seatIds: string[]): Promise<ShowSeats> {
      if (!this.takings) {
        const claims = await deps.shows.claimsWithExpiry(this.getActorId().getId());
        this.takings = Object.fromEntries(claims.map((claim) => [claim.seatId, { holdId: claim.holdId, kind: claim.kind }]));
        for (const claim of claims) if (claim.kind === 'HELD' && claim.expiresAt) this.expiries.set(claim.holdId, claim.expiresAt.getTime());
      }
      const seats: ShowSeats = {};
      for (const id of seatIds) if (this.takings[id]) seats[id] = { ...this.takings[id]! };
      return seats;
    }

    /** Keeps the takings of `seatIds` from `seats`: present means taken, absent means free. */
    private store(seats: ShowSeats, seatIds: string[]): void {
      for (const id of seatIds) {
        if (seats[id]) this.takings![id] = seats[id]!;
        else delete this.takings![id];
      }
    }

    async grant(command: GrantCommand): Promise<ShowGrant> {
      const facts = await this.showFacts();
      if (!facts) return { granted: false, reason: 'SHOW_NOT_FOUND', seatIds: [] };
      if (facts.status === 'CANCELLED') return { granted: false, reason: 'SHOW_CANCELLED', seatIds: [] };
      const unknown = command.seatIds.filter((id) => !facts.known.has(id));
      if (unknown.length > 0) return { granted: false, reason: 'UNKNOWN_SEATS', seatIds: unknown };
      const expiresAt = command.expiresAt === undefined ? undefined : Date.parse(command.expiresAt);
      // The route computes it from a validated ttlSeconds; anything else holds no seat.
      if (expiresAt !== undefined && !(expiresAt <= now() + MAX_HOLD_TTL_SECONDS * 1000)) return { granted: false, reason: 'INVALID_COMMAND', seatIds: [] };
      if (expiresAt !== undefined && !(expiresAt > now())) return { granted: false, reason: 'PLACEMENT_TIMED_OUT', seatIds: [] };
      const result = grantSeats(await this.loadSeats(command.seatIds), command.holdId, command.seatIds, facts.known);
      if (!result.granted) return result;
      // The sweep that will expire the hold first: if anything fails after the grant, it gives the seats back.
      if (expiresAt !== undefined) {
        await this.armSweep(expiresAt);
        if (!this.expiries.has(command.holdId)) this.expiries.set(command.holdId, expiresAt);
      }
      this.store(result.seats, command.seatIds);
      return { granted: true };
    }

    /**
     * Registers the sweep reminder of the expiry's second on the show's HoldExpiryActor, unless this
     * activation did already (a reminder stays until a firing finds nothing left: one registered
     * is there until after its due time, and a grant's expiry is still ahead).
     */
    private async armSweep(expiresAt: number): Promise<void> {
      const bucketEnd = sweepBucketEnd(expiresAt);
      if (this.armed.has(bucketEnd)) return;
      const showId = this.getActorId().getId();
      const reminder = sweepReminderName(bucketEnd);
      // The name again in its data: the SDK does not pass a firing reminder's name to receiveReminder.
      await registerActorReminderAt(deps.sidecar, ACTOR_TYPES.holdExpiry, showId, reminder, { dueAt: new Date(bucketEnd), periodSeconds: SWEEP_PERIOD_SECONDS, data: JSON.stringify({ reminder }) });
      const cutoff = now() - 60_000;
      for (const armed of this.armed) if (armed < cutoff) this.armed.delete(armed);
      this.armed.add(bucketEnd);
    }

    /**
     * The holds this show holds seats for whose expiry is at or before `dueBy` (the sweep's list).
     * A confirmation sells its seats in PostgreSQL and does not call here (a hop per confirmation,
     * issue 15): its seats stay HELD in this memory, taken all the same, until this list asks the
     * claims which due holds were sold, in one query, and marks their seats SOLD.
     */
    async dueHolds(command: { dueBy: string }): Promise<{ holds: DueHold[] }> {
      await this.loadSeats([]);
      const due = dueHolds(this.takings!, this.expiries, Date.parse(command.dueBy));
      if (due.length === 0) return { holds: due };
      const sold = new Set(await deps.shows.soldAmong(this.getActorId().getId(), due.map((hold) => hold.holdId)));
      for (const hold of due) if (sold.has(hold.holdId)) await this.sell(hold.holdId, hold.seatIds);
      return { holds: due.filter((hold) => !sold.has(hold.holdId)) };
    }

    /** The show was cancelled in the database: read its facts again, so every new grant is refused. */
    async cancel(): Promise<{ status: string }> {
      this.facts = undefined;
      return { status: (await this.showFacts())?.status ?? 'SHOW_NOT_FOUND' };
    }

    async release(command: { holdId: string; seatIds: string[] }): Promise<{ released: string[] }> {
      const { seats, released } = releaseSeats(await this.loadSeats(command.seatIds), command.holdId);
      this.store(seats, released);
      deps.logger.debug({ showId: this.getActorId().getId(), holdId: command.holdId, released }, 'seats released');
      return { released };
    }

    /** A confirmed hold's seats, SOLD from HELD. */
    private async sell(holdId: string, seatIds: string[]): Promise<string[]> {
      const { seats, sold } = markSold(await this.loadSeats(seatIds), holdId);
      this.store(seats, sold);
      return sold;
    }

    /** The sweep's `sell` (domain/hold-expiry.ts): a confirmed hold whose seats this memory still has HELD. */
    async markSold(command: { holdId: string; seatIds: string[] }): Promise<{ sold: string[] }> {
      return { sold: await this.sell(command.holdId, command.seatIds) };
    }

    /** A cancelled booking's seats, freed; its hold's seats may still be HELD here (a confirmation does not call: dueHolds). */
    async releaseSold(command: { holdId: string; seatIds: string[] }): Promise<{ released: string[] }> {
      await this.sell(command.holdId, command.seatIds);
      const { seats, released } = releaseSold(await this.loadSeats(command.seatIds), command.holdId);
      this.store(seats, released);
      return { released };
    }
  };
}
