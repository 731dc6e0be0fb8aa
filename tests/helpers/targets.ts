/**
 * Local probe targets for network-agent: TCP listeners, HTTP servers answering 200 or 503,
 * and a port nothing listens on. All on 127.0.0.1.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';

export interface Targets {
  tcpUp: string;
  httpUp: string;
  http503: string;
  closed: string;
  close(): Promise<void>;
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

/** A port that was free a moment ago: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startTcpTarget(): Promise<{ address: string; server: Server }> {
  const server = createTcpServer((socket) => socket.destroy());
  return { address: `127.0.0.1:${await listen(server)}`, server };
}

export async function startHttpTarget(status = 200): Promise<{ url: string; server: Server }> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
  return { url: `http://127.0.0.1:${await listen(server)}/healthz`, server };
}

export async function startTargets(): Promise<Targets> {
  const tcp = await startTcpTarget();
  const http = await startHttpTarget(200);
  const bad = await startHttpTarget(503);
  const closed = await closedPort();
  const servers = [tcp.server, http.server, bad.server];
  return {
    tcpUp: tcp.address,
    httpUp: http.url,
    http503: bad.url,
    closed: `127.0.0.1:${closed}`,
    close: async () => {
      for (const s of servers) {
        if ('closeAllConnections' in s && typeof s.closeAllConnections === 'function') s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
