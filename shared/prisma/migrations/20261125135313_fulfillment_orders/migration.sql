-- CreateEnum
CREATE TYPE "OrderStatus" AS ENUM ('awaiting_approval', 'approved', 'rejected', 'processing', 'shipped', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "orders" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "customer_email" TEXT NOT NULL,
    "items" JSONB NOT NULL,
    "total_amount" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "shipping_address" JSONB NOT NULL,
    "approval_timeout_seconds" INTEGER NOT NULL,
    "status" "OrderStatus" NOT NULL DEFAULT 'processing',
    "progress" INTEGER NOT NULL DEFAULT 0,
    "current_step" TEXT,
    "completed_steps" JSONB NOT NULL DEFAULT '[]',
    "compensations" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "approved_by" TEXT,
    "rejection_reason" TEXT,
    "correlation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "orders_customer_id_created_at_idx" ON "orders"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "orders_status_created_at_idx" ON "orders"("status", "created_at");

-- CreateIndex
CREATE INDEX "orders_total_amount_idx" ON "orders"("total_amount");

-- CreateIndex
CREATE INDEX "orders_created_at_idx" ON "orders"("created_at");
