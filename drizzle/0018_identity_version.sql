CREATE TABLE "identity_version" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "identity_version" ("id", "version") VALUES (1, 0);
--> statement-breakpoint
-- Every change to who may do what moves the version, in the changing transaction (issue 19):
-- whatever path makes it, today's or a later one's, a cached principal cannot outlive it.
CREATE FUNCTION "bump_identity_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "identity_version" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "users_identity_version" AFTER UPDATE OR DELETE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_identity_version"();
--> statement-breakpoint
-- A session's last-seen touch changes nothing it may do; its end does.
CREATE TRIGGER "sessions_identity_version" AFTER DELETE ON "sessions"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_identity_version"();
--> statement-breakpoint
-- Likewise a token's last-used touch; anything else about it does.
CREATE TRIGGER "api_tokens_identity_version"
  AFTER UPDATE OF "revoked_at", "expires_at", "roles", "scope", "department_id", "user_id" OR DELETE ON "api_tokens"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_identity_version"();
--> statement-breakpoint
CREATE TRIGGER "security_policy_identity_version" AFTER UPDATE ON "security_policy"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_identity_version"();
--> statement-breakpoint
CREATE TRIGGER "login_lockouts_identity_version" AFTER INSERT OR UPDATE OR DELETE ON "login_lockouts"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_identity_version"();
