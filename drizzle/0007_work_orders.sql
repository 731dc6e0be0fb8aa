CREATE TABLE "calendar_days" (
	"day" date PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "calendar_days_kind_check" CHECK ("calendar_days"."kind" in ('holiday', 'workday'))
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"priority" text PRIMARY KEY NOT NULL,
	"clock" text NOT NULL,
	"response_minutes" integer NOT NULL,
	"resolution_minutes" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "sla_policies_priority_check" CHECK ("sla_policies"."priority" in ('P1', 'P2', 'P3', 'P4')),
	CONSTRAINT "sla_policies_clock_check" CHECK ("sla_policies"."clock" in ('calendar', 'working')),
	CONSTRAINT "sla_policies_minutes_check" CHECK ("sla_policies"."response_minutes" > 0 and "sla_policies"."resolution_minutes" >= "sla_policies"."response_minutes")
);
--> statement-breakpoint
CREATE TABLE "work_order_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "work_order_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"work_order_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"from_state" text,
	"to_state" text,
	"note" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "work_order_events_type_check" CHECK ("work_order_events"."type" in ('created', 'updated', 'accepted', 'suspended', 'resumed', 'transferred', 'resolved', 'reopened', 'closed', 'cancelled', 'commented', 'at_risk', 'breached'))
);
--> statement-breakpoint
CREATE TABLE "work_order_sequences" (
	"year" integer PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_orders" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "work_orders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"code" text NOT NULL,
	"title" text NOT NULL,
	"category" text NOT NULL,
	"priority" text NOT NULL,
	"state" text DEFAULT 'new' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"subject_kind" text,
	"subject_code" text,
	"subject_name" text,
	"region_code" text,
	"reporter_id" integer,
	"reporter_name" text NOT NULL,
	"reporter_department_id" integer,
	"assignee_department_id" integer,
	"assignee_user_id" integer,
	"alert_id" integer,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"sla_clock" text NOT NULL,
	"response_seconds" integer NOT NULL,
	"resolution_seconds" integer NOT NULL,
	"response_due_at" timestamp with time zone NOT NULL,
	"resolution_due_at" timestamp with time zone NOT NULL,
	"paused_at" timestamp with time zone,
	"resolution_remaining_seconds" integer,
	"sla_state" text DEFAULT 'on_track' NOT NULL,
	"at_risk_at" timestamp with time zone,
	"breached_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "work_orders_code_key" UNIQUE("code"),
	CONSTRAINT "work_orders_category_check" CHECK ("work_orders"."category" in ('fault', 'change', 'request', 'rectification')),
	CONSTRAINT "work_orders_priority_check" CHECK ("work_orders"."priority" in ('P1', 'P2', 'P3', 'P4')),
	CONSTRAINT "work_orders_state_check" CHECK ("work_orders"."state" in ('new', 'accepted', 'suspended', 'transferred', 'resolved', 'closed', 'cancelled')),
	CONSTRAINT "work_orders_sla_clock_check" CHECK ("work_orders"."sla_clock" in ('calendar', 'working')),
	CONSTRAINT "work_orders_sla_state_check" CHECK ("work_orders"."sla_state" in ('on_track', 'at_risk', 'breached', 'met', 'paused')),
	CONSTRAINT "work_orders_subject_check" CHECK (("work_orders"."subject_kind" is null and "work_orders"."subject_code" is null) or ("work_orders"."subject_kind" in ('node', 'system', 'tenant', 'cloud', 'department', 'private_network') and "work_orders"."subject_code" is not null))
);
--> statement-breakpoint
CREATE TABLE "working_hours" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"timezone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"periods" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" DROP CONSTRAINT "alerts_subject_kind_check";--> statement-breakpoint
ALTER TABLE "work_order_events" ADD CONSTRAINT "work_order_events_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_reporter_id_users_id_fk" FOREIGN KEY ("reporter_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_reporter_department_id_departments_id_fk" FOREIGN KEY ("reporter_department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_assignee_department_id_departments_id_fk" FOREIGN KEY ("assignee_department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_assignee_user_id_users_id_fk" FOREIGN KEY ("assignee_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "work_order_events_order_idx" ON "work_order_events" USING btree ("work_order_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_alert_id_key" ON "work_orders" USING btree ("alert_id") WHERE "work_orders"."alert_id" is not null;--> statement-breakpoint
CREATE INDEX "work_orders_state_idx" ON "work_orders" USING btree ("state","priority");--> statement-breakpoint
CREATE INDEX "work_orders_assignee_department_idx" ON "work_orders" USING btree ("assignee_department_id");--> statement-breakpoint
CREATE INDEX "work_orders_reporter_department_idx" ON "work_orders" USING btree ("reporter_department_id");--> statement-breakpoint
CREATE INDEX "work_orders_created_at_idx" ON "work_orders" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "work_orders_sla_idx" ON "work_orders" USING btree ("sla_state","resolution_due_at");--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_subject_kind_check" CHECK ("alerts"."subject_kind" in ('node', 'agent', 'tenant', 'system', 'private_network', 'scope', 'prometheus', 'work_order'));--> statement-breakpoint
-- hand-written: work_order_defaults
-- Service levels of the issue: P1/P2 around the clock, P3/P4 in working time (a working day is
-- the length of the working hours' day: 7 h with the default hours below).
INSERT INTO "sla_policies" ("priority", "clock", "response_minutes", "resolution_minutes", "updated_by") VALUES
  ('P1', 'calendar', 15, 240, 'migration'),
  ('P2', 'calendar', 30, 480, 'migration'),
  ('P3', 'working', 240, 1260, 'migration'),
  ('P4', 'working', 420, 4200, 'migration');
--> statement-breakpoint
INSERT INTO "working_hours" ("id", "timezone", "periods", "updated_by") VALUES
  (1, 'Asia/Shanghai', '[{"start":"09:00","end":"12:00"},{"start":"13:30","end":"17:30"}]', 'migration');
--> statement-breakpoint
-- The State Council's holiday arrangements for 2025 and 2026, as published (see `source`).
INSERT INTO "calendar_days" ("day", "kind", "name", "source", "created_by") VALUES
  ('2025-01-01', 'holiday', '元旦', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-01-26', 'workday', '春节调休', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-01-28', 'holiday', '春节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-01-29', 'holiday', '春节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-01-30', 'holiday', '春节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-01-31', 'holiday', '春节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-02-01', 'holiday', '春节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-02-02', 'holiday', '春节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-02-03', 'holiday', '春节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-02-04', 'holiday', '春节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-02-08', 'workday', '春节调休', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-04-04', 'holiday', '清明节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-04-05', 'holiday', '清明节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-04-06', 'holiday', '清明节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-04-27', 'workday', '劳动节调休', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-05-01', 'holiday', '劳动节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-05-02', 'holiday', '劳动节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-05-03', 'holiday', '劳动节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-05-04', 'holiday', '劳动节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-05-05', 'holiday', '劳动节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-05-31', 'holiday', '端午节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-06-01', 'holiday', '端午节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-06-02', 'holiday', '端午节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-09-28', 'workday', '国庆节、中秋节调休', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-01', 'holiday', '国庆节、中秋节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-02', 'holiday', '国庆节、中秋节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-03', 'holiday', '国庆节、中秋节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-04', 'holiday', '国庆节、中秋节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-05', 'holiday', '国庆节、中秋节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-06', 'holiday', '国庆节、中秋节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-07', 'holiday', '国庆节、中秋节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-08', 'holiday', '国庆节、中秋节', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2025-10-11', 'workday', '国庆节、中秋节调休', '国办发明电〔2024〕12号 (2024-11-12)', 'migration'),
  ('2026-01-01', 'holiday', '元旦', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-01-02', 'holiday', '元旦', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-01-03', 'holiday', '元旦', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-01-04', 'workday', '元旦调休', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-14', 'workday', '春节调休', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-15', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-16', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-17', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-18', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-19', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-20', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-21', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-22', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-23', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-02-28', 'workday', '春节调休', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-04-04', 'holiday', '清明节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-04-05', 'holiday', '清明节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-04-06', 'holiday', '清明节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-05-01', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-05-02', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-05-03', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-05-04', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-05-05', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-05-09', 'workday', '劳动节调休', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-06-19', 'holiday', '端午节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-06-20', 'holiday', '端午节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-06-21', 'holiday', '端午节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-09-20', 'workday', '国庆节调休', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-09-25', 'holiday', '中秋节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-09-26', 'holiday', '中秋节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-09-27', 'holiday', '中秋节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-10-01', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-10-02', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-10-03', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-10-04', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-10-05', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-10-06', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-10-07', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration'),
  ('2026-10-10', 'workday', '国庆节调休', '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)', 'migration');
