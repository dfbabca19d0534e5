-- AlterEnum
ALTER TYPE "OrderStatus" ADD VALUE 'pending_dp';

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "customer_phone" TEXT;

-- CreateTable
CREATE TABLE "order_jobs" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "order_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "order_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "order_jobs_type_status_idx" ON "order_jobs"("type", "status");

-- CreateIndex
CREATE INDEX "order_jobs_order_id_idx" ON "order_jobs"("order_id");
