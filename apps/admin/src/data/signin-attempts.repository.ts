/**
 * admin_signin_attempts: sign-in attempts, read back per name and per address (every replica sees
 * them). An attempt is recorded BEFORE its password is checked, under a lock per name and per
 * address, so parallel attempts are counted one after the other; a success deletes its row.
 */
import type { Logger } from 'pino';
import type { PrismaClient } from '@holdfast/shared';
import type { RecentFailures, SigninDecision } from '../domain/signin-limit';

// Advisory lock classes: a name and an address never share a key.
const NAME_LOCK = 1;
const ADDRESS_LOCK = 2;

export function createSigninAttemptsRepository(prisma: PrismaClient) {
  const recentIn = async (db: Pick<PrismaClient, 'adminSigninAttempt'>, userName: string, address: string, since: Date): Promise<RecentFailures> => {
    const [byName, byAddress] = await Promise.all([
      db.adminSigninAttempt.findMany({ where: { userName, at: { gte: since } }, select: { at: true }, orderBy: { at: 'desc' }, take: 50 }),
      db.adminSigninAttempt.findMany({ where: { address, at: { gte: since } }, select: { at: true }, orderBy: { at: 'desc' }, take: 50 }),
    ]);
    return { byName: byName.map((r) => r.at), byAddress: byAddress.map((r) => r.at) };
  };

  return {
    /**
     * Counts the attempts within the window and, when `decide` allows one more, records it at `at`
     * (as a failure until `forget` says otherwise), in one transaction holding the name's and the
     * address's locks (always in that order: no deadlock). Returns the recorded row's id.
     */
    async admit(userName: string, address: string, since: Date, at: Date, decide: (failures: RecentFailures) => SigninDecision): Promise<{ decision: SigninDecision; attemptId?: bigint }> {
      return prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(${NAME_LOCK}::int, hashtext(${userName}))::text`;
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(${ADDRESS_LOCK}::int, hashtext(${address}))::text`;
        const decision = decide(await recentIn(tx, userName, address, since));
        if (!decision.allowed) return { decision };
        const row = await tx.adminSigninAttempt.create({ data: { userName, address, at }, select: { id: true } });
        return { decision, attemptId: row.id };
      });
    },
    /** The attempt succeeded (or was never checked): it counts against nobody. */
    async forget(attemptId: bigint): Promise<void> {
      await prisma.adminSigninAttempt.deleteMany({ where: { id: attemptId } });
    },
    /** Attempts older than the window serve no limit: the table stays small. */
    async prune(before: Date): Promise<number> {
      return (await prisma.adminSigninAttempt.deleteMany({ where: { at: { lt: before } } })).count;
    },
  };
}

export type SigninAttemptsRepository = ReturnType<typeof createSigninAttemptsRepository>;

/** Attempts older than this serve no limit (the window is a minute). */
export const SIGNIN_ATTEMPTS_KEPT_MS = 60 * 60_000;

/**
 * Deletes attempts older than an hour, every hour (unref'd: it never keeps the process up), so
 * the table holds an hour of attempts at most. Returns the stop function.
 */
export function startSigninAttemptsPruning(attempts: Pick<SigninAttemptsRepository, 'prune'>, logger: Pick<Logger, 'info' | 'warn'>, everyMs = 60 * 60_000, now: () => Date = () => new Date()): () => void {
  const timer = setInterval(() => {
    attempts.prune(new Date(now().getTime() - SIGNIN_ATTEMPTS_KEPT_MS)).then(
      (count) => { if (count > 0) logger.info({ count }, 'old sign-in attempts pruned'); },
      (err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'sign-in attempts not pruned'),
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
