import { z } from '@hono/zod-openapi';
import { todoKinds } from './entries.ts';

export const TodoQuery = z.object({
  lang: z.enum(['zh', 'en']).default('zh').openapi({ description: 'The titles’ language: zh-CN (default) or English' }),
});

export const TodoItem = z
  .object({
    kind: z.enum(todoKinds).openapi({ description: 'A stable machine name of what is asked' }),
    title: z.string(),
    count: z.number().int().nonnegative().optional(),
    href: z
      .string()
      .openapi({ description: 'Where the work is done: a console page with its filter (the API where the console has none)' }),
    due_at: z.string().optional().openapi({ description: 'The earliest deadline among the entry’s items' }),
  })
  .openapi('TodoItem');

export const TodoList = z.object({ items: z.array(TodoItem) }).openapi('TodoList');
export type TodoList = z.infer<typeof TodoList>;
