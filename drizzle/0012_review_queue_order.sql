ALTER TABLE "data_centres" ADD COLUMN "pending_since" date DEFAULT ((now() at time zone 'Asia/Shanghai')::date) NOT NULL;--> statement-breakpoint
ALTER TABLE "private_networks" ADD COLUMN "pending_since" date DEFAULT ((now() at time zone 'Asia/Shanghai')::date) NOT NULL;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "pending_since" date DEFAULT ((now() at time zone 'Asia/Shanghai')::date) NOT NULL;--> statement-breakpoint
-- Fill pending_since from each record's history, as src/registry/pending-since.ts keeps it.
UPDATE "data_centres" e SET "pending_since" = coalesce(
  (select max(coalesce(t.effective_at, (t.recorded_at at time zone 'Asia/Shanghai')::date)) from transitions t
    where t.kind = 'data_centre' and t.entity_id = e.id and t.field = 'classification' and t.to_value = 'pending' and t.superseded_at is null),
  (e.created_at at time zone 'Asia/Shanghai')::date);--> statement-breakpoint
-- Fill pending_since from each record's history, as src/registry/pending-since.ts keeps it.
UPDATE "private_networks" e SET "pending_since" = coalesce(
  (select max(coalesce(t.effective_at, (t.recorded_at at time zone 'Asia/Shanghai')::date)) from transitions t
    where t.kind = 'private_network' and t.entity_id = e.id and t.field = 'classification' and t.to_value = 'pending' and t.superseded_at is null),
  (e.created_at at time zone 'Asia/Shanghai')::date);--> statement-breakpoint
-- Fill pending_since from each record's history, as src/registry/pending-since.ts keeps it.
UPDATE "systems" e SET "pending_since" = coalesce(
  (select max(coalesce(t.effective_at, (t.recorded_at at time zone 'Asia/Shanghai')::date)) from transitions t
    where t.kind = 'system' and t.entity_id = e.id and t.field = 'classification' and t.to_value = 'pending' and t.superseded_at is null),
  (e.created_at at time zone 'Asia/Shanghai')::date);--> statement-breakpoint
CREATE INDEX "data_centres_review_queue_idx" ON "data_centres" USING btree ("pending_since","code") WHERE "data_centres"."classification" = 'pending';--> statement-breakpoint
CREATE INDEX "private_networks_review_queue_idx" ON "private_networks" USING btree ("pending_since","code") WHERE "private_networks"."classification" = 'pending';--> statement-breakpoint
CREATE INDEX "systems_review_queue_idx" ON "systems" USING btree ("pending_since","code") WHERE "systems"."classification" = 'pending';