import { z } from '@hono/zod-openapi';
import { jsonBody, problem } from '../http/route.ts';
import { isoDate, timestamp } from './fields.ts';

/** The pieces every registry route is built of: bodies, answers, path parameters, pages. */

export { json } from '../http/route.ts';
export { CodeParam, IdParam, pageOf } from '../http/schemas.ts';

export const body = <T extends z.ZodType>(schema: T) => ({ body: jsonBody(schema) });

export const conflict = { 409: problem('The code is taken, or the move breaks the lifecycle or the history') } as const;

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
        field: z
          .string()
          .openapi({ description: "`state`, `classification`, or a tracked attribute of the kind (a service item's `service_level`)" }),
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
        attributes: z
          .record(z.string(), z.string())
          .nullable()
          .openapi({ description: 'The tracked attributes in force over the interval; null for a kind without any' }),
      }),
    ),
  })
  .openapi('TransitionHistory');
