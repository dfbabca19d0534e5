-- CreateEnum
CREATE TYPE "PaymentMethod" AS ENUM ('CARD', 'CASH', 'CARD_TERMINAL', 'TRANSFER');

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "method" "PaymentMethod" NOT NULL DEFAULT 'CARD',
ADD COLUMN     "recorded_by" TEXT,
ADD COLUMN     "reference" TEXT,
ALTER COLUMN "authorization_id" DROP NOT NULL;
