-- Issue 13: the admin console's sessions, sign-in attempts and recorded actions, and who resolved a manual review.

-- AlterTable
ALTER TABLE "manual_reviews" ADD COLUMN     "resolution" TEXT,
ADD COLUMN     "resolved_at" TIMESTAMPTZ(3),
ADD COLUMN     "resolved_by" TEXT;

-- CreateTable
CREATE TABLE "admin_sessions" (
    "id" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "roles" TEXT[],
    "csrf_token" TEXT NOT NULL,
    "address" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_signin_attempts" (
    "id" BIGSERIAL NOT NULL,
    "user_name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_signin_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_actions" (
    "id" UUID NOT NULL,
    "user_name" TEXT NOT NULL,
    "roles" TEXT[],
    "session_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_kind" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "detail" JSONB,
    "correlation_id" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_actions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "admin_sessions_user_name_idx" ON "admin_sessions"("user_name");

-- CreateIndex
CREATE INDEX "admin_signin_attempts_user_name_at_idx" ON "admin_signin_attempts"("user_name", "at");

-- CreateIndex
CREATE INDEX "admin_signin_attempts_address_at_idx" ON "admin_signin_attempts"("address", "at");

-- CreateIndex
CREATE INDEX "admin_actions_target_kind_target_id_at_idx" ON "admin_actions"("target_kind", "target_id", "at");
