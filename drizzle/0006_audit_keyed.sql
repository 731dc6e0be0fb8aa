ALTER TABLE "audit_log" ADD COLUMN "key_id" text;--> statement-breakpoint
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
