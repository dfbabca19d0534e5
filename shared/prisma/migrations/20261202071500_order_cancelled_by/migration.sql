-- Seed 002 (issue 12): who cancelled an order (its customer or a manager) and which manager
-- credential approved or rejected it, written by the order routes after the OrderActor accepted.
-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "cancelled_by" JSONB,
ADD COLUMN     "decided_by" JSONB;
