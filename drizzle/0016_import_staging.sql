-- hand-edited: UNLOGGED — an import's rows live here only while it runs (see src/db/schema/imports.ts).
CREATE UNLOGGED TABLE "import_staging" (
	"import_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"code" text,
	"failed" boolean NOT NULL,
	"data" json,
	"first_row" integer,
	CONSTRAINT "import_staging_pkey" PRIMARY KEY("import_id","row_number")
);
