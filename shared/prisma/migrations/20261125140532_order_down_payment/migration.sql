-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "down_payment_amount" INTEGER;
