import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type AppEnv, errorResponses, ProblemSchema } from '../http/router.ts';
import { assertCan } from '../identity/access.ts';
import { createChannel, deleteChannel, listChannels, testChannel, updateChannel } from './channels.ts';
import { listNotifications } from './history.ts';
import { ChannelInput, ChannelItem, ChannelPatch, channelName, NotificationItem, NotificationQuery } from './schemas.ts';

const json = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const NameParam = z.object({ name: channelName.openapi({ param: { name: 'name', in: 'path' }, example: 'ops-dingtalk' }) });
const tags = ['notifications'];

const listChannelsRoute = createRoute({
  method: 'get',
  path: '/api/v1/notification-channels',
  operationId: 'listNotificationChannels',
  tags,
  summary: 'Notification channels (通知渠道); secrets are never returned, only `has_secret`',
  responses: { 200: json('The channels, by name', z.object({ items: z.array(ChannelItem) })), ...errorResponses },
});

const createChannelRoute = createRoute({
  method: 'post',
  path: '/api/v1/notification-channels',
  operationId: 'createNotificationChannel',
  tags,
  summary: 'Create a channel: webhook, DingTalk or WeCom robot, or email',
  request: { body: body(ChannelInput) },
  responses: { 201: json('Created', ChannelItem), 409: problem('The name is taken (deleted channels keep theirs)'), ...errorResponses },
});

const updateChannelRoute = createRoute({
  method: 'patch',
  path: '/api/v1/notification-channels/{name}',
  operationId: 'updateNotificationChannel',
  tags,
  summary: 'Change a channel; `secret: null` removes its secret',
  request: { params: NameParam, body: body(ChannelPatch) },
  responses: { 200: json('Changed', ChannelItem), ...errorResponses },
});

const deleteChannelRoute = createRoute({
  method: 'delete',
  path: '/api/v1/notification-channels/{name}',
  operationId: 'deleteNotificationChannel',
  tags,
  summary: 'Delete a channel; its notifications stay in the history',
  request: { params: NameParam },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

const testChannelRoute = createRoute({
  method: 'post',
  path: '/api/v1/notification-channels/{name}/test',
  operationId: 'testNotificationChannel',
  tags,
  summary: 'Queue a test message to the channel; follow it at GET /api/v1/notifications',
  request: { params: NameParam },
  responses: { 202: json('Queued', NotificationItem), ...errorResponses },
});

const listNotificationsRoute = createRoute({
  method: 'get',
  path: '/api/v1/notifications',
  operationId: 'listNotifications',
  tags,
  summary: 'The notification outbox, newest first: what was queued, sent, failed or dead-lettered',
  request: { query: NotificationQuery },
  responses: {
    200: json('A page of notifications', z.object({ items: z.array(NotificationItem), total: z.number().int() })),
    ...errorResponses,
  },
});

/** /api/v1/notification-channels[/{name}[/test]] and /api/v1/notifications. */
export function registerNotifyRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(listChannelsRoute, async (c) => {
    assertCan(c.get('actor').access, 'read', 'alerting');
    return c.json(await listChannels(c.get('db'), c.get('actor')), 200);
  });
  app.openapi(createChannelRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerting');
    return c.json(await createChannel(c.get('db'), c.req.valid('json'), c.get('actor')), 201);
  });
  app.openapi(updateChannelRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerting');
    return c.json(await updateChannel(c.get('db'), c.req.valid('param').name, c.req.valid('json'), c.get('actor')), 200);
  });
  app.openapi(deleteChannelRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerting');
    await deleteChannel(c.get('db'), c.req.valid('param').name, c.get('actor'));
    return c.body(null, 204);
  });
  app.openapi(testChannelRoute, async (c) => {
    assertCan(c.get('actor').access, 'write', 'alerting');
    return c.json(await testChannel(c.get('db'), c.req.valid('param').name, c.get('actor')), 202);
  });
  app.openapi(listNotificationsRoute, async (c) => {
    assertCan(c.get('actor').access, 'read', 'alerting');
    return c.json(await listNotifications(c.get('db'), c.req.valid('query'), c.get('actor')), 200);
  });
}
