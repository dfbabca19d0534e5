/**
 * admin_actions: every state-changing action a console user took (who, with which roles, from
 * which session, what, to what, how it ended, the correlation id), served to the target's timeline.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '@holdfast/shared';
import type { ActionRecord, ActionsLookup, ActionTargetKind, SignedInUser, StoredAction } from '../http/section';

export type { StoredAction } from '../http/section';

export async function insertAction(prisma: PrismaClient, user: SignedInUser, record: ActionRecord, correlationId: string | undefined): Promise<void> {
  await prisma.adminAction.create({
    data: {
      id: randomUUID(), userName: user.name, roles: user.roles, sessionId: user.sessionId, action: record.action,
      targetKind: record.target.kind, targetId: record.target.id, outcome: record.outcome,
      ...(record.detail ? { detail: record.detail as Prisma.InputJsonValue } : {}), correlationId: correlationId ?? null,
    },
  });
}

/** The actions on any of the targets, oldest first, in one query (the timeline merges them with the apps' events). */
export async function actionsForTargets(prisma: PrismaClient, targets: ReadonlyArray<{ kind: ActionTargetKind | string; id: string }>): Promise<StoredAction[]> {
  if (targets.length === 0) return [];
  const rows = await prisma.adminAction.findMany({
    where: { OR: targets.map((t) => ({ targetKind: t.kind, targetId: t.id })) }, orderBy: [{ at: 'asc' }, { id: 'asc' }], take: 1_000,
    select: { at: true, userName: true, action: true, targetKind: true, targetId: true, outcome: true, detail: true, sessionId: true, correlationId: true },
  });
  return rows.map((row) => ({ ...row, detail: (row.detail ?? null) as Record<string, unknown> | null }));
}

/** admin_actions as the sections read it (SectionContext.actions). */
export const createActionsLookup = (prisma: PrismaClient): ActionsLookup => ({ forTargets: (targets) => actionsForTargets(prisma, targets) });
