-- CreateEnum
CREATE TYPE "ConcessionOrderStatus" AS ENUM ('PENDING', 'PREPARING', 'CANCELLED');

-- CreateTable
CREATE TABLE "concession_items" (
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "price" INTEGER NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "concession_items_pkey" PRIMARY KEY ("sku")
);

-- CreateTable
CREATE TABLE "concession_orders" (
    "id" UUID NOT NULL,
    "booking_id" UUID NOT NULL,
    "show_id" UUID NOT NULL,
    "items" JSONB NOT NULL,
    "amount" INTEGER NOT NULL,
    "status" "ConcessionOrderStatus" NOT NULL DEFAULT 'PENDING',
    "prep_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "concession_orders_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "concession_orders_booking_id_key" ON "concession_orders"("booking_id");

-- CreateIndex
CREATE INDEX "concession_orders_status_prep_at_idx" ON "concession_orders"("status", "prep_at");
