import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, jsonBody, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { TokenRequest, TokenView } from './schemas.ts';
import { principalOf } from './session-routes.ts';
import { createToken, listTokens, revokeToken } from './tokens.ts';

const route = routesTagged('identity');

const routes = {
  listOwnTokens: route({
    method: 'get',
    path: '/api/v1/tokens',
    operationId: 'listOwnTokens',
    summary: 'Your API tokens',
    responses: { 200: json('Tokens (never the secrets)', z.object({ items: z.array(TokenView) })) },
  }),
  createOwnToken: route({
    method: 'post',
    path: '/api/v1/tokens',
    operationId: 'createOwnToken',
    summary: 'Issue an API token for yourself; the token is shown once',
    request: { body: jsonBody(TokenRequest) },
    responses: { 201: json('The token, once', z.object({ token: z.string(), info: TokenView })) },
  }),
  revokeToken: route({
    method: 'delete',
    path: '/api/v1/tokens/{id}',
    operationId: 'revokeToken',
    summary: 'Revoke one of your tokens (the system admin: anyone’s)',
    request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
    responses: { 200: json('Revoked', TokenView) },
  }),
};

/** The signed-in user's API tokens. */
export function registerTokenRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(routes.listOwnTokens, async (c) =>
    c.json({ items: await listTokens(c.get('db'), c.get('actor'), principalOf(c).user.name) }, 200),
  );
  app.openapi(routes.createOwnToken, async (c) => {
    const created = await createToken(c.get('db'), principalOf(c).user.name, c.req.valid('json'), c.get('actor'));
    return c.json(created, 201);
  });
  app.openapi(routes.revokeToken, async (c) => c.json(await revokeToken(c.get('db'), c.req.valid('param').id, c.get('actor')), 200));
}
