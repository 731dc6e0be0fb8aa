CREATE TABLE "supervision_reports" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "supervision_reports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"month" text NOT NULL,
	"version" integer NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"drafters" integer[] NOT NULL,
	"drafted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_by" integer,
	"submitted_at" timestamp with time zone,
	"decided_by" integer,
	"decided_at" timestamp with time zone,
	"return_comment" text,
	"number" text,
	"year" integer,
	"serial" integer,
	"supersedes_id" integer,
	"html" "bytea" NOT NULL,
	"xlsx" "bytea" NOT NULL,
	"html_sha256" text NOT NULL,
	"xlsx_sha256" text NOT NULL,
	"black_list" jsonb NOT NULL,
	CONSTRAINT "supervision_reports_state_check" CHECK ("supervision_reports"."state" in ('draft', 'submitted', 'returned', 'published')),
	CONSTRAINT "supervision_reports_month_check" CHECK ("supervision_reports"."month" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
	CONSTRAINT "supervision_reports_number_check" CHECK (("supervision_reports"."state" = 'published') = ("supervision_reports"."number" is not null and "supervision_reports"."year" is not null and "supervision_reports"."serial" is not null))
);
--> statement-breakpoint
ALTER TABLE "supervision_reports" ADD CONSTRAINT "supervision_reports_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supervision_reports" ADD CONSTRAINT "supervision_reports_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supervision_reports" ADD CONSTRAINT "supervision_reports_supersedes_id_supervision_reports_id_fk" FOREIGN KEY ("supersedes_id") REFERENCES "public"."supervision_reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "supervision_reports_month_version_key" ON "supervision_reports" USING btree ("month","version");--> statement-breakpoint
CREATE UNIQUE INDEX "supervision_reports_number_key" ON "supervision_reports" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "supervision_reports_year_serial_key" ON "supervision_reports" USING btree ("year","serial");--> statement-breakpoint
CREATE UNIQUE INDEX "supervision_reports_open_key" ON "supervision_reports" USING btree ("month") WHERE "supervision_reports"."state" <> 'published';--> statement-breakpoint
CREATE INDEX "supervision_reports_state_idx" ON "supervision_reports" USING btree ("state");--> statement-breakpoint
-- A published report is the document that went out: no change to it, and no deletion.
CREATE FUNCTION supervision_reports_published_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 'published' THEN
    RAISE EXCEPTION 'supervision report % (%) is published and cannot be changed', OLD.id, OLD.number
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;--> statement-breakpoint
CREATE TRIGGER supervision_reports_published_immutable BEFORE UPDATE OR DELETE ON supervision_reports
  FOR EACH ROW EXECUTE FUNCTION supervision_reports_published_immutable();
