CREATE TABLE "data_centres" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "data_centres_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"department_id" integer NOT NULL,
	"classification" text DEFAULT 'pending' NOT NULL,
	"state" text DEFAULT 'in_use' NOT NULL,
	"state_at" date,
	"region_code" text NOT NULL,
	"racks" integer,
	"floor_area_m2" double precision,
	CONSTRAINT "data_centres_code_key" UNIQUE("code"),
	CONSTRAINT "data_centres_classification_check" CHECK ("data_centres"."classification" in ('pending', 'non_classified', 'classified')),
	CONSTRAINT "data_centres_state_check" CHECK ("data_centres"."state" in ('in_use', 'consolidating', 'consolidated', 'closed')),
	CONSTRAINT "data_centres_racks_check" CHECK ("data_centres"."racks" is null or "data_centres"."racks" >= 0),
	CONSTRAINT "data_centres_floor_area_m2_check" CHECK ("data_centres"."floor_area_m2" is null or "data_centres"."floor_area_m2" >= 0)
);
--> statement-breakpoint
ALTER TABLE "data_centres" ADD CONSTRAINT "data_centres_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "data_centres" ADD CONSTRAINT "data_centres_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "data_centres_department_id_idx" ON "data_centres" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "data_centres_region_code_idx" ON "data_centres" USING btree ("region_code");