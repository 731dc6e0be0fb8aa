/**
 * The real app on a real socket (127.0.0.1), for agents to talk to: stop() takes the API
 * away (connections cut), start() brings it back on the same port.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { type AppOptions, createApp } from '../../src/app.ts';
import type { Database } from '../../src/db/client.ts';
import { silentLogger } from '../../src/kernel/log.ts';

export interface ApiServer {
  url: string;
  port: number;
  running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const testAppConfig = { YUNWANG_BODY_LIMIT_BYTES: 1048576, YUNWANG_IMPORT_LIMIT_BYTES: 67108864 };

export async function startApiServer(database: Database, config: Partial<AppOptions['config']> = {}, port = 0): Promise<ApiServer> {
  const app = createApp({ database, config: { ...testAppConfig, ...config }, logger: silentLogger });
  let server: Server | undefined;
  const api: ApiServer = {
    url: '',
    port,
    running: false,
    start: () =>
      new Promise((resolve, reject) => {
        const s = serve({ fetch: app.fetch, port: api.port, hostname: '127.0.0.1' }, (info) => {
          api.port = info.port;
          api.url = `http://127.0.0.1:${info.port}`;
          api.running = true;
          resolve();
        }) as Server;
        s.once('error', reject);
        server = s;
      }),
    stop: () =>
      new Promise((resolve) => {
        api.running = false;
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
        server = undefined;
      }),
  };
  await api.start();
  return api;
}
