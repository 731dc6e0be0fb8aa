CREATE TABLE "exchange_volumes" (
	"service_id" integer NOT NULL,
	"date" date NOT NULL,
	"count" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exchange_volumes_pkey" PRIMARY KEY("service_id","date"),
	CONSTRAINT "exchange_volumes_count_check" CHECK ("exchange_volumes"."count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "interface_service_consumers" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "interface_service_consumers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"service_id" integer NOT NULL,
	"system_id" integer NOT NULL,
	"added_at" date NOT NULL,
	"removed_at" date,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "interface_service_consumers_dates_check" CHECK ("interface_service_consumers"."removed_at" is null or "interface_service_consumers"."removed_at" >= "interface_service_consumers"."added_at")
);
--> statement-breakpoint
CREATE TABLE "interface_services" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "interface_services_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"department_id" integer NOT NULL,
	"provider_system_id" integer NOT NULL,
	"state" text DEFAULT 'planned' NOT NULL,
	"state_at" date,
	CONSTRAINT "interface_services_code_key" UNIQUE("code"),
	CONSTRAINT "interface_services_state_check" CHECK ("interface_services"."state" in ('planned', 'active', 'retired'))
);
--> statement-breakpoint
CREATE TABLE "extranet" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"name" text NOT NULL,
	"security_level" integer,
	"filing_number" text,
	"assessed_on" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "extranet_single_row_check" CHECK ("extranet"."id" = 1),
	CONSTRAINT "extranet_security_level_check" CHECK ("extranet"."security_level" is null or "extranet"."security_level" between 1 and 4)
);
--> statement-breakpoint
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
ALTER TABLE "agents" DROP CONSTRAINT "agents_kind_check";--> statement-breakpoint
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
ALTER TABLE "exchange_volumes" ADD CONSTRAINT "exchange_volumes_service_id_interface_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."interface_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interface_service_consumers" ADD CONSTRAINT "interface_service_consumers_service_id_interface_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."interface_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interface_service_consumers" ADD CONSTRAINT "interface_service_consumers_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interface_services" ADD CONSTRAINT "interface_services_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interface_services" ADD CONSTRAINT "interface_services_provider_system_id_systems_id_fk" FOREIGN KEY ("provider_system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decommission_requests" ADD CONSTRAINT "decommission_requests_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decommission_requests" ADD CONSTRAINT "decommission_requests_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exchange_volumes_date_idx" ON "exchange_volumes" USING btree ("date");--> statement-breakpoint
CREATE INDEX "interface_service_consumers_service_id_idx" ON "interface_service_consumers" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "interface_service_consumers_system_id_idx" ON "interface_service_consumers" USING btree ("system_id");--> statement-breakpoint
CREATE UNIQUE INDEX "interface_service_consumers_open_key" ON "interface_service_consumers" USING btree ("service_id","system_id") WHERE "interface_service_consumers"."removed_at" is null;--> statement-breakpoint
CREATE INDEX "interface_services_department_id_idx" ON "interface_services" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "interface_services_provider_system_id_idx" ON "interface_services" USING btree ("provider_system_id");--> statement-breakpoint
CREATE INDEX "decommission_requests_system_id_idx" ON "decommission_requests" USING btree ("system_id");--> statement-breakpoint
CREATE UNIQUE INDEX "decommission_requests_open_key" ON "decommission_requests" USING btree ("system_id") WHERE "decommission_requests"."status" = 'open';--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_dr_cloud_id_clouds_id_fk" FOREIGN KEY ("dr_cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_kind_check" CHECK ("agents"."kind" in ('cloud', 'network', 'alertmanager', 'exchange'));--> statement-breakpoint
ALTER TABLE "clouds" ADD CONSTRAINT "clouds_security_level_check" CHECK ("clouds"."security_level" is null or "clouds"."security_level" between 1 and 4);--> statement-breakpoint
ALTER TABLE "clouds" ADD CONSTRAINT "clouds_milestones_ordered_check" CHECK (coalesce("clouds"."planned_on", "clouds"."building_on", "clouds"."in_service_on", "clouds"."retired_on") is null or (
        coalesce("clouds"."planned_on", '-infinity') <= coalesce("clouds"."building_on", "clouds"."in_service_on", "clouds"."retired_on", 'infinity')
        and coalesce("clouds"."building_on", '-infinity') <= coalesce("clouds"."in_service_on", "clouds"."retired_on", 'infinity')
        and coalesce("clouds"."in_service_on", '-infinity') <= coalesce("clouds"."retired_on", 'infinity')));--> statement-breakpoint
ALTER TABLE "service_items" ADD CONSTRAINT "service_items_service_level_check" CHECK ("service_items"."service_level" in ('full_online', 'online_one_visit', 'offline_one_visit', 'multiple_visits'));--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_dr_site_check" CHECK ("systems"."dr_site" in ('same_city', 'remote'));--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_security_level_check" CHECK ("systems"."security_level" is null or "systems"."security_level" between 1 and 4);--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_recovery_targets_check" CHECK (coalesce("systems"."rto_minutes", 0) >= 0 and coalesce("systems"."rpo_minutes", 0) >= 0);