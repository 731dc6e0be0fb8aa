import type { OpenAPIHono } from '@hono/zod-openapi';
import { json, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { itemsOf, listOf, pathParam } from '../http/schemas.ts';
import { assertCan } from '../identity/access.ts';
import { createChannel, deleteChannel, listChannels, testChannel, updateChannel } from './channels.ts';
import { listNotifications } from './history.ts';
import { ChannelInput, ChannelItem, ChannelPatch, channelName, NotificationItem, NotificationQuery } from './schemas.ts';

const NameParam = pathParam('name', channelName, 'ops-dingtalk');
const route = routesTagged('notifications');

const listChannelsRoute = route.get('/api/v1/notification-channels', 'listNotificationChannels', {
  summary: 'Notification channels (通知渠道); secrets are never returned, only `has_secret`',
  responses: { 200: json('The channels, by name', itemsOf(ChannelItem)) },
});

const createChannelRoute = route.post('/api/v1/notification-channels', 'createNotificationChannel', {
  summary: 'Create a channel: webhook, DingTalk or WeCom robot, or email',
  body: ChannelInput,
  responses: { 201: json('Created', ChannelItem), 409: problem('The name is taken (deleted channels keep theirs)') },
});

const updateChannelRoute = route.patch('/api/v1/notification-channels/{name}', 'updateNotificationChannel', json('Changed', ChannelItem), {
  summary: 'Change a channel; `secret: null` removes its secret',
  params: NameParam,
  body: ChannelPatch,
});

const deleteChannelRoute = route.delete('/api/v1/notification-channels/{name}', 'deleteNotificationChannel', {
  summary: 'Delete a channel; its notifications stay in the history',
  params: NameParam,
  responses: { 204: { description: 'Deleted' } },
});

const testChannelRoute = route.post('/api/v1/notification-channels/{name}/test', 'testNotificationChannel', {
  summary: 'Queue a test message to the channel; follow it at GET /api/v1/notifications',
  params: NameParam,
  responses: { 202: json('Queued', NotificationItem) },
});

const listNotificationsRoute = route.get('/api/v1/notifications', 'listNotifications', {
  summary: 'The notification outbox, newest first: what was queued, sent, failed or dead-lettered',
  query: NotificationQuery,
  responses: { 200: json('A page of notifications', listOf(NotificationItem)) },
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
