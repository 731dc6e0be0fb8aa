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
ALTER TABLE "agents" DROP CONSTRAINT "agents_kind_check";--> statement-breakpoint
ALTER TABLE "exchange_volumes" ADD CONSTRAINT "exchange_volumes_service_id_interface_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."interface_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interface_service_consumers" ADD CONSTRAINT "interface_service_consumers_service_id_interface_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."interface_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interface_service_consumers" ADD CONSTRAINT "interface_service_consumers_system_id_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interface_services" ADD CONSTRAINT "interface_services_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interface_services" ADD CONSTRAINT "interface_services_provider_system_id_systems_id_fk" FOREIGN KEY ("provider_system_id") REFERENCES "public"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exchange_volumes_date_idx" ON "exchange_volumes" USING btree ("date");--> statement-breakpoint
CREATE INDEX "interface_service_consumers_service_id_idx" ON "interface_service_consumers" USING btree ("service_id");--> statement-breakpoint
CREATE INDEX "interface_service_consumers_system_id_idx" ON "interface_service_consumers" USING btree ("system_id");--> statement-breakpoint
CREATE UNIQUE INDEX "interface_service_consumers_open_key" ON "interface_service_consumers" USING btree ("service_id","system_id") WHERE "interface_service_consumers"."removed_at" is null;--> statement-breakpoint
CREATE INDEX "interface_services_department_id_idx" ON "interface_services" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "interface_services_provider_system_id_idx" ON "interface_services" USING btree ("provider_system_id");--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_kind_check" CHECK ("agents"."kind" in ('cloud', 'network', 'alertmanager', 'exchange'));