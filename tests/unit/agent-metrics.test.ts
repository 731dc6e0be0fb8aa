import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAgentMetrics, serveMetrics } from '../../agents/client/metrics.ts';

const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

describe('agent metrics', () => {
  const metrics = createAgentMetrics('network', '0.1.0', () => ({ batches: 3, bytes: 4096, oldestAgeSeconds: 42.5, nextSeq: 9 }));

  it('exposes the batch counters and the spool gauges, read from the spool at scrape time', async () => {
    const text = await metrics.registry.metrics();
    for (const name of [
      'yunwang_agent_batches_sent_total{outcome="applied"} 0',
      'yunwang_agent_batches_retried_total 0',
      'yunwang_agent_batches_spooled_total 0',
      'yunwang_agent_batches_dropped_total{reason="bytes"} 0',
      'yunwang_agent_batches_dead_lettered_total 0',
      'yunwang_agent_spool_oldest_age_seconds 42.5',
      'yunwang_agent_spool_batches 3',
      'yunwang_agent_spool_bytes 4096',
      'yunwang_agent_info{kind="network",version="0.1.0"} 1',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('serves /metrics and /healthz on 127.0.0.1', async () => {
    const { server, port } = await serveMetrics(metrics.registry, '127.0.0.1', 0);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('yunwang_agent_spool_batches 3');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it.skipIf(!promtool)('passes promtool check metrics', async () => {
    const text = await metrics.registry.metrics();
    expect(() => execFileSync(promtool as string, ['check', 'metrics'], { input: text })).not.toThrow();
  });

  it("has the exchange source's series on an exchange-agent only, zeros included, and they pass promtool", async () => {
    const spool = () => ({ batches: 0, bytes: 0, oldestAgeSeconds: 0, nextSeq: 1 });
    const exchange = await createAgentMetrics('exchange', '0.1.0', spool).registry.metrics();
    for (const line of [
      'yunwang_agent_exchange_rows_read_total{source="sql"} 0',
      'yunwang_agent_exchange_rows_read_total{source="csv"} 0',
      'yunwang_agent_exchange_files_total{outcome="done"} 0',
      'yunwang_agent_exchange_files_total{outcome="rejected"} 0',
      'yunwang_agent_exchange_query_failures_total 0',
    ])
      expect(exchange).toContain(line);
    expect(await metrics.registry.metrics()).not.toContain('yunwang_agent_exchange_');
    if (promtool) expect(() => execFileSync(promtool, ['check', 'metrics'], { input: exchange })).not.toThrow();
  });
});
