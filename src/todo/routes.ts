import type { OpenAPIHono } from '@hono/zod-openapi';
import { json, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { TodoList, TodoQuery } from './schemas.ts';
import { todoFor } from './service.ts';

const route = routesTagged('todo');

const getTodo = route.get('/api/v1/todo', 'getTodo', {
  summary: 'Your to-do list (待办事项): what each of your roles is asked to act on, each with a link to where it is done',
  query: TodoQuery,
  responses: { 200: json('Never empty: with nothing pending, one entry says so', TodoList) },
});

export function registerTodoRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(getTodo, async (c) => {
    const { lang } = c.req.valid('query');
    const { items } = await todoFor(c.get('db'), c.get('actor'));
    return c.json({ items: items.map((item) => ({ ...item, title: item.title[lang] })) }, 200);
  });
}
