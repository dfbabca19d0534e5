-- CreateEnum
CREATE TYPE "ManualReviewStatus" AS ENUM ('OPEN', 'RESOLVED');

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "refund_id" TEXT;

-- CreateTable
CREATE TABLE "manual_reviews" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "booking_id" UUID,
    "reason" TEXT NOT NULL,
    "data" JSONB,
    "status" "ManualReviewStatus" NOT NULL DEFAULT 'OPEN',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "manual_reviews_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "manual_reviews_kind_booking_id_key" ON "manual_reviews"("kind", "booking_id");
