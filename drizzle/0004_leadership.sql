CREATE TABLE "snapshot_figures" (
	"snapshot_id" integer NOT NULL,
	"scope" text NOT NULL,
	"indicator" text NOT NULL,
	"numerator" integer NOT NULL,
	"denominator" integer NOT NULL,
	"pending" integer NOT NULL,
	"breakdown" jsonb,
	CONSTRAINT "snapshot_figures_pkey" PRIMARY KEY("snapshot_id","scope","indicator")
);
--> statement-breakpoint
CREATE TABLE "snapshot_scopes" (
	"snapshot_id" integer NOT NULL,
	"scope" text NOT NULL,
	"kind" text NOT NULL,
	"level" text NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"parent_code" text,
	CONSTRAINT "snapshot_scopes_pkey" PRIMARY KEY("snapshot_id","scope"),
	CONSTRAINT "snapshot_scopes_level_check" CHECK ("snapshot_scopes"."level" in ('province', 'city', 'county', 'department'))
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"month" text NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"status" text NOT NULL,
	"as_of" date NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"requested_by" text NOT NULL,
	"frozen_at" timestamp with time zone,
	"frozen_by" text,
	"reason" text,
	"registry_version" bigint,
	"scope_count" integer DEFAULT 0 NOT NULL,
	"figure_count" integer DEFAULT 0 NOT NULL,
	"duration_ms" integer,
	"superseded_at" timestamp with time zone,
	CONSTRAINT "snapshots_month_revision_key" UNIQUE("month","revision"),
	CONSTRAINT "snapshots_status_check" CHECK ("snapshots"."status" in ('pending', 'frozen', 'superseded')),
	CONSTRAINT "snapshots_month_check" CHECK ("snapshots"."month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
CREATE TABLE "targets" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "targets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"indicator" text NOT NULL,
	"scope" text NOT NULL,
	"scope_kind" text NOT NULL,
	"deadline" date NOT NULL,
	"ratio" double precision NOT NULL,
	"note" text,
	CONSTRAINT "targets_indicator_scope_deadline_key" UNIQUE("indicator","scope","deadline"),
	CONSTRAINT "targets_ratio_check" CHECK ("targets"."ratio" >= 0 and "targets"."ratio" <= 1),
	CONSTRAINT "targets_scope_kind_check" CHECK ("targets"."scope_kind" in ('province', 'city', 'all_cities', 'department', 'all_departments'))
);
--> statement-breakpoint
ALTER TABLE "snapshot_figures" ADD CONSTRAINT "snapshot_figures_snapshot_id_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshot_scopes" ADD CONSTRAINT "snapshot_scopes_snapshot_id_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "snapshot_figures_scope_idx" ON "snapshot_figures" USING btree ("scope","indicator");--> statement-breakpoint
CREATE INDEX "snapshot_scopes_level_idx" ON "snapshot_scopes" USING btree ("snapshot_id","level");--> statement-breakpoint
CREATE UNIQUE INDEX "snapshots_month_current_key" ON "snapshots" USING btree ("month") WHERE "snapshots"."status" <> 'superseded';--> statement-breakpoint
CREATE INDEX "targets_scope_idx" ON "targets" USING btree ("scope");