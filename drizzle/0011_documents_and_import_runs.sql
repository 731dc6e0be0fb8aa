CREATE TABLE "document_links" (
	"document_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"subject_id" integer NOT NULL,
	"department_id" integer,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_links_document_id_subject_subject_id_pk" PRIMARY KEY("document_id","subject","subject_id"),
	CONSTRAINT "document_links_subject_check" CHECK ("document_links"."subject" in ('certification', 're_review', 'work_order'))
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"media_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage" text NOT NULL,
	"content" "bytea",
	"object_key" text,
	"uploaded_by" integer NOT NULL,
	"department_id" integer,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_storage_check" CHECK ("documents"."storage" in ('database', 's3')),
	CONSTRAINT "documents_bytes_check" CHECK ("documents"."bytes" >= 0),
	CONSTRAINT "documents_storage_content_check" CHECK (("documents"."storage" = 'database' and "documents"."content" is not null) or ("documents"."storage" = 's3' and "documents"."object_key" is not null))
);
--> statement-breakpoint
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
ALTER TABLE "document_links" ADD CONSTRAINT "document_links_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_links" ADD CONSTRAINT "document_links_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "document_links_subject_idx" ON "document_links" USING btree ("subject","subject_id");--> statement-breakpoint
CREATE INDEX "documents_uploaded_by_idx" ON "documents" USING btree ("uploaded_by");--> statement-breakpoint
CREATE INDEX "import_runs_department_id_created_at_idx" ON "import_runs" USING btree ("department_id","created_at");