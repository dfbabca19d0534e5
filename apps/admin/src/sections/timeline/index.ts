/** A booking's or an order's whole story across the apps (issue 13, item 6): admins and managers. */
import type { PrismaClient } from '@holdfast/shared';
import type { AdminSection, SectionContext } from '../../http/section';
import { actionsForTarget } from '../../data/actions.repository';
import { registerTimelineRoutes } from './timeline.routes';

export const timelineSection: AdminSection = {
  label: 'Timeline',
  path: '/timeline',
  roles: ['admin', 'manager'],
  register(router, ctx) {
    const prisma = (ctx as SectionContext & { prisma?: PrismaClient }).prisma;
    registerTimelineRoutes(router, ctx, async (kind, id) => {
      if (!prisma) throw new Error('the section context has no database');
      return actionsForTarget(prisma, kind, id);
    });
  },
};
