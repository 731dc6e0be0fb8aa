/**
 * Agent faults, each bounded in time: the agent process killed with -9 and restarted, the
 * spool writer killed with -9 mid-write, a poison batch refused with 400, and a spool too
 * small for an outage. The agent runs as the real `yunwang-agent` command where the test
 * needs a process to kill.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../agents/client/runner.ts';
import { decodeSegment, Spool } from '../../agents/client/spool.ts';
import { networkAgent } from '../../agents/network/program.ts';
import { createApp } from '../../src/app.ts';
import type { Database } from '../../src/db/client.ts';
import { rootActor } from '../../src/identity/actor.ts';
import { issueAgentToken } from '../../src/ingest/agents.ts';
import { loadDivisions } from '../../src/regions/service.ts';
import { contiguous, delivered, fastAgent, metricValue, sleep, waitFor, writeAgentConfig } from '../helpers/agents.ts';
import { type ApiServer, startApiServer, testAppConfig } from '../helpers/api-server.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { call, signInCast, uid } from '../helpers/ingest.ts';
import { closedPort, startTargets, type Targets } from '../helpers/targets.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const agentBin = path.join(root, 'bin/yunwang-agent.mjs');

let database: Database;
let api: ApiServer;
let targets: Targets;
let dir: string;

beforeAll(async () => {
  database = await openTestDatabase('pglite');
  await loadDivisions(database.db);
  api = await startApiServer(database);
  targets = await startTargets();
  dir = await mkdtemp(path.join(tmpdir(), 'yunwang-faults-'));
});
afterAll(async () => {
  await api.stop();
  await targets.close();
  await database.close();
  await rm(dir, { recursive: true, force: true });
});

async function registerNodes(count: number) {
  const app = createApp({ database, config: testAppConfig });
  await signInCast(app, database.db);
  const nodes = Array.from({ length: count }, () => ({ code: uid('NODE'), address: targets.tcpUp, method: 'tcp' }));
  for (const n of nodes)
    expect(
      (await call(app, 'POST', '/api/v1/network-nodes', { code: n.code, name: n.code, region_code: '450102', tier: 'metro' })).status,
    ).toBe(201);
  return nodes;
}

async function newNetworkAgent(nodes: { code: string }[], extra: Record<string, unknown> = {}, apiUrl = api.url) {
  const name = uid('network');
  const { token } = await issueAgentToken(database.db, { name, kind: 'network' }, rootActor('test'));
  const spoolDir = path.join(dir, name);
  const file = await writeAgentConfig(dir, name, {
    ...fastAgent,
    api_url: apiUrl,
    token,
    name,
    spool_dir: spoolDir,
    nodes,
    attempts: 1,
    timeout_ms: 500,
    ...extra,
  });
  return { name, file, spoolDir };
}

function spawnAgent(file: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [agentBin, 'network', '--config', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

const scrape = async (port: number) => {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return '';
  }
};

describe('agent faults', () => {
  it('an agent killed with -9 while spooling resumes from its spool: no gap, no duplicate', { timeout: 60_000 }, async () => {
    const nodes = await registerNodes(5);
    const metricsPort = await closedPort();
    const { name, file } = await newNetworkAgent(nodes, { metrics_port: metricsPort });

    const first = spawnAgent(file);
    try {
      await waitFor('two delivered batches', async () => (await delivered(database, name)).seqs.length >= 2, 30_000);
      await api.stop();
      await waitFor(
        'three spooled batches',
        async () => metricValue(await scrape(metricsPort), 'yunwang_agent_spool_batches') >= 3,
        20_000,
      );
      first.child.kill('SIGKILL');
      expect(await exited(first.child)).toBeNull();
    } finally {
      first.child.kill('SIGKILL');
      await api.start();
    }

    const second = spawnAgent(file);
    try {
      await waitFor('the restarted agent to drain its spool', async () => {
        const text = await scrape(metricsPort);
        return (
          metricValue(text, 'yunwang_agent_spool_batches') === 0 &&
          metricValue(text, 'yunwang_agent_batches_sent_total', '{outcome="applied"}') >= 4
        );
      });
      second.child.kill('SIGTERM');
      expect(await exited(second.child)).toBe(0);
    } finally {
      second.child.kill('SIGKILL');
    }
    expect(second.output()).toMatch(/batches from a previous run will be sent first/);
    const got = await delivered(database, name);
    expect(contiguous(got.seqs)).toBe(true);
    expect(got.seqs.length).toBeGreaterThanOrEqual(6);
    expect(got.samples).toBe(got.seqs.length * nodes.length);
  });

  it('kill -9 during spool writes never corrupts the spool and loses at most the batch being written', { timeout: 60_000 }, async () => {
    const spoolDir = path.join(dir, 'stress');
    const writer = path.join(root, 'tests/e2e/fixtures/spool-writer.ts');
    let lastAcknowledged = 0;
    for (let round = 0; round < 5; round++) {
      let out = '';
      const child = spawn(process.execPath, ['--import', 'tsx', writer, spoolDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await waitFor('the writer to append', () => /ok \d+/.test(out), 20_000, 10);
      await sleep(50 + Math.floor(Math.random() * 200));
      child.kill('SIGKILL');
      await exited(child);
      const acknowledged = [...out.matchAll(/ok (\d+)/g)].map((m) => Number(m[1]));
      lastAcknowledged = Math.max(lastAcknowledged, ...acknowledged);

      const { spool, report } = await Spool.open({
        dir: spoolDir,
        maxBytes: 64 * 1024 * 1024,
        maxAgeMs: 3600_000,
        segmentBytes: 64 * 1024,
      });
      const seqs: number[] = [];
      for (const entry of spool.pending()) {
        seqs.push(entry.seq);
        await spool.read(entry);
      }
      await spool.close();
      expect(contiguous(seqs)).toBe(true);
      // Everything the writer saw fsynced is there; at most the one being written is not.
      expect(seqs.at(-1)).toBeGreaterThanOrEqual(lastAcknowledged);
      expect(seqs.at(-1)).toBeLessThanOrEqual(lastAcknowledged + 1);
      expect(report.corruptSegments).toBe(0);
    }
    // And every segment decodes to its end once the spool has recovered.
    const { spool } = await Spool.open({ dir: spoolDir, maxBytes: 64 * 1024 * 1024, maxAgeMs: 3600_000, segmentBytes: 64 * 1024 });
    await spool.close();
    for (const file of (await readdir(spoolDir)).filter((f) => f.endsWith('.seg'))) {
      const bytes = await readFile(path.join(spoolDir, file));
      expect(decodeSegment(Number(file.slice(0, 20)), bytes).validBytes).toBe(bytes.length);
    }
  });

  it('a poison batch (400) goes to the dead-letter file and later batches still arrive', { timeout: 30_000 }, async () => {
    const nodes = await registerNodes(3);
    // A proxy that refuses seq 2 with 400 and forwards everything else to the real API.
    const proxy: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString();
      if ((JSON.parse(body) as { seq: number }).seq === 2) {
        res.writeHead(400, { 'Content-Type': 'application/problem+json' });
        res.end(JSON.stringify({ code: 'bad_request', detail: 'poison' }));
        return;
      }
      const upstream = await fetch(`${api.url}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body });
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    const address = proxy.address();
    const proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const { name, file, spoolDir } = await newNetworkAgent(nodes, {}, proxyUrl);
    const config = networkAgent.load(file);
    const agent = await startAgent({ kind: 'network', config, collect: networkAgent.collector(config), log: () => {} });
    try {
      await waitFor('batches after the poison one', async () => (await delivered(database, name)).seqs.length >= 4);
    } finally {
      await agent.stop();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
    const got = await delivered(database, name);
    expect(got.seqs.slice(0, 3)).toEqual([1, 3, 4]);
    const dead = (await readFile(path.join(spoolDir, 'dead-letter.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dead).toEqual([expect.objectContaining({ seq: 2, status: 400, batch: expect.objectContaining({ agent: name, seq: 2 }) })]);
    expect(dead[0].batch.items).toHaveLength(3);
    expect(metricValue(await agent.metrics.registry.metrics(), 'yunwang_agent_batches_dead_lettered_total')).toBe(1);
  });

  it('a full spool drops the oldest batches, counts them, and delivers the rest in order', { timeout: 30_000 }, async () => {
    const nodes = await registerNodes(20);
    const port = await closedPort();
    const { name, file } = await newNetworkAgent(nodes, { spool_max_bytes: 4096 }, `http://127.0.0.1:${port}`);
    const config = networkAgent.load(file);
    const lines: string[] = [];
    const agent = await startAgent({ kind: 'network', config, collect: networkAgent.collector(config), log: (l) => lines.push(l) });
    let later: ApiServer | undefined;
    try {
      await waitFor(
        'batches to be dropped',
        async () => metricValue(await agent.metrics.registry.metrics(), 'yunwang_agent_batches_dropped_total', '{reason="bytes"}') >= 3,
      );
      later = await startApiServer(database, {}, port);
      await waitFor(
        'the spool to drain',
        async () => agent.spool.stats().batches === 0 && (await delivered(database, name)).seqs.length > 0,
      );
    } finally {
      await agent.stop();
      await later?.stop();
    }
    const dropped = metricValue(await agent.metrics.registry.metrics(), 'yunwang_agent_batches_dropped_total', '{reason="bytes"}');
    const got = await delivered(database, name);
    // The oldest went: delivery starts right after the dropped ones, with no other gap.
    expect(got.seqs[0]).toBe(dropped + 1);
    expect(contiguous(got.seqs, dropped + 1)).toBe(true);
    expect(got.seqs.at(-1)).toBe(agent.spool.stats().nextSeq - 1);
    expect(lines.some((l) => /dropped \d+ oldest batches/.test(l))).toBe(true);
  });
});
