/** A booking's or an order's whole story across the apps (issue 13, item 6): admins and managers. */
import type { AdminSection } from '../../http/section';
import { registerTimelineRoutes } from './timeline.routes';

export const timelineSection: AdminSection = {
  label: 'Timeline',
  path: '/timeline',
  roles: ['admin', 'manager'],
  register: registerTimelineRoutes,
};
