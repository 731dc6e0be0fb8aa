import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

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
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  constructor(url: string) {
    this.#url = new URL(url);
    const https = this.#url.protocol === 'https:';
    // One batch is in flight at a time, so one socket; kept alive between sends.
    this.#agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.#request = https ? httpsRequest : httpRequest;
  }

  post(body: Buffer, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<PostResponse> {
    return new Promise((resolve, reject) => {
      const req = this.#request(this.#url, {
        method: 'POST',
        agent: this.#agent,
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
    this.#agent.destroy();
  }
}
