import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type Config, configDefaults } from '../config.ts';
import { agentKinds } from '../db/schema/enums.ts';
import { isTransientDatabaseError } from '../db/transient.ts';
import { json, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { instant, PageQuery, pageOf, pathParam } from '../http/schemas.ts';
import { assertCan } from '../identity/access.ts';
import { AppError, type FieldError } from '../kernel/errors.ts';
import type { IngestMetrics, IngestResult } from '../metrics/registry.ts';
import { type AuthenticatedAgent, authenticateAgent, getAgent, listAgents } from './agents.ts';
import { listNodeSamples } from './samples.ts';
import { AgentItem, agentStatuses, IngestBatch, IngestReceipt, SampleItem } from './schemas.ts';
import { agentActor, applyBatch } from './service.ts';

export type IngestConfig = Pick<Config, 'YUNWANG_INGEST_BODY_LIMIT_BYTES' | 'YUNWANG_INGEST_MAX_ITEMS' | 'YUNWANG_INGEST_MAX_IN_FLIGHT'>;

const ingestBatchRoute = routesTagged('ingest').post('/api/v1/ingest/batches', 'ingestBatch', {
  summary: 'Apply one agent batch, all or nothing; a replayed (agent, seq) is acknowledged and not applied again',
  security: [{ agentToken: [] }],
  body: IngestBatch,
  responses: {
    200: json('Committed (or already committed before: `status: duplicate`)', IngestReceipt),
    401: problem('No token, or an unknown or revoked one'),
    403: problem('The token belongs to another agent, or an item is outside its scope; `errors[].index` names it'),
    422: problem('An item is invalid; `errors[].index` and `errors[].field` name it, and nothing was applied'),
    429: problem('Too many batches in flight; retry after `Retry-After` seconds'),
    503: problem('Database unavailable; retry after `Retry-After` seconds'),
  },
});

const agentRoute = routesTagged('agents');

const AgentName = pathParam('name', z.string().min(1), 'network-nanning-1');

const listAgentsRoute = agentRoute.get('/api/v1/agents', 'listAgents', {
  summary: 'List agents with their scope, last report and status (silent for 3× their interval → unknown)',
  query: PageQuery.extend({
    kind: z.enum(agentKinds).optional(),
    cloud: z.string().optional().openapi({ description: 'Cloud code (cloud agents)' }),
    status: z.enum(agentStatuses).optional(),
  }),
  responses: { 200: json('A page of agents', pageOf(AgentItem)) },
});

const getAgentRoute = agentRoute.get('/api/v1/agents/{name}', 'getAgent', {
  summary: 'One agent',
  params: AgentName,
  responses: { 200: json('The agent', AgentItem) },
});

const nodeSamplesRoute = routesTagged('network-nodes').get('/api/v1/network-nodes/{code}/samples', 'listNetworkNodeSamples', {
  summary: "A network node's probe samples in a time range, oldest first",
  params: pathParam('code', z.string().min(1), 'GX-NODE-0001'),
  query: z.object({
    from: instant.optional().openapi({ description: 'Start (inclusive); default one hour before `to`' }),
    to: instant.optional().openapi({ description: 'End (inclusive); default now' }),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  }),
  responses: {
    200: json(
      'Samples; `truncated` when the range holds more than `limit`',
      z.object({ node: z.string(), from: z.string(), to: z.string(), items: z.array(SampleItem), truncated: z.boolean() }),
    ),
  },
});

/**
 * Batch validation errors name the item by index and the field inside it, so an agent
 * operator can find the one bad item among thousands.
 */
function batchErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const [head, index, ...rest] = issue.path;
    if (head === 'items' && typeof index === 'number')
      return { index, field: rest.map(String).join('.') || '(item)', message: issue.message };
    return { field: issue.path.map(String).join('.') || '(body)', message: issue.message };
  });
}

const bearer = /^Bearer\s+(\S+)\s*$/i;
const agentVersion = /yunwang-agent\/([\w.+-]{1,40})/;

/** A database outage while serving an agent becomes 503 + Retry-After, which agents retry. */
function unavailableIfTransient(error: unknown): unknown {
  if (!(error instanceof AppError) && isTransientDatabaseError(error)) {
    return new AppError('unavailable', 'the database is unavailable; the batch was not applied, retry later', [], { retryAfterSeconds: 5 });
  }
  return error;
}

/** What the counters learn of a batch once it is read and applied. */
interface BatchOutcome {
  items: Record<string, number>;
  result?: IngestResult;
}

