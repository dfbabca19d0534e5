-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "DeadLetterStatus" AS ENUM ('PENDING', 'REPLAYED', 'DISCARDED');

-- CreateTable
CREATE TABLE "dead_letters" (
    "id" UUID NOT NULL,
    "pubsub_name" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "dead_letter_topic" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "event" JSONB NOT NULL,
    "correlation_id" TEXT,
    "last_error" TEXT,
    "dead_letter_count" INTEGER NOT NULL DEFAULT 1,
    "status" "DeadLetterStatus" NOT NULL DEFAULT 'PENDING',
    "first_failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayed_at" TIMESTAMPTZ(3),

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dead_letters_topic_status_idx" ON "dead_letters"("topic", "status");

-- CreateIndex
CREATE UNIQUE INDEX "dead_letters_pubsub_name_topic_event_id_key" ON "dead_letters"("pubsub_name", "topic", "event_id");
