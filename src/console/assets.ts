import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/router.ts';
import { fromRoot } from '../kernel/paths.ts';

/** ECharts comes from npm and is served by the app: the intranet has no CDN. */
export const echartsFile = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
const assetDir = fromRoot('src', 'console', 'assets');

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Files are read once per process; only names present in the folder are served. */
function cached(read: () => Promise<Buffer>) {
  let body: Promise<Buffer> | undefined;
  return () => {
    body ??= read();
    return body;
  };
}

export function registerAssets(app: OpenAPIHono<AppEnv>) {
  const echarts = cached(() => readFile(echartsFile));
  app.get('/assets/echarts.min.js', async (c) =>
    c.body(new Uint8Array(await echarts()), 200, { 'Content-Type': types['.js'] as string, 'Cache-Control': 'public, max-age=86400' }),
  );
  const files = new Map<string, () => Promise<Buffer>>();
  for (const name of readdirSync(assetDir))
    files.set(
      name,
      cached(() => readFile(path.join(assetDir, name))),
    );
  app.get('/console/assets/:file', async (c) => {
    const name = c.req.param('file');
    const read = files.get(name);
    const type = types[path.extname(name)];
    if (!read || !type) return c.notFound();
    return c.body(new Uint8Array(await read()), 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
  });
}
