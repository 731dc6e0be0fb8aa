import { z } from '@hono/zod-openapi';

/** The schema pieces the API areas share: paging, path ids, list envelopes, instants. */

const limit = z.coerce.number().int().min(1).max(1000).default(100);
const offset = z.coerce.number().int().min(0).default(0);

/** `limit` and `offset` of a paged list, to spread into a query beside its filters. */
export const paging = { limit, offset };

export const PageQuery = z.object({ limit: limit.openapi({ description: 'Items per page (1–1000)' }), offset });

export const booleanQuery = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** An ISO 8601 date-time that says its time zone. */
export const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });

const count = z.number().int();

/** Every item: `{items}`. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A page of a list and how many match: `{items, total}`. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: count });

/** A page that also says where it starts: `{items, total, limit, offset}`. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: count, limit: count, offset: count });

/** A code in the path, e.g. `/clouds/{code}`. */
export const CodeParam = z.object({
  code: z
    .string()
    .min(1)
    .openapi({ param: { name: 'code', in: 'path' }, example: 'GX-SYS-0001' }),
});

/** A numeric id in the path, e.g. `/alerts/{id}`. */
export const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

/** A row's id in the path, undocumented beyond its type. */
export const RowIdParam = z.object({ id: z.coerce.number().int().min(1) });

/**
 * A one-parameter path, e.g. `pathParam('name', agentName, 'network-nanning-1')` for
 * `/agents/{name}`: the schema documented as that path parameter, with an example if given.
 */
export const pathParam = <const Name extends string, T extends z.ZodType>(name: Name, schema: T, example?: unknown) =>
  z.object({
    [name]: schema.openapi({ param: { name, in: 'path' }, ...(example === undefined ? {} : { example }) }),
  } as { [K in Name]: T });
