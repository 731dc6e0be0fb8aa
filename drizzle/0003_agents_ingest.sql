CREATE TABLE "agents" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "agents_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"cloud_id" integer,
	"token_hash" text,
	"token_issued_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"version" text,
	"last_seen_at" timestamp with time zone,
	"next_report_seconds" integer,
	CONSTRAINT "agents_name_key" UNIQUE("name"),
	CONSTRAINT "agents_token_hash_key" UNIQUE("token_hash"),
	CONSTRAINT "agents_kind_check" CHECK ("agents"."kind" in ('cloud', 'network')),
	CONSTRAINT "agents_cloud_scope_check" CHECK (("agents"."kind" = 'cloud') = ("agents"."cloud_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "ingest_batches" (
	"agent_id" integer NOT NULL,
	"seq" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"item_count" integer NOT NULL,
	CONSTRAINT "ingest_batches_pkey" PRIMARY KEY("agent_id","seq")
);
--> statement-breakpoint
CREATE TABLE "node_samples" (
	"node_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"agent_id" integer NOT NULL,
	"up" boolean NOT NULL,
	"latency_ms" real,
	"loss" real NOT NULL,
	CONSTRAINT "node_samples_pkey" PRIMARY KEY("node_id","at","agent_id")
);
--> statement-breakpoint
ALTER TABLE "network_nodes" ADD COLUMN "live_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_cloud_id_clouds_id_fk" FOREIGN KEY ("cloud_id") REFERENCES "public"."clouds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_batches" ADD CONSTRAINT "ingest_batches_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_samples" ADD CONSTRAINT "node_samples_node_id_network_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."network_nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_samples" ADD CONSTRAINT "node_samples_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ingest_batches_received_at_idx" ON "ingest_batches" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "node_samples_at_brin_idx" ON "node_samples" USING brin ("at");--> statement-breakpoint
-- Hand-added: every probe round rewrites each node's live columns; free space in the pages
-- lets those updates stay HOT (no index writes). drizzle-kit cannot express fillfactor.
ALTER TABLE "network_nodes" SET (fillfactor = 50);
