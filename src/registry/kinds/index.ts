import type { z } from '@hono/zod-openapi';
import { AppError } from '../../kernel/errors.ts';
import { dataCentresKind } from './data-centres.ts';
import { departmentsKind } from './departments.ts';
import { interfaceServicesKind } from './interface-services.ts';
import { networkNodesKind } from './network-nodes.ts';
import { privateNetworksKind } from './private-networks.ts';
import { serviceItemsKind } from './service-items.ts';
import { systemsKind } from './systems.ts';
import type { AnyRecordKind, RecordKind } from './types.ts';

export type { AnyRecordKind, ColumnSpec, KindFilter, KindRow, RecordKind, StoredRow } from './types.ts';

/**
 * The registry's record kinds by URL segment. A new kind is one file in this folder and one
 * line here; routes, import, export, OpenAPI, history and authorization follow from it.
 */
export const builtInKinds = {
  departments: departmentsKind,
  systems: systemsKind,
  'private-networks': privateNetworksKind,
  'service-items': serviceItemsKind,
  'network-nodes': networkNodesKind,
  'data-centres': dataCentresKind,
  'interface-services': interfaceServicesKind,
} as const;

export type ImportKind = keyof typeof builtInKinds;
export const importKinds = Object.keys(builtInKinds) as [ImportKind, ...ImportKind[]];

type InputOf<D> = D extends RecordKind<infer I, infer _Item> ? I : never;
type ItemOf<D> = D extends RecordKind<infer _I, infer Item> ? Item : never;

/** Each built-in kind's input row: what the API creates, a spreadsheet holds and the upsert writes. */
export type InputByKind = { [K in ImportKind]: InputOf<(typeof builtInKinds)[K]> };
/** A record as the API shows it: its input view plus its stamps. */
export type RecordItem<K extends ImportKind> = ItemOf<(typeof builtInKinds)[K]>;

export const inputSchemas = Object.fromEntries(importKinds.map((kind) => [kind, builtInKinds[kind].schemas.input])) as {
  [K in ImportKind]: (typeof builtInKinds)[K]['schemas']['input'] & z.ZodType<InputByKind[K]>;
};

const extraKinds = new Map<string, AnyRecordKind>();

/**
 * Adds a kind beside the built-in ones before the app is built. Only the tests do: the kind's
 * table must exist, and its routes are registered by the next `createApp`.
 */
export function registerRecordKind(kind: AnyRecordKind): void {
  if (kind.segment in builtInKinds || extraKinds.has(kind.segment)) throw new Error(`record kind ${kind.segment} is already registered`);
  extraKinds.set(kind.segment, kind);
}

/** Every registered kind, the built-in ones first. */
export const recordKinds = (): AnyRecordKind[] => [...Object.values(builtInKinds), ...extraKinds.values()];

/** The kind of a URL segment; a 404 when there is none. */
export function kindOf(segment: string): AnyRecordKind {
  const kind = (builtInKinds as Record<string, AnyRecordKind>)[segment] ?? extraKinds.get(segment);
  if (!kind) throw new AppError('not_found', `there is no record kind "${segment}"`);
  return kind;
}

/** The kind a history entry names (`private_network`). */
export const kindOfTracked = (tracked: string): AnyRecordKind | undefined => recordKinds().find((k) => k.tracked === tracked);

/** A kind named by segment or given as a descriptor. */
export const kindFor = (kind: string | AnyRecordKind): AnyRecordKind => (typeof kind === 'string' ? kindOf(kind) : kind);
