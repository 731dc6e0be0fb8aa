CREATE TABLE "node_vantages" (
	"node_id" integer NOT NULL,
	"agent_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"up" boolean NOT NULL,
	"latency_ms" real,
	"loss" real NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "node_vantages_pkey" PRIMARY KEY("node_id","agent_id")
);
--> statement-breakpoint
CREATE TABLE "alert_conditions" (
	"fingerprint" text PRIMARY KEY NOT NULL,
	"rule" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alert_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"alert_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	CONSTRAINT "alert_events_type_check" CHECK ("alert_events"."type" in ('fired', 'acknowledged', 'resolved', 'reopened', 'escalated', 'silenced', 'unsilenced', 'inhibited', 'uninhibited'))
);
--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"rule" text PRIMARY KEY NOT NULL,
	"enabled" boolean NOT NULL,
	"severity" text NOT NULL,
	"for_seconds" integer NOT NULL,
	"thresholds" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "alert_rules_severity_check" CHECK ("alert_rules"."severity" in ('info', 'warning', 'critical'))
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"fingerprint" text NOT NULL,
	"rule" text NOT NULL,
	"severity" text NOT NULL,
	"state" text DEFAULT 'firing' NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_code" text NOT NULL,
	"subject_name" text NOT NULL,
	"region_code" text,
	"department_id" integer,
	"cloud_code" text,
	"agent_name" text,
	"summary" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_changed_at" timestamp with time zone NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"silenced_by" integer,
	"inhibited_by" integer,
	"occurrences" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "alerts_state_check" CHECK ("alerts"."state" in ('firing', 'acknowledged', 'resolved')),
	CONSTRAINT "alerts_severity_check" CHECK ("alerts"."severity" in ('info', 'warning', 'critical')),
	CONSTRAINT "alerts_subject_kind_check" CHECK ("alerts"."subject_kind" in ('node', 'agent', 'tenant', 'system', 'private_network', 'scope', 'prometheus'))
);
--> statement-breakpoint
CREATE TABLE "silences" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "silences_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"matchers" jsonb NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"recurrence" jsonb,
	"reason" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expired_at" timestamp with time zone,
	"expired_by" text
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notification_channels_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"to" text[] DEFAULT '{}'::text[] NOT NULL,
	"secret" text,
	"min_severity" text DEFAULT 'warning' NOT NULL,
	"regions" text[] DEFAULT '{}'::text[] NOT NULL,
	"rules" text[] DEFAULT '{}'::text[] NOT NULL,
	"group_wait_seconds" integer DEFAULT 30 NOT NULL,
	"repeat_interval_seconds" integer DEFAULT 14400 NOT NULL,
	"rate_per_minute" integer DEFAULT 20 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "notification_channels_name_key" UNIQUE("name"),
	CONSTRAINT "notification_channels_kind_check" CHECK ("notification_channels"."kind" in ('webhook', 'dingtalk', 'wecom', 'email')),
	CONSTRAINT "notification_channels_min_severity_check" CHECK ("notification_channels"."min_severity" in ('info', 'warning', 'critical'))
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"channel_id" integer NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"entries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"alert_ids" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"reason" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"claimed_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "notifications_state_check" CHECK ("notifications"."state" in ('queued', 'sent', 'failed', 'dead')),
	CONSTRAINT "notifications_reason_check" CHECK ("notifications"."reason" in ('firing', 'repeat', 'resolved', 'test'))
);
--> statement-breakpoint
ALTER TABLE "agents" DROP CONSTRAINT "agents_kind_check";--> statement-breakpoint
ALTER TABLE "node_vantages" ADD CONSTRAINT "node_vantages_node_id_network_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."network_nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_vantages" ADD CONSTRAINT "node_vantages_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "node_vantages_agent_id_idx" ON "node_vantages" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "alert_events_alert_id_idx" ON "alert_events" USING btree ("alert_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_fingerprint_key" ON "alerts" USING btree ("fingerprint") WHERE "alerts"."state" <> 'resolved';--> statement-breakpoint
CREATE INDEX "alerts_fingerprint_idx" ON "alerts" USING btree ("fingerprint","resolved_at");--> statement-breakpoint
CREATE INDEX "alerts_state_idx" ON "alerts" USING btree ("state","last_changed_at");--> statement-breakpoint
CREATE INDEX "alerts_started_at_idx" ON "alerts" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "alerts_region_code_idx" ON "alerts" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "silences_ends_at_idx" ON "silences" USING btree ("ends_at");--> statement-breakpoint
CREATE INDEX "notifications_due_idx" ON "notifications" USING btree ("state","next_attempt_at");--> statement-breakpoint
CREATE INDEX "notifications_channel_idx" ON "notifications" USING btree ("channel_id","created_at");--> statement-breakpoint
CREATE INDEX "notifications_alert_ids_idx" ON "notifications" USING gin ("alert_ids");--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_kind_check" CHECK ("agents"."kind" in ('cloud', 'network', 'alertmanager'));--> statement-breakpoint
-- Each agent's latest sample of each node so far, for the alert engine's vantage quorum.
INSERT INTO "node_vantages" ("node_id", "agent_id", "at", "up", "latency_ms", "loss", "since")
SELECT DISTINCT ON ("node_id", "agent_id") "node_id", "agent_id", "at", "up", "latency_ms", "loss", "at"
FROM "node_samples" ORDER BY "node_id", "agent_id", "at" DESC;
--> statement-breakpoint
-- Each vantage row is rewritten every round (30 s): room on its page keeps those updates HOT,
-- so the table does not bloat between vacuums (drizzle-kit cannot express fillfactor).
ALTER TABLE "node_vantages" SET (fillfactor = 50);
