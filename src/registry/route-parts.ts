import { z } from '@hono/zod-openapi';
import { ProblemSchema } from '../http/router.ts';
import { isoDate, timestamp } from './fields.ts';

/** The pieces every registry route is built of: bodies, answers, path parameters, pages. */

export const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});
export const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

export const conflict = {
  409: {
    description: 'The code is taken, or the move breaks the lifecycle or the history',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
} as const;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const CodeParam = z.object({
  code: z
    .string()
    .min(1)
    .openapi({ param: { name: 'code', in: 'path' }, example: 'GX-SYS-0001' }),
});

export const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

type PatchShape<S extends z.ZodRawShape> = {
  [F in keyof S]: z.ZodOptional<S[F] extends z.ZodDefault<infer Inner> ? Inner : S[F]>;
};

/**
 * A PATCH body: every field of the input, optional, without its default — zod would fill
 * a missing field with the default and the patch would overwrite the stored value. Strict,
 * so a misspelt field is an error rather than a silent no-op.
 */
export function patchOf<S extends z.ZodRawShape>(input: z.ZodObject<S>) {
  const shape = Object.fromEntries(
    Object.entries(input.shape).map(([field, schema]) => [field, z.optional(schema instanceof z.ZodDefault ? schema.unwrap() : schema)]),
  );
  // Built by iterating the shape, so TS cannot see that it is PatchShape<S>.
  return z.strictObject(shape) as unknown as z.ZodObject<PatchShape<S>, z.core.$strict>;
}

export const transitionBody = <T extends readonly [string, ...string[]]>(states: T) =>
  z.object({
    to: z.enum(states),
    effective_at: isoDate.optional().openapi({ description: 'Business date YYYY-MM-DD the move took effect; default today' }),
    note: z.string().max(2000).optional(),
  });

export const TransitionHistory = z
  .object({
    items: z.array(
      z.object({
        id: z.number().int(),
        field: z.enum(['state', 'classification']),
        from: z.string().nullable(),
        to: z.string(),
        effective_at: z.string().nullable().openapi({ description: 'null: in force since always' }),
        recorded_at: timestamp,
        actor: z.string(),
        note: z.string().nullable(),
        superseded_at: timestamp.nullable().openapi({ description: 'Set when a later declaration contradicted it' }),
      }),
    ),
    timeline: z.array(
      z.object({
        valid_from: z.string().nullable(),
        valid_to: z.string().nullable(),
        state: z.string(),
        classification: z.string().nullable(),
      }),
    ),
  })
  .openapi('TransitionHistory');
