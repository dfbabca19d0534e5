/** admin_signin_attempts: failed sign-ins, read back per name and per address (every replica sees them). */
import type { PrismaClient } from '@holdfast/shared';
import type { RecentFailures } from '../domain/signin-limit';

export function createSigninAttemptsRepository(prisma: PrismaClient) {
  return {
    async recent(userName: string, address: string, since: Date): Promise<RecentFailures> {
      const [byName, byAddress] = await Promise.all([
        prisma.adminSigninAttempt.findMany({ where: { userName, at: { gte: since } }, select: { at: true }, orderBy: { at: 'desc' }, take: 50 }),
        prisma.adminSigninAttempt.findMany({ where: { address, at: { gte: since } }, select: { at: true }, orderBy: { at: 'desc' }, take: 50 }),
      ]);
      return { byName: byName.map((r) => r.at), byAddress: byAddress.map((r) => r.at) };
    },
    async recordFailure(userName: string, address: string): Promise<void> {
      await prisma.adminSigninAttempt.create({ data: { userName, address } });
    },
    /** Failures older than a day serve no limit: the table stays small. */
    async prune(before: Date): Promise<number> {
      return (await prisma.adminSigninAttempt.deleteMany({ where: { at: { lt: before } } })).count;
    },
  };
}

export type SigninAttemptsRepository = ReturnType<typeof createSigninAttemptsRepository>;
