CREATE TABLE "registry_version" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO "registry_version" ("id", "version") VALUES (1, 0);
