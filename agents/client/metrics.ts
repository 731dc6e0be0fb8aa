import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from './exposition.ts';
import type { SpoolStats } from './spool.ts';

/**
 * The agent's own metrics, on its own registry (no default process metrics: their
 * `_total` gauges fail promtool). Labels come from fixed sets only.
 */
export function createAgentMetrics(kind: string, version: string, spoolStats: () => SpoolStats) {
  const registry = new Registry();
  const info = new Gauge({
    name: 'yunwang_agent_info',
    help: 'The agent kind and version (always 1)',
    labelNames: ['kind', 'version'],
    registers: [registry],
  });
  info.set({ kind, version }, 1);
  // The exchange source's series exist only on an exchange-agent's /metrics.
  const exchange = kind === 'exchange' ? [registry] : [];
  const metrics = {
    registry,
    sent: new Counter({
      name: 'yunwang_agent_batches_sent_total',
      help: 'Batches the API acknowledged (outcome duplicate: it had them already)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    retried: new Counter({
      name: 'yunwang_agent_batches_retried_total',
      help: 'Send attempts that failed and will be retried (unreachable, 5xx, 429)',
      registers: [registry],
    }),
    spooled: new Counter({
      name: 'yunwang_agent_batches_spooled_total',
      help: 'Batches that had to wait in the spool because the API could not take them',
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'yunwang_agent_batches_dropped_total',
      help: 'Batches dropped from the spool, oldest first, by the byte or age bound (or a spool write error)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'yunwang_agent_batches_dead_lettered_total',
      help: 'Batches the API refused (4xx other than 408/429), moved to dead-letter.jsonl',
      registers: [registry],
    }),
    rounds: new Counter({
      name: 'yunwang_agent_rounds_total',
      help: 'Collection rounds, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    roundSeconds: new Gauge({
      name: 'yunwang_agent_round_duration_seconds',
      help: 'How long the last collection round took',
      registers: [registry],
    }),
    items: new Gauge({ name: 'yunwang_agent_round_items', help: 'Items the last round produced', registers: [registry] }),
    probeTargets: new Gauge({
      name: 'yunwang_agent_probe_targets',
      help: 'Nodes by state in the last probe round (network-agent)',
      labelNames: ['state'],
      registers: [registry],
    }),
    exchangeRows: new Counter({
      name: 'yunwang_agent_exchange_rows_read_total',
      help: 'Daily exchange counts read from the source and handed to the spool (exchange-agent)',
      labelNames: ['source'],
      registers: exchange,
    }),
    exchangeFiles: new Counter({
      name: 'yunwang_agent_exchange_files_total',
      help: 'CSV files moved to done/ after their rows were spooled, or to rejected/ with an .error file (exchange-agent)',
      labelNames: ['outcome'],
      registers: exchange,
    }),
    exchangeQueryFailures: new Counter({
      name: 'yunwang_agent_exchange_query_failures_total',
      help: 'SQL rounds that failed: connection, query, timeout, row bound or a bad row (exchange-agent)',
      registers: exchange,
    }),
  };
  if (kind === 'exchange') {
    for (const source of ['sql', 'csv']) metrics.exchangeRows.inc({ source }, 0);
    for (const outcome of ['done', 'rejected']) metrics.exchangeFiles.inc({ outcome }, 0);
    metrics.exchangeQueryFailures.inc(0);
  }
  for (const result of ['ok', 'failed']) metrics.rounds.inc({ result }, 0);
  for (const outcome of ['applied', 'duplicate']) metrics.sent.inc({ outcome }, 0);
  for (const reason of ['bytes', 'age', 'error']) metrics.dropped.inc({ reason }, 0);
  new Gauge({
    name: 'yunwang_agent_spool_oldest_age_seconds',
    help: 'Age of the oldest batch still in the spool (0 when empty)',
    registers: [registry],
    collect() {
      this.set(spoolStats().oldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'yunwang_agent_spool_batches',
    help: 'Batches in the spool, not yet acknowledged',
    registers: [registry],
    collect() {
      this.set(spoolStats().batches);
    },
  });
  new Gauge({
    name: 'yunwang_agent_spool_bytes',
    help: 'Bytes of batches in the spool, not yet acknowledged',
    registers: [registry],
    collect() {
      this.set(spoolStats().bytes);
    },
  });
  return metrics;
}

export type AgentMetrics = ReturnType<typeof createAgentMetrics>;

/** Serves GET /metrics (and /healthz); resolves with the bound port. */
export function serveMetrics(registry: Registry, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(body);
        })
        .catch((error: Error) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(error.message);
        });
      return;
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
