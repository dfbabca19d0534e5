-- AlterEnum
ALTER TYPE "BookingStatus" ADD VALUE 'REFUNDING';

-- CreateIndex
CREATE INDEX "notifications_topic_event_id_idx" ON "notifications"("topic", "event_id");

-- CreateIndex
CREATE INDEX "refund_jobs_event_id_idx" ON "refund_jobs"("event_id");
