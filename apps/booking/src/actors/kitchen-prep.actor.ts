/**
 * KitchenPrepActor (one per concession order): a reminder at showtime minus the prep lead moves
 * the order to PREPARING, then and not before. Cancelling the order (booking or show cancelled)
 * removes the reminder.
 */
import { AbstractActor } from '@dapr/dapr';
import type { Logger } from 'pino';
import { ACTOR_TYPES, invokeActor, registerActorReminderAt, type PrismaClient, type SidecarSettings } from '@holdfast/shared';

const PREP_REMINDER = 'prep';
/** The prep reminder's period after its due time: a firing that could not move the order is followed by another this much later. */
const PREP_RETRY_SECONDS = 2;

export function createKitchenPrepActor(deps: { prisma: PrismaClient; logger: Logger; sidecar: SidecarSettings }) {
  return class KitchenPrepActor extends AbstractActor {
    /** Idempotent: registering again replaces the reminder with one for the same instant. */
    async schedule(command: { prepAt: string }): Promise<{ scheduled: boolean }> {
      const order = await deps.prisma.concessionOrder.findUnique({ where: { id: this.getActorId().getId() } });
      if (!order || order.status !== 'PENDING') return { scheduled: false };
      // Due at the prep instant itself (a registration held up by a reconnecting sidecar does not
      // move it). Periodic after it, as the hold's expiry: a firing the scheduler drops after its
      // few quick retries (this app restarting, its sidecar reconnecting) is followed by another;
      // the first firing that finds the order no longer PENDING removes it.
      await registerActorReminderAt(deps.sidecar, ACTOR_TYPES.kitchenPrep, this.getActorId().getId(), PREP_REMINDER, { dueAt: new Date(command.prepAt), periodSeconds: PREP_RETRY_SECONDS });
      return { scheduled: true };
    }

    async cancel(): Promise<{ cancelled: boolean }> {
      const { count } = await deps.prisma.concessionOrder.updateMany({ where: { id: this.getActorId().getId(), status: 'PENDING' }, data: { status: 'CANCELLED' } });
      if (count > 0) await this.unregisterActorReminder(PREP_REMINDER);
      return { cancelled: count > 0 };
    }

    override async receiveReminder(): Promise<void> {
      try {
        // Not for a cancelled show, even if its clean-up has not reached this order yet.
        const order = await deps.prisma.concessionOrder.findUnique({ where: { id: this.getActorId().getId() } });
        const show = order ? await deps.prisma.show.findUnique({ where: { id: order.showId }, select: { status: true } }) : null;
        const status = show?.status === 'CANCELLED' ? 'CANCELLED' : 'PREPARING';
        const { count } = await deps.prisma.concessionOrder.updateMany({ where: { id: this.getActorId().getId(), status: 'PENDING' }, data: { status } });
        if (count > 0 && status === 'PREPARING') deps.logger.info({ concessionOrderId: this.getActorId().getId() }, 'kitchen prep started');
        await this.unregisterActorReminder(PREP_REMINDER);
      } catch (error) {
        // The reminder's period is the retry.
        deps.logger.error({ err: error, concessionOrderId: this.getActorId().getId() }, 'kitchen prep failed; retrying');
      }
    }
  };
}

/** Asks every pending order's actor to (re)register its reminder; failures are logged, not fatal. */
export async function reschedulePendingKitchenPrep(
  bookings: { pendingConcessionOrders(): Promise<Array<{ id: string; prepAt: Date }>> },
  sidecar: SidecarSettings,
  logger: Logger,
): Promise<void> {
  try {
    const orders = await bookings.pendingConcessionOrders();
    for (const order of orders) {
      await invokeActor(sidecar, ACTOR_TYPES.kitchenPrep, order.id, 'schedule', { prepAt: order.prepAt.toISOString() });
    }
    if (orders.length > 0) logger.info({ orders: orders.length }, 'kitchen prep reminders re-registered');
  } catch (error) {
    logger.error({ err: error }, 'could not re-register kitchen prep reminders');
  }
}
