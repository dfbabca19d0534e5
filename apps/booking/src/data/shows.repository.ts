/** Shows, venues and seats in PostgreSQL, as plain objects. */
import { LRUCache } from 'lru-cache';
import { Prisma, type PrismaClient, type SeatModel as Seat, type ShowModel as Show } from '@holdfast/shared';
import { buildSeatMap, type VenueInput } from '../domain/seat-map';
import { policyHash, type Policy } from '../domain/policy';

export interface NewShow {
  title: string;
  startsAt: Date;
  venue: VenueInput;
  prepLeadMinutes?: number;
  policy: Policy;
}

export interface ShowsCacheOptions {
  /** How long a show read for a new hold may be reused (SHOW_CACHE_TTL_MS); 0 reads every time. */
  showTtlMs: number;
  /** How many venue seats to keep (SEAT_CACHE_SIZE): a seat's zone and neighbours never change. */
  seatEntries: number;
}

export function createShowsRepository(prisma: PrismaClient, cache: ShowsCacheOptions = { showTtlMs: 0, seatEntries: 0 }) {
  // Every hold needs its show and its seats' facts: two queries that made up much of the booking
  // app's CPU under load. A venue's seats are immutable; a show's policy and status change
  // rarely, and a stale read is harmless (confirmation re-reads the policy and re-quotes on drift;
  // the ShowActor refuses holds on a cancelled show).
  const shows = cache.showTtlMs > 0 ? new LRUCache<string, Show>({ max: 10_000, ttl: cache.showTtlMs }) : undefined;
  const seats = cache.seatEntries > 0 ? new LRUCache<string, Seat>({ max: cache.seatEntries }) : undefined;
  const seatKey = (venueId: string, seatId: string) => `${venueId}/${seatId}`;

  return {
    async create(show: NewShow, correlationId?: string) {
      const seats = buildSeatMap(show.venue);
      return prisma.$transaction(async (tx) => {
        const venue = await tx.venue.create({ data: { name: show.venue.name } });
        await tx.seat.createMany({ data: seats.map((s) => ({ venueId: venue.id, ...s })) });
        const created = await tx.show.create({
          data: {
            venueId: venue.id, title: show.title, startsAt: show.startsAt, prepLeadMinutes: show.prepLeadMinutes,
            policy: show.policy as Prisma.InputJsonValue, policyVersion: 1, policyHash: policyHash(show.policy),
          },
        });
        await tx.auditLog.create({ data: { entity: 'show', entityId: created.id, action: 'created', toState: 'SCHEDULED', correlationId, data: { seatCount: seats.length } } });
        return { showId: created.id, seatCount: seats.length };
      });
    },

    /** A new policy version when the terms changed; the same version when they did not. */
    async updatePolicy(showId: string, policy: Policy, correlationId?: string) {
      const hash = policyHash(policy);
      return prisma.$transaction(async (tx) => {
        const show = await tx.show.findUnique({ where: { id: showId } });
        if (!show) return null;
        if (show.policyHash === hash) return { showId, policyVersion: show.policyVersion, policyHash: hash, changed: false };
        const updated = await tx.show.update({
          where: { id: showId, policyVersion: show.policyVersion },
          data: { policy: policy as Prisma.InputJsonValue, policyHash: hash, policyVersion: { increment: 1 } },
        });
        await tx.auditLog.create({ data: { entity: 'show', entityId: showId, action: 'policy-changed', correlationId, data: { policyVersion: updated.policyVersion, policyHash: hash, previousHash: show.policyHash } } });
        return { showId, policyVersion: updated.policyVersion, policyHash: hash, changed: true };
      });
    },

    list() {
      return prisma.show.findMany({ orderBy: { startsAt: 'asc' }, take: 500, include: { venue: { select: { name: true } } } });
    },

    find(showId: string) {
      return prisma.show.findUnique({ where: { id: showId }, include: { venue: true } });
    },

    /** The show as a new hold sees it: possibly up to SHOW_CACHE_TTL_MS old. */
    async findForHold(showId: string): Promise<Show | null> {
      const cached = shows?.get(showId);
      if (cached) return cached;
      const show = await prisma.show.findUnique({ where: { id: showId } });
      if (show) shows?.set(showId, show);
      return show;
    },

    /** Forget a show read for holds (after its policy or status changed in this process). */
    forgetShow(showId: string) {
      shows?.delete(showId);
    },

    seats(venueId: string) {
      return prisma.seat.findMany({ where: { venueId }, orderBy: [{ section: 'asc' }, { rowLabel: 'asc' }, { number: 'asc' }] });
    },

    /** Only the named seats: a hold must not read a 20,000-seat map to find its three seats. */
    async seatsById(venueId: string, seatIds: string[]): Promise<Seat[]> {
      const known = seats ? seatIds.map((id) => seats.get(seatKey(venueId, id))).filter((s): s is Seat => s !== undefined) : [];
      if (known.length === seatIds.length) return known;
      const missing = seatIds.filter((id) => !seats?.has(seatKey(venueId, id)));
      const found = await prisma.seat.findMany({ where: { venueId, id: { in: missing } } });
      for (const seat of found) seats?.set(seatKey(venueId, seat.id), seat);
      return [...known, ...found];
    },

    claims(showId: string) {
      return prisma.seatClaim.findMany({ where: { showId } });
    },
  };
}
export type ShowsRepository = ReturnType<typeof createShowsRepository>;
