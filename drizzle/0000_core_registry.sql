CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"source_ip" text,
	"action" text NOT NULL,
	"entity_kind" text NOT NULL,
	"entity_code" text,
	"result" text DEFAULT 'ok' NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "cloud_tenants" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "cloud_tenants_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cloud_id" integer NOT NULL,
	"department_id" integer NOT NULL,
	"external_id" text NOT NULL,
	"vcpu_quota" real DEFAULT 0 NOT NULL,
	"vcpu_used" real DEFAULT 0 NOT NULL,
	"memory_quota_gib" real DEFAULT 0 NOT NULL,
	"memory_used_gib" real DEFAULT 0 NOT NULL,
	"storage_quota_gib" real DEFAULT 0 NOT NULL,
	"storage_used_gib" real DEFAULT 0 NOT NULL,
	"workload_count" integer DEFAULT 0 NOT NULL,
	"last_report_at" timestamp with time zone,
	CONSTRAINT "cloud_tenants_cloud_external_key" UNIQUE("cloud_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "clouds" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "clouds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"role" text DEFAULT 'primary' NOT NULL,
	"provider" text NOT NULL,
	"region_code" text NOT NULL,
	"vcpu_capacity" integer DEFAULT 0 NOT NULL,
	"memory_capacity_gib" integer DEFAULT 0 NOT NULL,
	"storage_capacity_gib" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "clouds_code_key" UNIQUE("code"),
	CONSTRAINT "clouds_kind_check" CHECK ("clouds"."kind" in ('provincial', 'industry', 'city')),
	CONSTRAINT "clouds_role_check" CHECK ("clouds"."role" in ('primary', 'same_city_dr', 'remote_dr'))
);
--> statement-breakpoint
CREATE TABLE "departments" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "departments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"parent_id" integer,
	"kind" text NOT NULL,
	"path" text NOT NULL,
	"extranet_connected" boolean DEFAULT false NOT NULL,
	"extranet_connected_at" date,
	CONSTRAINT "departments_code_key" UNIQUE("code"),
	CONSTRAINT "departments_kind_check" CHECK ("departments"."kind" in ('government', 'institution', 'enterprise'))
);
--> statement-breakpoint
CREATE TABLE "timeline" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "timeline_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"entity_id" integer NOT NULL,
	"valid_from" date,
	"valid_to" date,
	"classification" text,
	"state" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "transitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"entity_id" integer NOT NULL,
	"field" text NOT NULL,
	"from_value" text,
	"to_value" text NOT NULL,
	"effective_at" date,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	"request_id" text,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "network_nodes" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "network_nodes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"tier" text NOT NULL,
	"probe_address" text,
	"commissioned" boolean DEFAULT false NOT NULL,
	"commissioned_at" date,
	"live_state" text DEFAULT 'unknown' NOT NULL,
	"latency_ms" real,
	"loss" real,
	"last_sample_at" timestamp with time zone,
	CONSTRAINT "network_nodes_code_key" UNIQUE("code"),
	CONSTRAINT "network_nodes_tier_check" CHECK ("network_nodes"."tier" in ('backbone', 'metro')),
	CONSTRAINT "network_nodes_live_state_check" CHECK ("network_nodes"."live_state" in ('up', 'degraded', 'down', 'unknown'))
);
--> statement-breakpoint
CREATE TABLE "private_networks" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "private_networks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"department_id" integer NOT NULL,
	"classification" text DEFAULT 'pending' NOT NULL,
	"state" text DEFAULT 'not_started' NOT NULL,
	"state_at" date,
	"evidence" text,
	CONSTRAINT "private_networks_code_key" UNIQUE("code"),
	CONSTRAINT "private_networks_classification_check" CHECK ("private_networks"."classification" in ('pending', 'non_classified', 'classified')),
	CONSTRAINT "private_networks_state_check" CHECK ("private_networks"."state" in ('not_started', 'migrating', 'interconnected', 'retired'))
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"parent_code" text,
	"path" text NOT NULL,
	CONSTRAINT "regions_level_check" CHECK ("regions"."level" in ('province', 'city', 'county', 'township'))
);
--> statement-breakpoint
CREATE TABLE "service_items" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "service_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"department_id" integer NOT NULL,
	"system_type" text NOT NULL,
	"integration_required" boolean DEFAULT true NOT NULL,
	"integrated" boolean DEFAULT false NOT NULL,
	"integrated_at" date,
	CONSTRAINT "service_items_code_key" UNIQUE("code"),
	CONSTRAINT "service_items_system_type_check" CHECK ("service_items"."system_type" in ('national', 'provincial', 'city', 'self_built'))
);
--> statement-breakpoint
CREATE TABLE "systems" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "systems_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"department_id" integer NOT NULL,
	"classification" text DEFAULT 'pending' NOT NULL,
	"state" text DEFAULT 'not_migrated' NOT NULL,
	"state_at" date,
	"cloud_id" integer,
	"tenant" text,
	"evidence" text,
	"verified_at" timestamp with time zone,
	CONSTRAINT "systems_code_key" UNIQUE("code"),
	CONSTRAINT "systems_classification_check" CHECK ("systems"."classification" in ('pending', 'non_classified', 'classified')),
	CONSTRAINT "systems_state_check" CHECK ("systems"."state" in ('not_migrated', 'migrating', 'migrated', 'retired'))
);
--> statement-breakpoint
ALTER TABLE "cloud_tenants" ADD CONSTRAINT "cloud_tenants_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cloud_tenants" ADD CONSTRAINT "cloud_tenants_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clouds" ADD CONSTRAINT "clouds_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_parent_id_departments_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "network_nodes" ADD CONSTRAINT "network_nodes_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "private_networks" ADD CONSTRAINT "private_networks_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_items" ADD CONSTRAINT "service_items_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "systems" ADD CONSTRAINT "systems_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_kind","entity_code");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "cloud_tenants_department_id_idx" ON "cloud_tenants" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "clouds_region_code_idx" ON "clouds" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "departments_region_code_idx" ON "departments" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "departments_parent_id_idx" ON "departments" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "departments_path_idx" ON "departments" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "timeline_entity_idx" ON "timeline" USING btree ("kind","entity_id");--> statement-breakpoint
CREATE INDEX "transitions_entity_idx" ON "transitions" USING btree ("kind","entity_id","field");--> statement-breakpoint
CREATE INDEX "network_nodes_region_code_idx" ON "network_nodes" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "private_networks_department_id_idx" ON "private_networks" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "regions_parent_code_idx" ON "regions" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "regions_path_idx" ON "regions" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "service_items_department_id_idx" ON "service_items" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "systems_department_id_idx" ON "systems" USING btree ("department_id");