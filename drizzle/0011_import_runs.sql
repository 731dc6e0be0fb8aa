CREATE TABLE "import_runs" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "import_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" integer,
	"department_id" integer,
	"kind" text NOT NULL,
	"file_name" text,
	"rows" integer NOT NULL,
	"outcome" text NOT NULL,
	"first_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "import_runs_outcome_check" CHECK ("import_runs"."outcome" in ('applied', 'rejected')),
	CONSTRAINT "import_runs_file_name_length_check" CHECK (char_length("import_runs"."file_name") <= 200),
	CONSTRAINT "import_runs_first_error_length_check" CHECK (char_length("import_runs"."first_error") <= 500),
	CONSTRAINT "import_runs_rows_check" CHECK ("import_runs"."rows" >= 0)
);
--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_runs_department_id_created_at_idx" ON "import_runs" USING btree ("department_id","created_at");