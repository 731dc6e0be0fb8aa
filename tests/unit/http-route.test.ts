import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { json, problem, routesTagged } from '../../src/http/route.ts';

const route = routesTagged('things');
const Thing = z.object({ code: z.string() });
const CodeParam = z.object({ code: z.string() });

describe('routesTagged', () => {
  it('reads the 200 answer beside the path as it reads one under responses', () => {
    const beside = route.get('/things/{code}', 'getThing', json('The thing', Thing), { summary: 'One thing', params: CodeParam });
    const under = route.get('/things/{code}', 'getThing', {
      summary: 'One thing',
      params: CodeParam,
      responses: { 200: json('The thing', Thing) },
    });
    expect(beside).toEqual(under);
    expect(JSON.stringify(beside)).toBe(JSON.stringify(under));
  });

  it('keeps the other answers an operation gives under responses beside its 200', () => {
    const beside = route.post('/things/{code}/close', 'closeThing', json('The closed thing', Thing), {
      summary: 'Close a thing',
      params: CodeParam,
      responses: { 409: problem('Already closed') },
    });
    expect(beside.responses[200]).toEqual(json('The closed thing', Thing));
    expect(beside.responses[409]).toEqual(problem('Already closed'));
    expect(beside.responses[401]).toBeDefined();
  });
});
