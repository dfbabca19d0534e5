/** admin_sessions: one row per sign-in; the id is the sha256 of the cookie's token, never the token. */
import type { PrismaClient } from '@holdfast/shared';

export interface SessionRow {
  id: string;
  userName: string;
  roles: string[];
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  endedAt: Date | null;
}

const columns = { id: true, userName: true, roles: true, csrfToken: true, createdAt: true, lastSeenAt: true, endedAt: true } as const;

export function createSessionsRepository(prisma: PrismaClient) {
  return {
    async open(session: { id: string; userName: string; roles: string[]; csrfToken: string; address: string }): Promise<void> {
      await prisma.adminSession.create({ data: session });
    },
    find(id: string): Promise<SessionRow | null> {
      return prisma.adminSession.findUnique({ where: { id }, select: columns });
    },
    async touch(id: string, at: Date): Promise<void> {
      await prisma.adminSession.updateMany({ where: { id, endedAt: null }, data: { lastSeenAt: at } });
    },
    async end(id: string, at: Date): Promise<void> {
      await prisma.adminSession.updateMany({ where: { id, endedAt: null }, data: { endedAt: at } });
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
