/**
 * The OpenAPI document (/openapi.json): what the routes declare, with each operation's error
 * answers derived from the middleware in front of it (src/app.ts) and its authorization rule
 * (src/identity/policy.ts), so the document lists the statuses an operation can really return
 * and no others: a GET without a body cannot answer 413, a public sign-in cannot answer 403.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { routePolicy } from '../identity/policy.ts';
import { errorResponses } from './route.ts';
import type { AppEnv } from './router.ts';

export const openApiInfo = {
  openapi: '3.1.0' as const,
  info: {
    title: 'yunwang (云网) API',
    version: '1',
    description: 'Registry, official indicators and imports of the provincial e-government cloud and network.',
    // package.json says "private": the code is the operator's, licensed to nobody else. SPDX has no
    // identifier for that; LicenseRef-… is SPDX's form for a licence of one's own.
    license: { name: 'Proprietary — for the operating government only (政务内部使用)', identifier: 'LicenseRef-yunwang-proprietary' },
  },
  // Relative: the document describes the server that serves it, whatever host the intranet gives it.
  servers: [{ url: '/', description: 'This yunwang server (本服务器)' }],
};

/** What decides the error answers of one operation. */
export interface OperationShape {
  method: string;
  path: string;
  operationId?: string;
  /** The request body's media types; none when the operation takes no body. */
  bodyTypes: string[];
  hasParams: boolean;
  hasQuery: boolean;
}

const unsafe = new Set(['post', 'put', 'patch', 'delete']);

/** The generic words of each error answer; an answer a route describes itself keeps its own. */
const genericWords = {
  ...Object.fromEntries(Object.entries(errorResponses).map(([status, answer]) => [status, answer.description])),
  415: 'Unsupported media type: the body is not one the operation accepts',
  503: 'Not ready yet, or the database is unavailable; retry after `Retry-After` seconds',
} as Record<ErrorStatus, string>;
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;
/** An answer added to the document itself: problem+json, by reference to the one Problem schema. */
const documented = (status: ErrorStatus) => ({
  description: genericWords[status],
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/**
 * The error statuses an operation can return, by the middleware and policy in front of it:
 * - 500 and 503 always (an unexpected error; the database unavailable, or the first start not done);
 * - 401 always: a user's session or token, an agent's token, or — for the one public operation,
 *   the sign-in — the credentials it checks itself;
 * - 403 unless its rule is public (roles, department, token scope, CSRF);
 * - 409 for a user's write (a conflict with the record's state);
 * - 400, 413, 415 for an operation with a body (malformed, over the body limit, of another media type);
 * - 404 for an operation with path parameters (no such record);
 * - 422 for an operation that validates a body, query or parameters.
 * 429 is only where a route says so (sign-in, agent batches, documents): no middleware limits others.
 */
export function errorStatusesOf(op: OperationShape): ErrorStatus[] {
  const rule = op.operationId ? routePolicy[op.operationId] : undefined;
  const isPublic = rule !== undefined && 'public' in rule;
  const isAgent = rule !== undefined && 'agent' in rule;
  const statuses = new Set<ErrorStatus>([401, 500, 503]);
  if (!isPublic) statuses.add(403);
  if (unsafe.has(op.method) && !isPublic && !isAgent) statuses.add(409);
  if (op.bodyTypes.length > 0) {
    statuses.add(400);
    statuses.add(413);
    statuses.add(415);
  }
  if (op.hasParams) statuses.add(404);
  if (op.bodyTypes.length > 0 || op.hasParams || op.hasQuery) statuses.add(422);
  return [...statuses].sort((a, b) => a - b);
}

interface Operation {
  operationId?: string;
  parameters?: { in: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string }>;
}
type Paths = Record<string, Record<string, Operation>>;

/**
 * Each route's method, path and operation id, as the OpenAPI document lists them, read from the
 * registry the document is generated from: without generating it (~0.1 s of zod-to-openapi).
 */
export function documentedRoutes(
  definitions: readonly { type: string; route?: { method: string; path: string; operationId?: string } }[],
): Record<string, Record<string, { operationId?: string }>> {
  const paths: Record<string, Record<string, { operationId?: string }>> = {};
  for (const { type, route } of definitions) {
    if (type !== 'route' || !route) continue;
    paths[route.path] = { ...paths[route.path], [route.method]: { operationId: route.operationId } };
  }
  return paths;
}

/** The error statuses an operation of the document can answer, from its method, path, body and parameters. */
export const derivedErrorsOf = (method: string, path: string, op: Operation): ErrorStatus[] =>
  errorStatusesOf({
    method,
    path,
    operationId: op.operationId,
    bodyTypes: Object.keys(op.requestBody?.content ?? {}),
    hasParams: (op.parameters ?? []).some((p) => p.in === 'path'),
    hasQuery: (op.parameters ?? []).some((p) => p.in === 'query'),
  });

/**
 * Rewrites each operation's error answers: the derived ones (keeping a route's own words where it
 * gave them), plus any a route declares beyond them; the generic answers defineRoute adds to every
 * route for typing, where they cannot happen, are dropped.
 */
export function withDerivedErrors<D extends { paths?: unknown }>(document: D): D {
  const paths = (document.paths ?? {}) as Paths;
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const responses = op.responses ?? {};
      const derived = derivedErrorsOf(method, path, op);
      const next: Record<string, unknown> = {};
      for (const [status, answer] of Object.entries(responses)) {
        const code = Number(status) as ErrorStatus;
        const isGeneric = answer.description === genericWords[code];
        if (code >= 400 && isGeneric && !derived.includes(code)) continue;
        next[status] = answer;
      }
      for (const code of derived) next[code] ??= documented(code);
      op.responses = Object.fromEntries(Object.entries(next).sort(([a], [b]) => Number(a) - Number(b))) as Operation['responses'];
    }
  }
  return document;
}

/** GET /openapi.json: built once, after every route is registered. */
export function registerOpenApiDocument(app: OpenAPIHono<AppEnv>, security: Record<string, string[]>[]) {
  let document: unknown;
  app.get('/openapi.json', (c) => {
    document ??= withDerivedErrors({ ...app.getOpenAPI31Document(openApiInfo), security });
    return c.json(document);
  });
}
