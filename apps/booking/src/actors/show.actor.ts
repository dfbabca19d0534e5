/**
 * ShowActor (one per show): the single place that decides seat availability. Dapr runs one call
 * of an actor at a time, so two holds asking for one seat are decided one after the other.
 */
import { AbstractActor } from '@dapr/dapr';
import type { Logger } from 'pino';
import { grantSeats, markSold, releaseSeats, releaseSold, type GrantResult, type ShowSeats } from '../domain/seat-allocation';
import type { ShowsRepository } from '../data/shows.repository';

export interface GrantCommand {
  holdId: string;
  seatIds: string[];
}

export type ShowGrant = Exclude<GrantResult, { granted: true }> | { granted: true } | { granted: false; reason: 'SHOW_NOT_FOUND' | 'SHOW_CANCELLED'; seatIds: string[] };

export function createShowActor(deps: { shows: ShowsRepository; logger: Logger }) {
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

    /** The takings of `seatIds`, a copy the domain functions may change. */
    private async loadSeats(seatIds: string[]): Promise<ShowSeats> {
      if (!this.takings) {
        const claims = await deps.shows.claims(this.getActorId().getId());
        this.takings = Object.fromEntries(claims.map((claim) => [claim.seatId, { holdId: claim.holdId, kind: claim.kind }]));
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
      const result = grantSeats(await this.loadSeats(command.seatIds), command.holdId, command.seatIds, facts.known);
      if (!result.granted) return result;
      this.store(result.seats, command.seatIds);
      return { granted: true };
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

    async markSold(command: { holdId: string; seatIds: string[] }): Promise<{ sold: string[] }> {
      const { seats, sold } = markSold(await this.loadSeats(command.seatIds), command.holdId);
      this.store(seats, sold);
      return { sold };
    }

    async releaseSold(command: { holdId: string; seatIds: string[] }): Promise<{ released: string[] }> {
      const { seats, released } = releaseSold(await this.loadSeats(command.seatIds), command.holdId);
      this.store(seats, released);
      return { released };
    }
  };
}
