CREATE INDEX "timeline_valid_from_idx" ON "timeline" USING btree ("valid_from");--> statement-breakpoint
CREATE INDEX "transitions_effective_at_idx" ON "transitions" USING btree ("effective_at");