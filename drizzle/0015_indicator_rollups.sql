CREATE TABLE "rollup_checkpoints" (
	"month_end" date NOT NULL,
	"region_code" text NOT NULL,
	"indicator" text NOT NULL,
	"breakdown" text NOT NULL,
	"denominator" integer NOT NULL,
	"numerator" integer NOT NULL,
	"pending" integer NOT NULL,
	"items" integer NOT NULL,
	CONSTRAINT "rollup_checkpoints_pkey" PRIMARY KEY("month_end","region_code","indicator","breakdown")
);
--> statement-breakpoint
CREATE TABLE "rollup_deltas" (
	"department_id" integer NOT NULL,
	"indicator" text NOT NULL,
	"on_date" date NOT NULL,
	"breakdown" text NOT NULL,
	"denominator" integer NOT NULL,
	"numerator" integer NOT NULL,
	"pending" integer NOT NULL,
	"items" integer NOT NULL,
	CONSTRAINT "rollup_deltas_pkey" PRIMARY KEY("department_id","indicator","on_date","breakdown")
);
--> statement-breakpoint
CREATE TABLE "rollup_departments" (
	"department_id" integer PRIMARY KEY NOT NULL,
	"region_code" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_spans" (
	"indicator" text NOT NULL,
	"item_id" integer NOT NULL,
	"department_id" integer NOT NULL,
	"breakdown" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"denominator" smallint NOT NULL,
	"numerator" smallint NOT NULL,
	"pending" smallint NOT NULL,
	"items" smallint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"built" boolean NOT NULL,
	"first_month" date,
	"last_month" date,
	"rebuilt_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "rollup_deltas_date_idx" ON "rollup_deltas" USING btree ("on_date");--> statement-breakpoint
CREATE INDEX "rollup_spans_item_idx" ON "rollup_spans" USING btree ("indicator","item_id");--> statement-breakpoint
-- An empty registry's rollups are complete as they stand; one that already holds history waits for `yunwang rollups rebuild` (run at start-up).
INSERT INTO "rollup_state" ("id", "built") SELECT 1, NOT EXISTS (SELECT 1 FROM "timeline");
