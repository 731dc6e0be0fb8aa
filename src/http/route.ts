import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          field: z.string(),
          message: z.string(),
          row: z.number().int().optional(),
          column: z.string().optional(),
          index: z.number().int().optional(),
        }),
      )
      .optional(),
  })
  .openapi('Problem');

/** An error answer: always problem+json. */
export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/**
 * The error answers every operation can give. The middleware in front of every route can
 * refuse a caller (401, 403, 429) and any write can meet a conflict (409), so the document
 * lists them all rather than only those a handler throws itself.
 */
export const errorResponses = {
  400: problem('Malformed request'),
  401: problem('Not signed in, or the session or token is no longer valid'),
  403: problem('Not allowed for your roles, department or token scope'),
  404: problem('No such record'),
  409: problem("Conflicts with the record's current state"),
  413: problem('Body too large'),
  422: problem('Invalid input; `errors` names each field'),
  429: problem('Too many requests; retry after `Retry-After` seconds'),
  500: problem('Unexpected server error'),
} as const;

/** A JSON answer. */
export const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A JSON request body; `required: false` where the whole body may be left out. */
export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});

/** A JSON answer that is CSV when the caller asks for text/csv (a whole list, for download). */
export const csvOrJson = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema }, 'text/csv': { schema: z.string() } },
});

type ErrorStatus = keyof typeof errorResponses;
type WithErrors<R extends RouteConfig> = Omit<R, 'responses'> & {
  responses: Omit<typeof errorResponses, keyof R['responses'] & ErrorStatus> & R['responses'];
};

/** `createRoute` with every error answer; an error the route describes itself keeps its own words. */
export function defineRoute<const R extends RouteConfig>(route: R) {
  return createRoute({ ...route, responses: { ...errorResponses, ...route.responses } } as WithErrors<R>);
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Request = NonNullable<RouteConfig['request']>;
type BodyConfig = NonNullable<Request['body']>;

/**
 * An operation as an area writes it: the request's parts beside its answers, and a JSON body
 * as its bare schema (a body of another shape, or an optional one, as the whole body config).
 */
export type Operation = Omit<RouteConfig, 'method' | 'path' | 'request'> & {
  query?: Request['query'];
  params?: Request['params'];
  body?: z.ZodType | BodyConfig;
};

type RequestParts = 'query' | 'params' | 'body';
type JsonBodyOf<B> = B extends z.ZodType ? { required: true; content: { 'application/json': { schema: B } } } : B;
type RequestOf<O extends Operation> = { [K in keyof O & RequestParts]: K extends 'body' ? JsonBodyOf<O[K]> : O[K] };
type RouteOf<M extends Method, P extends string, O extends Operation> = Omit<O, RequestParts> & {
  method: M;
  path: P;
  request: RequestOf<O>;
};

const isBodyConfig = (body: z.ZodType | BodyConfig): body is BodyConfig => 'content' in body;

/** The route config of an operation: its request parts gathered under `request`. */
function routeOf<M extends Method, P extends string, O extends Operation>(tag: string, method: M, path: P, operation: O) {
  const { query, params, body, ...described } = operation;
  const request: Request = {};
  if (query) request.query = query;
  if (params) request.params = params;
  if (body) request.body = isBodyConfig(body) ? body : jsonBody(body);
  // Tags first: the operation's keys read as they always have in /openapi.json.
  return defineRoute({ tags: [tag], method, path, ...described, request } as RouteOf<M, P, O>);
}

/** One answer of an operation, as it stands under a status in `responses`. */
type Answer = RouteConfig['responses'][string];

/** An operation whose 200 answer is given apart: `responses`, if any, holds its other answers. */
type AnsweredOperation = Omit<Operation, 'operationId' | 'responses'> & { responses?: RouteConfig['responses'] };
type WithAnswer<A extends Answer, O extends AnsweredOperation> = Omit<O, 'responses'> & {
  operationId: string;
  responses: { 200: A } & (O extends { responses: infer R } ? R : unknown);
};

interface Verb<M extends Method> {
  /** The operation with all its answers under `responses`. */
  <const P extends string, const O extends Omit<Operation, 'operationId'>>(
    path: P,
    operationId: string,
    operation: O,
  ): ReturnType<typeof routeOf<M, P, O & { operationId: string }>>;
  /** The operation with its 200 answer beside the path, and only its other answers (if any) under `responses`. */
  <const P extends string, const A extends Answer, const O extends AnsweredOperation>(
    path: P,
    operationId: string,
    answer: A,
    operation: O,
  ): ReturnType<typeof routeOf<M, P, WithAnswer<A, O>>>;
}

/**
 * The route definer of one area: `route.get(path, operationId, answer, { summary, query })` for
 * an operation answering 200 with `answer` (its other answers, if any, under `responses`), or
 * `route.post(path, operationId, { summary, body, responses })` with every answer under
 * `responses`; likewise `put`, `patch` and `delete`, or `route({ method, path, … })`. Its routes
 * carry the area's tag unless they name their own, and every error answer (see `defineRoute`).
 *
 * The 200 answer beside the path reads as the operation's signature (what it is asked, what it
 * answers); an answer of another status, or one spelled out at length, stays under `responses`.
 */
export function routesTagged(tag: string) {
  const verb = <M extends Method>(method: M): Verb<M> =>
    ((path: string, operationId: string, ...rest: [Omit<Operation, 'operationId'>] | [Answer, AnsweredOperation]) => {
      if (rest.length === 1) return routeOf(tag, method, path, { operationId, ...rest[0] });
      const [answer, operation] = rest;
      return routeOf(tag, method, path, { operationId, ...operation, responses: { 200: answer, ...operation.responses } });
    }) as Verb<M>;
  const define = <const R extends RouteConfig>(route: R) => defineRoute({ tags: [tag], ...route });
  return Object.assign(define, { get: verb('get'), post: verb('post'), put: verb('put'), patch: verb('patch'), delete: verb('delete') });
}
