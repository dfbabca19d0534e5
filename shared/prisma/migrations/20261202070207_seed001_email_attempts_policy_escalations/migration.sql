-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "NotificationStatus" ADD VALUE 'DISABLED';
ALTER TYPE "NotificationStatus" ADD VALUE 'SKIPPED';

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "attempt_base" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "event" JSONB,
ADD COLUMN     "kind" TEXT,
ADD COLUMN     "next_attempt_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "notification_attempts" (
    "id" UUID NOT NULL,
    "notification_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT NOT NULL,
    "provider_status" INTEGER,
    "provider_answer" TEXT,
    "error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_escalations" (
    "id" UUID NOT NULL,
    "hold_id" UUID NOT NULL,
    "show_id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "customer_email" TEXT NOT NULL,
    "seat_ids" TEXT[],
    "old_policy_version" INTEGER NOT NULL,
    "new_policy_version" INTEGER NOT NULL,
    "old_policy_hash" TEXT NOT NULL,
    "new_policy_hash" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "old_amount" INTEGER,
    "new_amount" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "recoveries" INTEGER NOT NULL,
    "correlation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_escalations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_attempts_notification_id_attempt_key" ON "notification_attempts"("notification_id", "attempt");

-- CreateIndex
CREATE INDEX "policy_escalations_created_at_idx" ON "policy_escalations"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "policy_escalations_hold_id_new_policy_hash_key" ON "policy_escalations"("hold_id", "new_policy_hash");

-- AddForeignKey
ALTER TABLE "notification_attempts" ADD CONSTRAINT "notification_attempts_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
