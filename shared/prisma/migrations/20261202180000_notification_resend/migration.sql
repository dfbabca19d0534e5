-- Issue 13: an admin resends a sent notification. The resend is a notification of its own, with its
-- own key (the original key, then -resend-1, -resend-2 ...), attempts and dead letter. The new
-- columns link it to the notification it repeats and name who asked for it.
-- AlterTable
ALTER TABLE "notifications" ADD COLUMN "resend_of" UUID,
ADD COLUMN "requested_by" TEXT;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_resend_of_fkey" FOREIGN KEY ("resend_of") REFERENCES "notifications"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "notifications_resend_of_idx" ON "notifications"("resend_of");
