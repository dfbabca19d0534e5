/** The admin console's policy escalations (seed 001): holds whose policy kept changing past their re-quotes. */
import { Router } from 'express';
import { z } from 'zod';
import { requireAdmin } from '@holdfast/shared';
import type { HoldsRepository } from '../data/holds.repository';

export const escalationQuery = z.object({
  showId: z.string().uuid().optional(),
  holdId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
}).strict();

export function escalationsRouter(deps: { holds: Pick<HoldsRepository, 'listEscalations'>; adminToken: string }): Router {
  const router = Router();
  router.get('/api/admin/policy-escalations', requireAdmin(deps.adminToken), async (req, res) => {
    const query = escalationQuery.parse(req.query);
    const rows = await deps.holds.listEscalations({ showId: query.showId, holdId: query.holdId }, query.limit);
    res.json({
      escalations: rows.map((r) => ({
        id: r.id, holdId: r.holdId, showId: r.showId, customerId: r.customerId, customerEmail: r.customerEmail, seatIds: r.seatIds,
        oldPolicyVersion: r.oldPolicyVersion, newPolicyVersion: r.newPolicyVersion, oldPolicyHash: r.oldPolicyHash, newPolicyHash: r.newPolicyHash,
        changes: r.changes, oldAmount: r.oldAmount, newAmount: r.newAmount, currency: r.currency, recoveries: r.recoveries,
        correlationId: r.correlationId, createdAt: r.createdAt.toISOString(),
      })),
    });
  });
  return router;
}
