import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Db } from '../db/client.ts';
import type { Actor } from '../identity/actor.ts';
import type { Principal } from '../identity/principal.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';

export interface AppEnv {
  Variables: {
    db: Db;
    requestId: string;
    /** The client's address: the socket's, or X-Forwarded-For's first hop behind a trusted proxy. */
    sourceIp: string | undefined;
    /** The signed-in caller, or null. */
    principal: Principal | null;
    actor: Actor;
  };
}

/** zod issues as field errors: `path.to.field` and a message that says what is wrong. */
export function fieldErrorsOf(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

/** Every router validates with the same hook, so bad input always reads the same way. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, _c) => {
      if (!result.success) {
        // Fields are named as the caller wrote them (`limit`, `file`); the detail says where.
        const errors = fieldErrorsOf(result.error);
        throw new AppError(
          'validation_failed',
          `invalid ${result.target}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
          errors,
        );
      }
    },
  });
}

// The OpenAPI pieces live in route.ts and schemas.ts; these names stay importable from here.
export { errorResponses, ProblemSchema } from './route.ts';
export { booleanQuery, PageQuery } from './schemas.ts';
