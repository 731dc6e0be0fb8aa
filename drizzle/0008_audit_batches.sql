ALTER TABLE "audit_log" ADD COLUMN "batch_id" text;--> statement-breakpoint
CREATE INDEX "audit_log_chain_idx" ON "audit_log" USING btree ("id") WHERE "audit_log"."batch_id" is null;