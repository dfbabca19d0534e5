/**
 * ShowActor (one per show): the single place that decides seat availability. Dapr runs one call
 * of an actor at a time, so two holds asking for one seat are decided one after the other.
 */
import { AbstractActor } from '@dapr/dapr';
import type { Logger } from 'pino';
import { grantSeats, markSold, releaseSeats, releaseSold, type GrantResult, type ShowSeats } from '../domain/seat-allocation';
import type { ShowsRepository } from '../data/shows.repository';

const SEATS = 'seats';

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
     * The taken seats. Without saved state (a new show, or state lost) they are rebuilt from the
     * database's seat claims, so the actor never hands out a seat the database says is taken.
     */
    private async loadSeats(): Promise<ShowSeats> {
      const [found, seats] = await this.getStateManager<ShowSeats>().tryGetState(SEATS);
      if (found && seats) return { ...seats };
      const claims = await deps.shows.claims(this.getActorId().getId());
      return Object.fromEntries(claims.map((c) => [c.seatId, { holdId: c.holdId, kind: c.kind }]));
    }

    async grant(command: GrantCommand): Promise<ShowGrant> {
      const facts = await this.showFacts();
      if (!facts) return { granted: false, reason: 'SHOW_NOT_FOUND', seatIds: [] };
      if (facts.status === 'CANCELLED') return { granted: false, reason: 'SHOW_CANCELLED', seatIds: [] };
      const result = grantSeats(await this.loadSeats(), command.holdId, command.seatIds, facts.known);
      if (!result.granted) return result;
      await this.getStateManager<ShowSeats>().setState(SEATS, result.seats);
      return { granted: true };
    }

    async release(command: { holdId: string }): Promise<{ released: string[] }> {
      const { seats, released } = releaseSeats(await this.loadSeats(), command.holdId);
      if (released.length > 0) await this.getStateManager<ShowSeats>().setState(SEATS, seats);
      deps.logger.debug({ showId: this.getActorId().getId(), holdId: command.holdId, released }, 'seats released');
      return { released };
    }

    async markSold(command: { holdId: string }): Promise<{ sold: string[] }> {
      const { seats, sold } = markSold(await this.loadSeats(), command.holdId);
      if (sold.length > 0) await this.getStateManager<ShowSeats>().setState(SEATS, seats);
      return { sold };
    }

    async releaseSold(command: { holdId: string }): Promise<{ released: string[] }> {
      const { seats, released } = releaseSold(await this.loadSeats(), command.holdId);
      if (released.length > 0) await this.getStateManager<ShowSeats>().setState(SEATS, seats);
      return { released };
    }

    async seats(): Promise<ShowSeats> {
      return this.loadSeats();
    }
  };
}
