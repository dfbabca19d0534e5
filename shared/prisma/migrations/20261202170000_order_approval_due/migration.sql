-- Issue 13: when an order's approval wait times out, recorded when the wait begins (the OrderActor's
-- deadline), so the admin console's approval queue counts down from a recorded time.
-- AlterTable
ALTER TABLE "orders" ADD COLUMN "approval_due_at" TIMESTAMPTZ(3);
