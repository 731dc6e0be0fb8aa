import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { json, jsonBody, problem, routesTagged } from '../http/route.ts';
import type { AppEnv } from '../http/router.ts';
import { IdParam, listOf, pathParam } from '../http/schemas.ts';
import {
  AlertWorkOrderInput,
  CommentWorkOrder,
  CreateWorkOrder,
  TransitionWorkOrder,
  UpdateWorkOrder,
  WorkOrderDetail,
  WorkOrderListQuery,
  WorkOrderView,
} from './schemas.ts';
import {
  addWorkOrderComment,
  createWorkOrder,
  createWorkOrderFromAlert,
  getWorkOrder,
  listWorkOrders,
  transitionWorkOrder,
  updateWorkOrder,
} from './service.ts';

const route = routesTagged('work-orders');

const OrderCode = pathParam('code', z.string().max(32), 'WO-2026-000001');
/** The answer of opening an order: the order as listed. */
const openedOrder = json('The order', WorkOrderView);
/** The answer of reading or changing one order: the order with its timeline. */
const orderWithTimeline = json('The order', WorkOrderDetail);

const listRoute = route.get('/api/v1/work-orders', 'listWorkOrders', json('A page of orders', listOf(WorkOrderView)), {
  summary: 'Work orders, newest first; a department user sees those assigned to or reported by its department',
  query: WorkOrderListQuery,
});

const createOrderRoute = route.post('/api/v1/work-orders', 'createWorkOrder', {
  summary: 'Open a work order by hand; deadlines follow the priority’s service level',
  body: CreateWorkOrder,
  responses: { 201: openedOrder },
});

const getRoute = route.get('/api/v1/work-orders/{code}', 'getWorkOrder', orderWithTimeline, {
  summary: 'One order with its timeline (its linked alert’s events merged in)',
  params: OrderCode,
});

const updateRoute = route.patch('/api/v1/work-orders/{code}', 'updateWorkOrder', orderWithTimeline, {
  summary: 'Edit title, description, priority, category, subject, region; `version` must be the one read',
  params: OrderCode,
  body: UpdateWorkOrder,
  responses: { 409: problem('Changed meanwhile, or closed') },
});

const transitionRoute = route.post('/api/v1/work-orders/{code}/transitions', 'transitionWorkOrder', orderWithTimeline, {
  summary: 'Accept, transfer, suspend, resume, resolve, close, reopen or cancel',
  params: OrderCode,
  body: TransitionWorkOrder,
  responses: { 409: problem('Not allowed from its state, or taken meanwhile') },
});

const commentRoute = route.post('/api/v1/work-orders/{code}/comments', 'commentWorkOrder', {
  summary: 'Add a comment to the timeline',
  params: OrderCode,
  body: CommentWorkOrder,
  responses: { 201: orderWithTimeline },
});

const fromAlertRoute = route.post('/api/v1/alerts/{id}/work-order', 'createWorkOrderFromAlert', {
  summary: 'Open a fault order from an alert: priority from severity, subject and region copied, linked both ways',
  params: IdParam,
  body: jsonBody(AlertWorkOrderInput, false),
  responses: { 201: openedOrder, 409: problem('The alert already has an order (named)') },
});

/** The work-order API: orders, their transitions and comments, and opening one from an alert. */
export function registerWorkOrderRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(listRoute, async (c) => c.json(await listWorkOrders(c.get('db'), c.get('actor').access, c.req.valid('query')), 200));
  app.openapi(createOrderRoute, async (c) => c.json(await createWorkOrder(c.get('db'), c.get('actor'), c.req.valid('json')), 201));
  app.openapi(getRoute, async (c) => c.json(await getWorkOrder(c.get('db'), c.get('actor').access, c.req.valid('param').code), 200));
  app.openapi(updateRoute, async (c) =>
    c.json(await updateWorkOrder(c.get('db'), c.get('actor'), c.req.valid('param').code, c.req.valid('json')), 200),
  );
  app.openapi(transitionRoute, async (c) =>
    c.json(await transitionWorkOrder(c.get('db'), c.get('actor'), c.req.valid('param').code, c.req.valid('json')), 200),
  );
  app.openapi(commentRoute, async (c) =>
    c.json(
      await addWorkOrderComment(
        c.get('db'),
        c.get('actor'),
        c.req.valid('param').code,
        c.req.valid('json').body,
        new Date(),
        c.req.valid('json').documents,
      ),
      201,
    ),
  );
  app.openapi(fromAlertRoute, async (c) => {
    const input = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    return c.json(await createWorkOrderFromAlert(c.get('db'), c.get('actor'), c.req.valid('param').id, input ?? {}), 201);
  });
}
