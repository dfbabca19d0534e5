/**
 * ShowActor (one per show): the single place that decides seat availability. Dapr runs one call
 * of an actor at a time, so two holds asking for one seat are decided one after the other.
 */
import { AbstractActor } from '@dapr/dapr';
import type { Logger } from 'pino';
import { grantSeats, markSold, releaseSeats, releaseSold, type GrantResult, type SeatTaking, type ShowSeats } from '../domain/seat-allocation';
import type { ShowsRepository } from '../data/shows.repository';

/**
 * One state key per taken seat (`seat:<id>`), so a grant reads and writes only its own seats: the
 * sidecar saves changed keys only, and a show with thousands of sold seats costs a hold no more
 * than an empty one. `seeded` marks that the keys were rebuilt from the database's claims.
 */
const seatKey = (seatId: string) => `seat:${seatId}`;
const SEEDED = 'seeded';

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
     * The takings of `seatIds`. A show's actor without state (new, or its state lost) first copies
     * the database's seat claims into its keys, so it never hands out a seat the database says is taken.
     */
    private async loadSeats(seatIds: string[]): Promise<ShowSeats> {
      const state = this.getStateManager<SeatTaking | boolean>();
      const [seeded] = await state.tryGetState(SEEDED);
      if (!seeded) {
        for (const claim of await deps.shows.claims(this.getActorId().getId())) {
          await state.setState(seatKey(claim.seatId), { holdId: claim.holdId, kind: claim.kind });
        }
        await state.setState(SEEDED, true);
      }
      const seats: ShowSeats = {};
      for (const id of seatIds) {
        const [found, taking] = await state.tryGetState(seatKey(id));
        if (found && taking && typeof taking === 'object') seats[id] = { ...taking };
      }
      return seats;
    }

    /** Writes the takings of `seatIds` from `seats`: present means taken, absent means free. */
    private async store(seats: ShowSeats, seatIds: string[]): Promise<void> {
      const state = this.getStateManager<SeatTaking | boolean>();
      for (const id of seatIds) {
        if (seats[id]) await state.setState(seatKey(id), seats[id]!);
        else await state.removeState(seatKey(id)).catch(() => undefined);
      }
    }

    async grant(command: GrantCommand): Promise<ShowGrant> {
      const facts = await this.showFacts();
      if (!facts) return { granted: false, reason: 'SHOW_NOT_FOUND', seatIds: [] };
      if (facts.status === 'CANCELLED') return { granted: false, reason: 'SHOW_CANCELLED', seatIds: [] };
      // Before loadSeats: a seat id is part of a state key, which the SDK puts in a URL unescaped.
      const unknown = command.seatIds.filter((id) => !facts.known.has(id));
      if (unknown.length > 0) return { granted: false, reason: 'UNKNOWN_SEATS', seatIds: unknown };
      const result = grantSeats(await this.loadSeats(command.seatIds), command.holdId, command.seatIds, facts.known);
      if (!result.granted) return result;
      await this.store(result.seats, command.seatIds);
      return { granted: true };
    }

    /** The show was cancelled in the database: read its facts again, so every new grant is refused. */
    async cancel(): Promise<{ status: string }> {
      this.facts = undefined;
      return { status: (await this.showFacts())?.status ?? 'SHOW_NOT_FOUND' };
    }

    async release(command: { holdId: string; seatIds: string[] }): Promise<{ released: string[] }> {
      const { seats, released } = releaseSeats(await this.loadSeats(command.seatIds), command.holdId);
      await this.store(seats, released);
      deps.logger.debug({ showId: this.getActorId().getId(), holdId: command.holdId, released }, 'seats released');
      return { released };
    }

    async markSold(command: { holdId: string; seatIds: string[] }): Promise<{ sold: string[] }> {
      const { seats, sold } = markSold(await this.loadSeats(command.seatIds), command.holdId);
      await this.store(seats, sold);
      return { sold };
    }

    async releaseSold(command: { holdId: string; seatIds: string[] }): Promise<{ released: string[] }> {
      const { seats, released } = releaseSold(await this.loadSeats(command.seatIds), command.holdId);
      await this.store(seats, released);
      return { released };
    }
  };
}
