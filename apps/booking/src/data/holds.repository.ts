/**
 * Holds and their seat claims. The claims table's primary key (show, seat) is the last line against
 * double-booking: if every check above failed, the insert still refuses a second claim.
 */
import { Prisma, type PrismaClient } from '@holdfast/shared';
import type { HoldSnapshot, HoldStatus } from '../domain/hold';

export interface HoldRecord {
  holdId: string;
  showId: string;
  customerId: string;
  customerEmail: string;
  customerPhone?: string;
  seatIds: string[];
  status: HoldStatus;
  policyVersion: number;
  snapshot: HoldSnapshot;
  expiresAt: string;
  createdAt: string;
  /** Once CONFIRMED: the booking, and the Idempotency-Key of the confirmation that made it. */
  booking?: import('./bookings.repository').BookingView;
  confirmationKey?: string;
  /** How often the hold was re-quoted under a changed policy. */
  policyRecoveries?: number;
}

export class SeatAlreadyClaimedError extends Error {
  constructor() {
    super('a seat of this hold is already claimed in the database');
    this.name = 'SeatAlreadyClaimedError';
  }
}

export function createHoldsRepository(prisma: PrismaClient) {
  return {
    /** The hold row and one claim per seat, together or not at all. */
    async insertActive(hold: HoldRecord, correlationId?: string): Promise<void> {
      try {
        await prisma.$transaction([
          prisma.hold.create({
            data: {
              id: hold.holdId, showId: hold.showId, customerId: hold.customerId, customerEmail: hold.customerEmail,
              customerPhone: hold.customerPhone, seatIds: hold.seatIds, status: 'ACTIVE', policyVersion: hold.policyVersion,
              snapshot: hold.snapshot as unknown as Prisma.InputJsonValue, expiresAt: new Date(hold.expiresAt), createdAt: new Date(hold.createdAt),
            },
          }),
          prisma.seatClaim.createMany({ data: hold.seatIds.map((seatId) => ({ showId: hold.showId, seatId, holdId: hold.holdId, kind: 'HELD' as const })) }),
          prisma.auditLog.create({ data: { entity: 'hold', entityId: hold.holdId, action: 'placed', toState: 'ACTIVE', correlationId, data: { showId: hold.showId, seatIds: hold.seatIds } } }),
        ]);
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new SeatAlreadyClaimedError();
        throw error;
      }
    },

    /** Ends an active hold (EXPIRED or RELEASED) and frees its seats; a hold already ended is left as it is. */
    async end(holdId: string, to: 'EXPIRED' | 'RELEASED', correlationId?: string): Promise<boolean> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.hold.updateMany({ where: { id: holdId, status: 'ACTIVE' }, data: { status: to } });
        if (count === 0) return false;
        await tx.seatClaim.deleteMany({ where: { holdId, kind: 'HELD' } });
        await tx.auditLog.create({ data: { entity: 'hold', entityId: holdId, action: to.toLowerCase(), fromState: 'ACTIVE', toState: to, correlationId } });
        return true;
      });
    },

    /** The hold under a new policy: version and snapshot, with an audit entry. */
    async requote(holdId: string, policyVersion: number, snapshot: HoldSnapshot, correlationId?: string): Promise<void> {
      await prisma.$transaction([
        prisma.hold.update({ where: { id: holdId }, data: { policyVersion, snapshot: snapshot as unknown as Prisma.InputJsonValue } }),
        prisma.auditLog.create({ data: { entity: 'hold', entityId: holdId, action: 'requoted', correlationId, data: { policyVersion, policyHash: snapshot.policyHash } } }),
      ]);
    },

    /** Tells admins (through the outbox) that a hold's policy kept changing under it. */
    async escalatePolicy(event: { holdId: string; showId: string; oldPolicyHash: string; newPolicyHash: string }, correlationId?: string): Promise<void> {
      await prisma.$transaction([
        prisma.outboxEvent.create({ data: { aggregateId: event.showId, type: 'policy.escalated', correlationId, payload: event } }),
        prisma.auditLog.create({ data: { entity: 'hold', entityId: event.holdId, action: 'policy-escalated', correlationId, data: event } }),
      ]);
    },

    find(holdId: string) {
      return prisma.hold.findUnique({ where: { id: holdId } });
    },
  };
}
export type HoldsRepository = ReturnType<typeof createHoldsRepository>;
