-- Hand-written (schema.prisma cannot say partial indexes). The outbox relay polls for unpublished
-- events several times a second, and they are a handful among millions of published ones.
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events"("seq") WHERE "published_at" IS NULL;
