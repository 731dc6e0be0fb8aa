import type { z } from '@hono/zod-openapi';
import { builtInKinds, type ImportKind, importKinds } from '../registry/kinds/index.ts';
import type { ColumnSpec } from '../registry/kinds/types.ts';

/**
 * What a spreadsheet holds: its name, its columns and the schema each row must pass. Every
 * record kind is one; so are the files that are not records (the daily exchange counts).
 */
export interface Sheet {
  segment: string;
  columns: readonly ColumnSpec[];
  schemas: { input: z.ZodObject };
}

export type { ColumnSpec } from '../registry/kinds/types.ts';

/** Every spelling of a yes/no cell, compared lower-cased. */
export const booleanWords: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  是: true,
  否: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
};

/** Each built-in kind's spreadsheet columns, as its descriptor declares them. */
export const importColumns = Object.fromEntries(importKinds.map((kind) => [kind, builtInKinds[kind].columns])) as {
  readonly [K in ImportKind]: readonly ColumnSpec[];
};
