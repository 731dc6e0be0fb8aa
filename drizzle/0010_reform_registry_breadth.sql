CREATE TABLE "decommission_requests" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "decommission_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"system_id" integer NOT NULL,
	"reason" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"decided_by" integer,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"retired_on" date,
	CONSTRAINT "decommission_requests_status_check" CHECK ("decommission_requests"."status" in ('open', 'confirmed', 'rejected'))
);
--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "planned_on" date;--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "building_on" date;--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "in_service_on" date;--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "retired_on" date;--> statement-breakpoint
ALTER TABLE "clouds" ADD COLUMN "security_level" integer;--> statement-breakpoint
ALTER TABLE "timeline" ADD COLUMN "attributes" jsonb;--> statement-breakpoint
ALTER TABLE "service_items" ADD COLUMN "service_level" text DEFAULT 'multiple_visits' NOT NULL;--> statement-breakpoint
ALTER TABLE "service_items" ADD COLUMN "service_level_since" date;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "security_level" integer;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "filing_number" text;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "assessed_on" date;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "dr_site" text;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "dr_cloud_id" integer;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "rto_minutes" integer;--> statement-breakpoint
ALTER TABLE "systems" ADD COLUMN "rpo_minutes" integer;--> statement-breakpoint
ALTER TABLE "decommission_requests" ADD CONSTRAINT "decommission_requests_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decommission_requests" ADD CONSTRAINT "decommission_requests_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "decommission_requests_system_id_idx" ON "decommission_requests" USING btree ("system_id");--> statement-breakpoint
CREATE UNIQUE INDEX "decommission_requests_open_key" ON "decommission_requests" USING btree ("system_id") WHERE "decommission_requests"."status" = 'open';--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_dr_cloud_id_clouds_id_fk" FOREIGN KEY ("dr_cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clouds" ADD CONSTRAINT "clouds_security_level_check" CHECK ("clouds"."security_level" is null or "clouds"."security_level" between 1 and 4);--> statement-breakpoint
ALTER TABLE "clouds" ADD CONSTRAINT "clouds_milestones_ordered_check" CHECK (coalesce("clouds"."planned_on", "clouds"."building_on", "clouds"."in_service_on", "clouds"."retired_on") is null or (
        coalesce("clouds"."planned_on", '-infinity') <= coalesce("clouds"."building_on", "clouds"."in_service_on", "clouds"."retired_on", 'infinity')
        and coalesce("clouds"."building_on", '-infinity') <= coalesce("clouds"."in_service_on", "clouds"."retired_on", 'infinity')
        and coalesce("clouds"."in_service_on", '-infinity') <= coalesce("clouds"."retired_on", 'infinity')));--> statement-breakpoint
ALTER TABLE "service_items" ADD CONSTRAINT "service_items_service_level_check" CHECK ("service_items"."service_level" in ('full_online', 'online_one_visit', 'offline_one_visit', 'multiple_visits'));--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_dr_site_check" CHECK ("systems"."dr_site" in ('same_city', 'remote'));--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_security_level_check" CHECK ("systems"."security_level" is null or "systems"."security_level" between 1 and 4);--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_recovery_targets_check" CHECK (coalesce("systems"."rto_minutes", 0) >= 0 and coalesce("systems"."rpo_minutes", 0) >= 0);