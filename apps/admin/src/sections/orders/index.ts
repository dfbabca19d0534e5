/** The manager's orders: search, the approvals queue and the order page (issue 13, item 4). */
import type { AdminSection } from '../../http/section';
import { registerOrderRoutes } from './orders.routes';

export const ordersSection: AdminSection = {
  label: 'Orders',
  path: '/orders',
  roles: ['manager'],
  register: registerOrderRoutes,
};

/** The approvals queue has its own navigation entry: it is where a manager starts the day. */
export const approvalsNav = { label: 'Approvals', path: '/approvals', roles: ['manager'] as const };
