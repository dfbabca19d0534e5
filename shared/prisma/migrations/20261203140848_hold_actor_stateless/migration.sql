-- Issue 15: a HoldActor keeps no actor state. What only its state kept is now in the hold's row:
-- the payment a confirmation asked for (written before any money moves) and how often the hold
-- was re-quoted. A booking's key and an offline payment are read from bookings and payments.
-- AlterTable
ALTER TABLE "holds" ADD COLUMN     "legacy_state" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "payment_request" JSONB,
ADD COLUMN     "policy_recoveries" INTEGER NOT NULL DEFAULT 0;

-- Holds placed before: their HoldActor may have actor state (a payment asked for, a booking), which
-- keeps winning for them. Every hold placed from now on is recorded only in its row.
UPDATE "holds" SET "legacy_state" = true;
