/**
 * Fixtures for notification tests: alerts inserted as the alert engine would leave them, and a
 * local HTTP receiver (127.0.0.1, a free port) that answers as each test tells it to.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertChange } from '../../src/alerts/lifecycle.ts';
import type { Db } from '../../src/db/client.ts';
import type { AlertRuleKey, AlertSeverity } from '../../src/db/schema/enums.ts';
import { alerts } from '../../src/db/schema/index.ts';

let counter = 0;

/** A firing alert about a node; returns the change the engine would hand to enqueueNotifications. */
export async function newAlert(
  db: Db,
  options: { rule?: AlertRuleKey; severity?: AlertSeverity; region?: string | null; code?: string; at?: Date } = {},
): Promise<AlertChange> {
  const rule = options.rule ?? 'node_down';
  const severity = options.severity ?? 'critical';
  const region = options.region === undefined ? '450100' : options.region;
  const code = options.code ?? `GX-N${process.pid}-${++counter}`;
  const at = options.at ?? new Date();
  const [row] = await db
    .insert(alerts)
    .values({
      fingerprint: `${rule}:${code}`,
      rule,
      severity,
      state: 'firing',
      subjectKind: 'node',
      subjectCode: code,
      subjectName: `测试节点 ${code}`,
      regionCode: region,
      summary: `节点 ${code} 不可达 unreachable`,
      startedAt: at,
      lastChangedAt: at,
    })
    .returning({ id: alerts.id });
  if (!row) throw new Error('alert not inserted');
  return { alertId: row.id, reason: 'firing', severity, rule, regionCode: region };
}

export interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Requests answered 2xx. */
  accepted(): ReceivedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that answers the n-th request (0-based) with `answer(n)`. */
export async function startReceiver(answer: (n: number) => { status: number; body?: unknown }): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { status, body } = answer(requests.length);
      requests.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP server on 127.0.0.1 that reads requests and never answers them: a hung receiver. */
export async function startSilentReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A clock the deliverer reads: tests move it instead of waiting out backoffs and group waits. */
export function testClock(start = new Date()) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
}
