-- AlterTable
ALTER TABLE "shows" ADD COLUMN     "cancellation_cutoff_minutes" INTEGER;

-- CreateTable
CREATE TABLE "booking_cancellations" (
    "booking_id" UUID NOT NULL,
    "by" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "refund_amount" INTEGER NOT NULL,
    "tickets_amount" INTEGER NOT NULL,
    "concessions_amount" INTEGER NOT NULL,
    "fee" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "policy_decision" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "booking_cancellations_pkey" PRIMARY KEY ("booking_id")
);
