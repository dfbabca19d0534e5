/**
 * admin_actions: every state-changing action a console user took (who, with which roles, from
 * which session, what, to what, how it ended, the correlation id), served to the target's timeline.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '@holdfast/shared';
import type { ActionRecord, ActionTargetKind, SignedInUser } from '../http/section';

export interface StoredAction {
  at: Date;
  userName: string;
  action: string;
  outcome: string;
  detail: Record<string, unknown> | null;
  sessionId: string;
  correlationId: string | null;
}

export async function insertAction(prisma: PrismaClient, user: SignedInUser, record: ActionRecord, correlationId: string | undefined): Promise<void> {
  await prisma.adminAction.create({
    data: {
      id: randomUUID(), userName: user.name, roles: user.roles, sessionId: user.sessionId, action: record.action,
      targetKind: record.target.kind, targetId: record.target.id, outcome: record.outcome,
      ...(record.detail ? { detail: record.detail as Prisma.InputJsonValue } : {}), correlationId: correlationId ?? null,
    },
  });
}

/** The actions on one target, oldest first (the timeline helper merges them with the apps' events). */
export async function actionsForTarget(prisma: PrismaClient, kind: ActionTargetKind | string, id: string): Promise<StoredAction[]> {
  const rows = await prisma.adminAction.findMany({
    where: { targetKind: kind, targetId: id }, orderBy: [{ at: 'asc' }, { id: 'asc' }], take: 1_000,
    select: { at: true, userName: true, action: true, outcome: true, detail: true, sessionId: true, correlationId: true },
  });
  return rows.map((row) => ({ ...row, detail: (row.detail ?? null) as Record<string, unknown> | null }));
}
