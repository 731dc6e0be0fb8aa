import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullJitterDelay, parseRetryAfter } from '../../agents/client/backoff.ts';
import { agentToken, ConfigError, loadAgentConfig } from '../../agents/client/config.ts';
import { JsonPoster, maxBodyBytes } from '../../agents/client/post.ts';
import { batchBody } from '../../agents/client/sender.ts';

describe('backoff', () => {
  it('waits a uniformly random time up to an exponential cap (full jitter)', () => {
    expect(fullJitterDelay(0, 1000, 60_000, () => 0.999)).toBe(999);
    expect(fullJitterDelay(3, 1000, 60_000, () => 0.5)).toBe(4000);
    expect(fullJitterDelay(20, 1000, 60_000, () => 0.999)).toBe(59_940);
    expect(fullJitterDelay(5, 1000, 60_000, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2024-05-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 01 May 2024 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 May 2024 00:00:00 GMT', now + 1000)).toBe(0);
    expect(parseRetryAfter('99999', now)).toBe(600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('agent configuration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yunwang-agent-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it('loads YAML, fills defaults and resolves paths from the file', async () => {
    const file = await write(
      'network.yaml',
      `api_url: https://yunwang.example.gov.cn
token_file: secrets/token
name: network-nanning-1
spool_dir: ./spool
nodes:
  - { code: NN-METRO-01, address: "10.1.0.1:443", method: tcp }
  - { code: NN-METRO-02, address: "https://10.1.0.2/healthz", method: http }
`,
    );
    const config = loadAgentConfig('network', file, {});
    expect(config).toMatchObject({
      interval_seconds: 30,
      attempts: 3,
      timeout_ms: 2000,
      concurrency: 256,
      spool_max_bytes: 256 * 1024 * 1024,
      spool_max_age_hours: 72,
      spool_dir: path.join(dir, 'spool'),
      token_file: path.join(dir, 'secrets/token'),
      metrics_port: 9464,
      metrics_enabled: true,
    });
    await writeFile(path.join(dir, 'secrets-token'), '');
  });

  it('loads JSON and lets YUNWANG_AGENT_* override scalars', async () => {
    const file = await write(
      'cloud.json',
      JSON.stringify({
        api_url: 'http://127.0.0.1:8080',
        token: 'from-file',
        name: 'cloud-gx',
        spool_dir: '/var/spool/yunwang',
        cloud: 'GX-PROV',
      }),
    );
    const config = loadAgentConfig('cloud', file, {
      YUNWANG_AGENT_TOKEN: 'from-env',
      YUNWANG_AGENT_INTERVAL_SECONDS: '60',
      YUNWANG_AGENT_METRICS_ENABLED: 'false',
      YUNWANG_AGENT_KUBECONFIG: 'kube.yaml',
    });
    expect(config).toMatchObject({
      token: 'from-env',
      interval_seconds: 60,
      metrics_enabled: false,
      cloud: 'GX-PROV',
      adapter: 'kubernetes',
    });
    expect(config.kubeconfig).toBe(path.join(dir, 'kube.yaml'));
    expect(agentToken(config)).toBe('from-env');
  });

  it('names every bad field and never echoes a value', async () => {
    const file = await write(
      'bad.json',
      JSON.stringify({
        api_url: 'ftp://x',
        token: 'ywa_SECRET',
        name: 'bad name',
        spool_dir: 's',
        interval_seconds: 0,
        nodes: [
          { code: 'A', address: 'no-port', method: 'tcp' },
          { code: 'A', address: 'http://ok/', method: 'http' },
          { code: 'B', address: '10.0.0.1:80', method: 'icmp' },
        ],
      }),
    );
    let message = '';
    try {
      loadAgentConfig('network', file, {});
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    for (const field of ['api_url', 'name', 'interval_seconds', 'nodes.0.address', 'nodes.2.method']) expect(message).toContain(field);
    expect(message).not.toContain('SECRET');
    const dup = await write(
      'dup.json',
      JSON.stringify({
        api_url: 'http://x',
        token: 't',
        name: 'n',
        spool_dir: 's',
        nodes: [
          { code: 'A', address: 'h:1', method: 'tcp' },
          { code: 'A', address: 'h:2', method: 'tcp' },
        ],
      }),
    );
    expect(() => loadAgentConfig('network', dup, {})).toThrow(/nodes\.1\.code: A is listed twice/);
  });

  it('requires a token or a token file, and reads the file trimmed', async () => {
    const file = await write('notoken.json', JSON.stringify({ api_url: 'http://x', name: 'n', spool_dir: 's', cloud: 'C' }));
    expect(() => loadAgentConfig('cloud', file, {})).toThrow(/token: is required/);
    const tokenFile = await write('token', 'ywa_abc\n');
    expect(agentToken({ token_file: tokenFile })).toBe('ywa_abc');
    expect(() => agentToken({ token_file: path.join(dir, 'missing') })).toThrow(/ENOENT/);
    expect(() => loadAgentConfig('cloud', path.join(dir, 'nope.yaml'), {})).toThrow(/cannot read/);
    const broken = await write('broken.yaml', 'api_url: [');
    expect(() => loadAgentConfig('cloud', broken, {})).toThrow(/not valid YAML/);
  });
});

describe('sending a spooled batch', () => {
  it('splices agent, seq and sent_at into the spooled JSON: the body JSON.stringify would give', () => {
    const batch = { next_report_seconds: 30, items: [{ kind: 'node_sample', node: 'N"1', up: true, latency_ms: 1.5, loss: 0 }] };
    const payload = Buffer.from(JSON.stringify(batch));
    const at = '2026-12-07T00:00:00.000Z';
    expect(batchBody('agent-é"1', 7, at, payload).toString()).toBe(JSON.stringify({ agent: 'agent-é"1', seq: 7, sent_at: at, ...batch }));
    expect(JSON.parse(batchBody('a', 1, at, Buffer.from('{}')).toString())).toEqual({ agent: 'a', seq: 1, sent_at: at });
  });

  describe('over node:http', () => {
    let server: Server;
    let url: string;
    let answer: (res: ServerResponse) => void;
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => answer(res));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const address = server.address();
      url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1/ingest/batches`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('keeps only the first 16 KiB of an answer, and gives the status and Retry-After', async () => {
      answer = (res) => {
        res.writeHead(503, { 'Retry-After': '7' });
        res.end('e'.repeat(100_000));
      };
      const poster = new JsonPoster(url);
      const res = await poster.post(Buffer.from('{}'), {}, 2000, new AbortController().signal);
      expect(res).toMatchObject({ status: 503, retryAfter: '7' });
      expect(res.text).toBe('e'.repeat(maxBodyBytes));
      poster.close();
    });

    it('gives up on an API that does not answer within the timeout, and when aborted', async () => {
      answer = () => {}; // never answers
      const poster = new JsonPoster(url);
      await expect(poster.post(Buffer.from('{}'), {}, 100, new AbortController().signal)).rejects.toThrow(/no answer within 100 ms/);
      const stop = new AbortController();
      const pending = poster.post(Buffer.from('{}'), {}, 10_000, stop.signal);
      stop.abort();
      await expect(pending).rejects.toThrow(/abort/i);
      poster.close();
    });
  });
});
