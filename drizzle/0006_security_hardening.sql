CREATE TABLE "password_resets" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "password_resets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" integer NOT NULL,
	"requested_by" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"approved_by" integer,
	"approved_at" timestamp with time zone,
	CONSTRAINT "password_resets_status_check" CHECK ("password_resets"."status" in ('pending', 'approved')),
	CONSTRAINT "password_resets_four_eyes" CHECK ("password_resets"."approved_by" is null or ("password_resets"."approved_by" <> "password_resets"."requested_by" and "password_resets"."approved_by" <> "password_resets"."user_id"))
);
--> statement-breakpoint
CREATE TABLE "user_notices" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "user_notices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" integer NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"shown_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "login_attempts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "login_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"address" text NOT NULL,
	"attempted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_lockouts" (
	"user_id" integer NOT NULL,
	"address" text NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "login_lockouts_pkey" PRIMARY KEY("user_id","address")
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "key_id" text;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "roles" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "department_id" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_last_step" integer;--> statement-breakpoint
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_notices" ADD CONSTRAINT "user_notices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "login_lockouts" ADD CONSTRAINT "login_lockouts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "password_resets_user_id_idx" ON "password_resets" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "user_notices_user_id_idx" ON "user_notices" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "login_attempts_address_attempted_at_idx" ON "login_attempts" USING btree ("address","attempted_at");--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_department_reviewer_separated" CHECK (not ('department' = any("users"."roles") and 'reviewer' = any("users"."roles")));--> statement-breakpoint
--> statement-breakpoint
-- hand-written: roles_tokens
-- Tokens issued before this migration keep what their user holds now; later grants are not inherited.
UPDATE "api_tokens" t SET "roles" = u."roles", "department_id" = u."department_id" FROM "users" u WHERE u."id" = t."user_id";
--> statement-breakpoint
-- hand-written: audit_keyed
-- The server's own database role (yunwang_runtime, a group its login role is a member of) may
-- read and write the application's tables but only INSERT and SELECT the audit trail; it owns
-- nothing, so it cannot ALTER the table (disable the append-only trigger) or TRUNCATE it.
-- Migrations run as the owner. `yunwang migrate` calls this again after each run, so tables of
-- later migrations, and a yunwang_runtime created after this migration, get their grants too.
CREATE OR REPLACE FUNCTION yunwang_grant_runtime() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yunwang_runtime') THEN
    IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
      RAISE NOTICE 'no role yunwang_runtime, and % may not create it: create it (NOLOGIN) and migrate again', current_user;
      RETURN;
    END IF;
    CREATE ROLE yunwang_runtime NOLOGIN;
  END IF;
  GRANT USAGE ON SCHEMA public TO yunwang_runtime;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO yunwang_runtime;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO yunwang_runtime;
  REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM yunwang_runtime;
  -- The server checks that the migrations are applied before it serves.
  IF to_regclass('drizzle.__drizzle_migrations') IS NOT NULL THEN
    GRANT USAGE ON SCHEMA drizzle TO yunwang_runtime;
    GRANT SELECT ON drizzle.__drizzle_migrations TO yunwang_runtime;
  END IF;
END $$;--> statement-breakpoint
SELECT yunwang_grant_runtime();
