import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { type AppEnv, errorResponses } from '../http/router.ts';
import { addKindRules } from '../identity/policy.ts';
import type { AnyRecordKind, KindFilter, KindRow } from './kinds/index.ts';
import { listRecords, readRecord } from './records/read.ts';
import { createRecord, patchRecord } from './records/write.ts';
import { body, CodeParam, conflict, json, pageOf, patchOf, TransitionHistory, transitionBody } from './route-parts.ts';
import { listTransitions, type TransitionRequest, transitionRecord } from './transitions.ts';

/** The six operations of a record kind, named and shaped by its descriptor. */
export function kindRoutes(kind: AnyRecordKind) {
  const { one, many } = kind.names;
  const noun = kind.label.en;
  const collection = `/api/v1/${kind.segment}`;
  const record = `${collection}/{code}`;
  const history = `${record}/transitions`;
  const tags = [kind.segment];
  const item = kind.schemas.item;
  return {
    list: createRoute({
      method: 'get',
      path: collection,
      operationId: `list${many}`,
      tags,
      summary: `List ${noun}s, filtered and paged`,
      request: { query: kind.schemas.query },
      responses: { 200: json(`A page of ${noun}s`, pageOf(item)), ...errorResponses },
    }),
    get: createRoute({
      method: 'get',
      path: record,
      operationId: `get${one}`,
      tags,
      summary: `One ${noun}`,
      request: { params: CodeParam },
      responses: { 200: json(`The ${noun}`, item), ...errorResponses },
    }),
    create: createRoute({
      method: 'post',
      path: collection,
      operationId: `create${one}`,
      tags,
      summary: `Register a ${noun} (same rules as the spreadsheet import)`,
      request: body(kind.schemas.input),
      responses: { 201: json(`The new ${noun}`, item), ...conflict, ...errorResponses },
    }),
    patch: createRoute({
      method: 'patch',
      path: record,
      operationId: `update${one}`,
      tags,
      summary: `Change some fields of a ${noun}; its state moves only by transitions`,
      request: { params: CodeParam, ...body(patchOf(kind.schemas.input).openapi(`${one}Patch`)) },
      responses: { 200: json(`The ${noun} as changed`, item), ...errorResponses },
    }),
    transition: createRoute({
      method: 'post',
      path: history,
      operationId: `transition${one}`,
      tags,
      summary: `Move a ${noun} to another state as of a business date`,
      request: { params: CodeParam, ...body(transitionBody(kind.lifecycle.states)) },
      responses: { 200: json(`The ${noun} in its new state`, item), ...conflict, ...errorResponses },
    }),
    history: createRoute({
      method: 'get',
      path: history,
      operationId: `list${one}Transitions`,
      tags,
      summary: `Every recorded state change of a ${noun}, superseded ones included, and its timeline`,
      request: { params: CodeParam },
      responses: { 200: json('Transitions in recording order', TransitionHistory), ...errorResponses },
    }),
  };
}

/**
 * Registers a kind's operations. The handlers see the descriptor's schemas as plain objects
 * (a kind's own row type does not survive the list of kinds); the schemas still validate
 * every request and document every answer, and the services take rows of any kind.
 */
export function registerKindRoutes(app: OpenAPIHono<AppEnv>, kind: AnyRecordKind, options: { backdateDays: number }) {
  const r = kindRoutes(kind);
  addKindRules(kind);
  const created = (item: KindRow) => ({ Location: `/api/v1/${kind.segment}/${encodeURIComponent(item.code)}` });
  app.openapi(r.list, async (c) => c.json(await listRecords(c.get('db'), kind, c.req.valid('query') as KindFilter, c.get('actor')), 200));
  app.openapi(r.get, async (c) => c.json(await readRecord(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
  app.openapi(r.create, async (c) => {
    const item = await createRecord(c.get('db'), kind, c.req.valid('json') as KindRow, c.get('actor'));
    return c.json(item, 201, created(item));
  });
  app.openapi(r.patch, async (c) =>
    c.json(await patchRecord(c.get('db'), kind, c.req.valid('param').code, c.req.valid('json'), c.get('actor')), 200),
  );
  app.openapi(r.transition, async (c) => {
    const request: TransitionRequest = c.req.valid('json');
    return c.json(await transitionRecord(c.get('db'), kind, c.req.valid('param').code, request, c.get('actor'), options), 200);
  });
  app.openapi(r.history, async (c) => c.json(await listTransitions(c.get('db'), kind, c.req.valid('param').code, c.get('actor')), 200));
}
