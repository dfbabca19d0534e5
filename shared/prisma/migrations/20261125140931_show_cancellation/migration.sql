-- AlterTable
ALTER TABLE "shows" ADD COLUMN     "cancellation_reason" TEXT,
ADD COLUMN     "cancellation_summary" JSONB,
ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3);