/** POST /api/v1/ingest/batches, GET /api/v1/agents, GET /api/v1/network-nodes/{code}/samples. */
export function registerIngestRoutes(app: OpenAPIHono<AppEnv>, config: Partial<IngestConfig> = {}, metrics?: IngestMetrics) {
  const settings: IngestConfig = {
    YUNWANG_INGEST_BODY_LIMIT_BYTES: config.YUNWANG_INGEST_BODY_LIMIT_BYTES ?? configDefaults.YUNWANG_INGEST_BODY_LIMIT_BYTES,
    YUNWANG_INGEST_MAX_ITEMS: config.YUNWANG_INGEST_MAX_ITEMS ?? configDefaults.YUNWANG_INGEST_MAX_ITEMS,
    YUNWANG_INGEST_MAX_IN_FLIGHT: config.YUNWANG_INGEST_MAX_IN_FLIGHT ?? configDefaults.YUNWANG_INGEST_MAX_IN_FLIGHT,
  };
  app.openAPIRegistry.registerComponent('securitySchemes', 'agentToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'An agent token from `yunwang token create --agent <name> --kind cloud|network`',
  });

  // Keyed by the request's context: bodyLimit swaps `c.req.raw` for a counting copy.
  const agentOf = new WeakMap<object, AuthenticatedAgent>();
  let inFlight = 0;
  const path = '/api/v1/ingest/batches';

  // Shed load before reading the body: a reconnecting fleet replaying its spools must not
  // queue unbounded work on the database pool.
  const admit: MiddlewareHandler<AppEnv> = async (_c, next) => {
    if (inFlight >= settings.YUNWANG_INGEST_MAX_IN_FLIGHT) {
      throw new AppError('too_many_requests', `more than ${settings.YUNWANG_INGEST_MAX_IN_FLIGHT} batches in flight; retry later`);
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
  const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
    const token = bearer.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer realm="yunwang-ingest"');
      throw new AppError('unauthorized', 'an agent token is required: Authorization: Bearer <token>');
    }
    let agent: AuthenticatedAgent | null;
    try {
      agent = await authenticateAgent(c.get('db'), token);
    } catch (error) {
      throw unavailableIfTransient(error);
    }
    if (!agent) {
      c.header('WWW-Authenticate', 'Bearer realm="yunwang-ingest", error="invalid_token"');
      throw new AppError('unauthorized', 'the agent token is unknown or revoked');
    }
    agentOf.set(c, agent);
    c.set('actor', { ...agentActor(agent, c.get('requestId')), sourceIp: c.get('actor').sourceIp });
    await next();
  };
  const tooLarge = () => {
    throw new AppError(
      'payload_too_large',
      `a batch may be at most ${settings.YUNWANG_INGEST_BODY_LIMIT_BYTES} bytes; send smaller batches`,
    );
  };
  // Outermost, so that every answer is counted: 429 from `admit` is throttled; any other
  // refusal (token, size, validation, scope, database down) is rejected.
  const outcomes = new WeakMap<object, BatchOutcome>();
  const count: MiddlewareHandler<AppEnv> = async (c, next) => {
    await next();
    if (!metrics || c.req.method !== 'POST') return;
    const outcome = outcomes.get(c);
    const status = c.res.status;
    const result: IngestResult = status === 429 ? 'throttled' : status < 300 ? (outcome?.result ?? 'accepted') : 'rejected';
    metrics.batch(result);
    for (const [kind, n] of Object.entries(outcome?.items ?? {})) metrics.items(kind, result, n);
  };
  app.use(path, count, admit, authenticate, bodyLimit({ maxSize: settings.YUNWANG_INGEST_BODY_LIMIT_BYTES, onError: tooLarge }));

  app.openapi(
    ingestBatchRoute,
    async (c) => {
      const agent = agentOf.get(c);
      if (!agent) throw new AppError('unauthorized', 'an agent token is required');
      const batch = c.req.valid('json');
      const outcome: BatchOutcome = { items: {} };
      for (const item of batch.items) outcome.items[item.kind] = (outcome.items[item.kind] ?? 0) + 1;
      outcomes.set(c, outcome);
      if (batch.items.length > settings.YUNWANG_INGEST_MAX_ITEMS) {
        throw new AppError(
          'payload_too_large',
          `a batch may hold at most ${settings.YUNWANG_INGEST_MAX_ITEMS} items, this one has ${batch.items.length}`,
          [{ field: 'items', message: `more than ${settings.YUNWANG_INGEST_MAX_ITEMS} items` }],
        );
      }
      const version = agentVersion.exec(c.req.header('user-agent') ?? '')?.[1];
      try {
        const receipt = await applyBatch(c.get('db'), batch, { agent, version }, c.get('actor'));
        outcome.result = receipt.status === 'duplicate' ? 'duplicate' : 'accepted';
        return c.json(receipt, 200);
      } catch (error) {
        throw unavailableIfTransient(error);
      }
    },
    (result) => {
      if (!result.success) {
        const errors = batchErrors(result.error);
        const shown = errors.slice(0, 5).map((e) => `${e.index === undefined ? '' : `item ${e.index} `}${e.field} ${e.message}`);
        throw new AppError(
          'validation_failed',
          `batch refused: ${shown.join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`,
          errors,
        );
      }
      return undefined;
    },
  );

  app.openapi(listAgentsRoute, async (c) => {
    assertCan(c.get('actor').access, 'read', 'agents');
    return c.json(await listAgents(c.get('db'), c.req.valid('query')), 200);
  });
  app.openapi(getAgentRoute, async (c) => {
    assertCan(c.get('actor').access, 'read', 'agents');
    return c.json(await getAgent(c.get('db'), c.req.valid('param').name), 200);
  });
  app.openapi(nodeSamplesRoute, async (c) =>
    c.json(await listNodeSamples(c.get('db'), c.req.valid('param').code, c.req.valid('query')), 200),
  );
}
