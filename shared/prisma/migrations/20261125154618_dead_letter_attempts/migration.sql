-- AlterTable
ALTER TABLE "dead_letters" ADD COLUMN     "attempts" INTEGER;
