import type { z } from '@hono/zod-openapi';
import type { Column, SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.ts';
import type { Area } from '../../identity/access.ts';
import type { IndicatorKey } from '../../indicators/definitions.ts';
import type { FieldError } from '../../kernel/errors.ts';
import type { Label } from '../../vocabulary/records.ts';

/** A registry table: every record kind has an id, a unique code and its stamps. */
export type EntityTable = PgTable & { id: Column; code: Column; createdAt: Column; updatedAt: Column };

/** A record as the API, the spreadsheets and the audit trail see it: codes, snake_case. */
export interface KindRow {
  code: string;
  [field: string]: unknown;
}

/** How a spreadsheet cell's text becomes a field value before the zod schema checks it. */
export type ColumnSpec<F extends string = string> =
  | { field: F; alias: string; type: 'text' | 'boolean' | 'date' | 'number' }
  /** Codes separated by `;` (or `；`), an array in JSON. */
  | { field: F; alias: string; type: 'list' }
  | { field: F; alias: string; type: 'enum'; values: Readonly<Record<string, string>> };

/** How the department owning a row is found when the row does not name it (see `RecordKind.owner`). */
export interface OwnerRef {
  field: string;
  /** What a refusal says of the field: "is not a system of your department". */
  refusal: string;
  departmentCodes(db: Db, rows: readonly KindRow[]): Promise<(string | undefined)[]>;
}

/** A stored record seen as its input row, with its id. */
export interface StoredRow<I extends KindRow = KindRow> {
  id: number;
  view: I;
}

/** Codes a batch refers to, resolved once by the upsert. */
export interface References {
  regions: Set<string>;
  departments: Map<string, { id: number; path: string }>;
  clouds: Map<string, number>;
  /** Systems named by `provider_system_code` and `consumer_system_codes`, with their department. */
  systems: Map<string, { id: number; departmentId: number }>;
}

/** One row after validation: what to store, and the tracked state it declares. */
export interface Planned<I extends KindRow = KindRow> {
  index: number;
  input: I;
  stored?: StoredRow<I>;
  state: { value: string; since: string | null };
  classification?: string;
  /** Each tracked attribute's date as the history ends up with it (written to its `dateField`). */
  attributeSince?: Record<string, string | null>;
}

/** The state an entity is in and since when, read with its row locked. */
export interface CurrentState {
  id: number;
  state: string;
  since: string | null;
}

/** A list endpoint's paging and text filter; each kind adds its own filters. */
export interface KindFilter {
  limit: number;
  offset: number;
  /** Name or code contains (case-insensitive). */
  q?: string;
  [filter: string]: unknown;
}

/**
 * A field whose value over business time a figure reads (a service item's service level, a
 * system's 等保 level): each change is a transition, and the timeline carries the value in force.
 */
export interface TrackedAttribute {
  /** The row field (and the transitions' `field`). Values are kept as text; none is the empty text. */
  field: string;
  /** The value before any transition; absent: none. */
  initial?: string;
  /**
   * The row field giving the date the value holds since — the field itself for a date that is
   * its own effective date (an assessment's). Absent or empty: a change is dated today, and a
   * new record's value holds since always.
   */
  dateField?: string;
}

/** Columns read beside the stored view for the API item (a node's live state, a system's verification). */
export interface ItemExtras {
  columns: Record<string, SQL | Column>;
  item(row: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Everything a record kind is, in one declaration: the registry's routes, import and export,
 * OpenAPI entries, history, authorization and console derive from it. `I` is its input row,
 * `Item` what the API answers for one record. Members are methods so that a kind's
 * descriptor is also a plain `RecordKind`.
 */
export interface RecordKind<I extends KindRow = KindRow, Item extends I = I> {
  /** URL segment and import/export kind: `service-items`. */
  segment: string;
  /** The history's and the audit trail's name: `service_item`. */
  tracked: string;
  /** PascalCase singular and plural: operation ids and OpenAPI component names. */
  names: { one: string; many: string };
  label: Label;
  area: Area;
  table: EntityTable;
  /** The owning department's id column; absent for kinds no department owns. */
  ownerColumn?: Column;
  /**
   * For an owned kind whose rows do not name their department (an interface service is its
   * provider system's department's): the field that decides it, and each row's department
   * code (undefined when the field names nothing known). Absent: the row's `department_code`.
   */
  owner?: OwnerRef;
  /** The classification column a reviewer certifies (认定); absent for kinds without one. */
  classificationColumn?: Column;
  /** The API's schemas; the PATCH body and the transition body are derived from them. */
  schemas: {
    input: z.ZodObject & z.ZodType<I>;
    item: z.ZodType<Item>;
    /** The list endpoint's query: paging, `q` and the kind's own filters. */
    query: z.ZodObject;
  };
  /** The lifecycle: every state, the one before any transition, and the legal moves. */
  lifecycle: {
    states: readonly [string, ...string[]];
    initial: string;
    moves: Readonly<Record<string, readonly string[]>>;
    labels: Readonly<Record<string, Label>>;
    /** Fields only a transition may change; PATCH refuses them. */
    fields: readonly string[];
    /** The field holding the date the current state holds since. */
    dateField: string;
    /** Whether a reviewer certifies its classification (认定), kept in the history too. */
    classified: boolean;
  };
  /** Fields besides the state whose history the figures read. */
  trackedAttributes?: readonly TrackedAttribute[];
  /** Spreadsheet columns in export order: English header (the field) and Chinese alias. */
  columns: readonly ColumnSpec[];
  /** The indicators whose figures count this kind. */
  indicators: readonly IndicatorKey[];
  extras?: ItemExtras;
  /** Conditions of the kind's own list filters (paging and `q` are handled for every kind). */
  filters(db: Db, filter: KindFilter): Promise<(SQL | undefined)[]>;
  /** Stored rows as input rows: by code, or all of them in export order. */
  loadViews(db: Db, codes?: string[]): Promise<StoredRow<I>[]>;
  /** The tracked state a row declares, and since when. */
  declaredState(row: I): { value: string; since: string | null };
  declaredClassification?(row: I): string;
  /** Reference and consistency checks beyond the zod schema. */
  check(row: I, refs: References, fileCodes: Set<string>): FieldError[];
  /** Writes the rows' columns (state columns included) and returns code → id; `today` is the write's business date. */
  write(db: Db, rows: Planned<I>[], refs: References, today: string): Promise<Map<string, number>>;
  /** Locks the row (`for update`) and reads its current state. */
  lockState(db: Db, code: string): Promise<CurrentState | undefined>;
  /** Writes a new state; answers the "since" date it stored. */
  writeState(db: Db, id: number, state: string, effectiveAt: string): Promise<string | null>;
}

/** Any descriptor, whatever its row types. */
export type AnyRecordKind = RecordKind<KindRow, KindRow>;
