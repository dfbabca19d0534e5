-- Written by hand: Prisma's schema cannot express a partial unique index.
-- At most one unreleased booking seat per show and seat: the last line against double-selling.
CREATE UNIQUE INDEX "booking_seats_sold_once" ON "booking_seats"("show_id", "seat_id") WHERE "released_at" IS NULL;
