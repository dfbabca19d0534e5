-- Dead letters re-processed on their own (seed 004: every 15 minutes), a bounded number of times,
-- then left for a person (MANUAL_REVIEW). failure_kind says whether a retry can help.
-- AlterEnum
ALTER TYPE "DeadLetterStatus" ADD VALUE 'MANUAL_REVIEW';

-- AlterTable
ALTER TABLE "dead_letters" ADD COLUMN     "auto_replays" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "failure_kind" TEXT,
ADD COLUMN     "last_auto_replay_at" TIMESTAMPTZ(3),
ADD COLUMN     "manual_review_reason" TEXT;
