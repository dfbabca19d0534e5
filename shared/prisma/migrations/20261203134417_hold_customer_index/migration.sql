-- Issue 15: the per-customer cap of a placement (place_hold) counts that customer's active holds on
-- the show; by (show, status) alone it read every active hold of the show, thousands in a ticket drop.
-- CreateIndex
CREATE INDEX "holds_show_id_customer_id_status_idx" ON "holds"("show_id", "customer_id", "status");
