import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { itemsOf, RowIdParam } from '../http/schemas.ts';
import { TokenRequest, TokenView } from './schemas.ts';
import { principalOf } from './session-routes.ts';
import { createToken, listTokens, revokeToken } from './tokens.ts';

const route = routesTagged('identity');

const routes = {
  listOwnTokens: route.get('/api/v1/tokens', 'listOwnTokens', json('Tokens (never the secrets)', itemsOf(TokenView)), {
    summary: 'Your API tokens',
  }),
  createOwnToken: route.post('/api/v1/tokens', 'createOwnToken', {
    summary: 'Issue an API token for yourself; the token is shown once',
    body: TokenRequest,
    responses: { 201: json('The token, once', z.object({ token: z.string(), info: TokenView })) },
  }),
  revokeToken: route.delete('/api/v1/tokens/{id}', 'revokeToken', json('Revoked', TokenView), {
    summary: 'Revoke one of your tokens (the system admin: anyone’s)',
    params: RowIdParam,
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
