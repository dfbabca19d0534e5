/** Shows, venues and seats in PostgreSQL, as plain objects. */
import { Prisma, type PrismaClient } from '@holdfast/shared';
import { buildSeatMap, type VenueInput } from '../domain/seat-map';
import { policyHash, type Policy } from '../domain/policy';

export interface NewShow {
  title: string;
  startsAt: Date;
  venue: VenueInput;
  prepLeadMinutes?: number;
  policy: Policy;
}

export function createShowsRepository(prisma: PrismaClient) {
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

    seats(venueId: string) {
      return prisma.seat.findMany({ where: { venueId }, orderBy: [{ section: 'asc' }, { rowLabel: 'asc' }, { number: 'asc' }] });
    },

    /** Only the named seats: a hold must not read a 20,000-seat map to find its three seats. */
    seatsById(venueId: string, seatIds: string[]) {
      return prisma.seat.findMany({ where: { venueId, id: { in: seatIds } } });
    },

    claims(showId: string) {
      return prisma.seatClaim.findMany({ where: { showId } });
    },
  };
}
export type ShowsRepository = ReturnType<typeof createShowsRepository>;
