import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';

// node:https (and the tls and crypto it loads) is imported when an https API is first posted
// to: ~4.7 MiB resident on Node 24 that an agent posting over plain http never needs. Its
// default export (the module itself): the agents' build gives a dynamic import of a built-in
// nothing else.
let https: Promise<typeof import('node:https')> | undefined;

// node:http rather than fetch: the global fetch loads undici on first use, ~10 MiB of
// resident memory in a process whose whole budget is about 60 (issue 19, bench/INGEST.md).

export interface PostResponse {
  status: number;
  retryAfter: string | undefined;
  /** The body's first `maxBodyBytes` (the rest is read and discarded, never kept). */
  text: string;
}

/** More of a response than an agent reads: it logs 300 characters and dead-letters 4,000. */
export const maxBodyBytes = 16 * 1024;

/** POSTs a JSON body on one kept-alive connection per API; rejects on a network error, the timeout or the signal. */
export class JsonPoster {
  readonly #url: URL;
  #client: { agent: HttpAgent; request: typeof httpRequest } | undefined;

  constructor(url: string) {
    this.#url = new URL(url);
  }

  async #connection(): Promise<{ agent: HttpAgent; request: typeof httpRequest }> {
    // One batch is in flight at a time, so one socket; kept alive between sends.
    const options = { keepAlive: true, maxSockets: 1 };
    if (this.#url.protocol !== 'https:') this.#client ??= { agent: new HttpAgent(options), request: httpRequest };
    else if (!this.#client) {
      https ??= import('node:https').then((m) => m.default);
      const { Agent, request } = await https;
      this.#client ??= { agent: new Agent(options), request };
    }
    return this.#client as { agent: HttpAgent; request: typeof httpRequest };
  }

  async post(body: Buffer, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<PostResponse> {
    const { agent, request } = await this.#connection();
    return new Promise((resolve, reject) => {
      const req = request(this.#url, {
        method: 'POST',
        agent,
        headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
        signal,
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.once('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept >= maxBodyBytes) return;
          chunks.push(chunk.subarray(0, maxBodyBytes - kept));
          kept += Math.min(chunk.length, maxBodyBytes - kept);
        });
        res.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        res.once('close', () => {
          clearTimeout(timer);
          if (!res.complete) reject(new Error('the answer was cut short'));
        });
        res.once('end', () => {
          clearTimeout(timer);
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.#client?.agent.destroy();
  }
}
