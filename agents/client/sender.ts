import { fullJitterDelay, parseRetryAfter } from './backoff.ts';
import type { AgentMetrics } from './metrics.ts';
import { JsonPoster } from './post.ts';
import type { Spool, SpoolEntry } from './spool.ts';

export interface SenderOptions {
  spool: Spool;
  metrics: AgentMetrics;
  apiUrl: string;
  token: string;
  agent: string;
  userAgent: string;
  timeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  log: (line: string) => void;
  random?: () => number;
}

/**
 * The request body for a spooled batch, `{agent, seq, sent_at, ...batch}`, spliced from the
 * spooled JSON bytes: a batch of 1,500 samples is never parsed into objects to be sent, nor
 * again on every retry while the API is away.
 */
export function batchBody(agent: string, seq: number, sentAt: string, payload: Buffer): Buffer {
  const empty = payload.length <= 2; // "{}"
  const head = `{"agent":${JSON.stringify(agent)},"seq":${seq},"sent_at":${JSON.stringify(sentAt)}${empty ? '}' : ','}`;
  return empty ? Buffer.from(head) : Buffer.concat([Buffer.from(head), payload.subarray(1)]);
}

/** The batch as the dead-letter file keeps it: the body that was refused, as an object when it parses. */
function deadLetterBatch(agent: string, seq: number, payload: Buffer): unknown {
  try {
    return { agent, seq, ...(JSON.parse(payload.toString('utf8')) as object) };
  } catch {
    return { agent, seq, unparsed: payload.toString('utf8') };
  }
}

type Outcome =
  | { kind: 'ok'; duplicate: boolean }
  | { kind: 'retry'; why: string; retryAfterMs?: number }
  | { kind: 'reject'; status: number; body: string };

/**
 * Sends the spool's batches in seq order, one at a time. 2xx removes a batch; network
 * errors, 408, 429 and 5xx keep it at the head and retry with backoff (or Retry-After);
 * any other 4xx moves it to the dead-letter file so the queue never blocks behind it.
 */
export class Sender {
  readonly #o: SenderOptions;
  readonly #poster: JsonPoster;
  #stopped = false;
  #failures = 0;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #inFlight: AbortController | undefined;
  /** Seqs already counted as spooled, so each batch counts once. */
  #counted = new Set<number>();

  constructor(options: SenderOptions) {
    this.#o = options;
    this.#poster = new JsonPoster(new URL('/api/v1/ingest/batches', options.apiUrl).toString());
  }

  /** True while the API is failing: batches appended now wait in the spool. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** Counts a batch as spooled (once). */
  markSpooled(seq: number): void {
    if (this.#counted.has(seq)) return;
    this.#counted.add(seq);
    this.#o.metrics.spooled.inc();
  }

  /** Tells a waiting loop that the spool has something new. */
  wake(): void {
    this.#wake?.();
  }

  start(): void {
    this.#loop ??= this.#run(() => !this.#stopped);
  }

  /**
   * Sends until the spool is empty or the deadline passes (for --once). Resolves with the
   * batches still waiting.
   */
  async drain(deadline: number): Promise<number> {
    await this.#run(() => !this.#stopped && Date.now() < deadline && this.#o.spool.peek() !== undefined, deadline);
    return this.#o.spool.stats().batches;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#inFlight?.abort();
    this.wake();
    await this.#loop;
    this.#poster.close();
  }

  async #run(keepGoing: () => boolean, deadline?: number): Promise<void> {
    const { spool, metrics, log } = this.#o;
    while (keepGoing()) {
      for (const d of await spool.enforceBounds()) metrics.dropped.inc({ reason: d.reason });
      const entry = spool.peek();
      if (!entry) {
        // Wake on a new batch, or after a while to apply the age bound.
        await this.#sleep(5000);
        continue;
      }
      // Batches dropped by a bound never come back through here: forget them.
      if (this.#counted.size > 1000) for (const seq of this.#counted) if (seq < entry.seq) this.#counted.delete(seq);
      spool.pin(entry.seq);
      let payload: Buffer;
      try {
        payload = await spool.readPayload(entry);
      } catch (error) {
        spool.pin(undefined);
        if (spool.peek()?.seq !== entry.seq) continue; // dropped by a bound meanwhile
        // A record that no longer reads back cannot be sent by anyone: count it and move on.
        log(`spool record ${entry.seq} is unreadable (${(error as Error).message}); dropping it`);
        metrics.dropped.inc({ reason: 'error' });
        await spool.ack(entry.seq, { durable: true });
        continue;
      }
      const outcome = await this.#post(entry, payload);
      try {
        if (outcome.kind === 'ok') {
          if (this.#failures > 0) log(`API reachable again; batch ${entry.seq} delivered`);
          this.#failures = 0;
          metrics.sent.inc({ outcome: outcome.duplicate ? 'duplicate' : 'applied' });
          await spool.ack(entry.seq);
          this.#counted.delete(entry.seq);
          continue;
        }
        if (outcome.kind === 'reject') {
          log(`batch ${entry.seq} refused with ${outcome.status}; moved to the dead-letter file: ${outcome.body.slice(0, 300)}`);
          metrics.deadLettered.inc();
          await spool.deadLetter(entry, deadLetterBatch(this.#o.agent, entry.seq, payload), outcome);
          this.#counted.delete(entry.seq);
          continue;
        }
      } finally {
        spool.pin(undefined);
      }
      if (this.#stopped) break;
      this.markSpooled(entry.seq);
      metrics.retried.inc();
      const delay = outcome.retryAfterMs ?? fullJitterDelay(this.#failures, this.#o.backoffInitialMs, this.#o.backoffMaxMs, this.#o.random);
      if (this.#failures === 0) log(`batch ${entry.seq} not delivered (${outcome.why}); spooling and retrying`);
      this.#failures++;
      await this.#sleep(deadline === undefined ? delay : Math.min(delay, Math.max(0, deadline - Date.now())), false);
    }
  }

  async #post(entry: SpoolEntry, payload: Buffer): Promise<Outcome> {
    const body = batchBody(this.#o.agent, entry.seq, new Date().toISOString(), payload);
    const controller = new AbortController();
    this.#inFlight = controller;
    try {
      const res = await this.#poster.post(
        body,
        { Authorization: `Bearer ${this.#o.token}`, 'User-Agent': this.#o.userAgent },
        this.#o.timeoutMs,
        controller.signal,
      );
      const { text } = res;
      if (res.status >= 200 && res.status < 300) {
        let duplicate = false;
        try {
          duplicate = (JSON.parse(text) as { status?: unknown }).status === 'duplicate';
        } catch {
          // A 2xx is an acknowledgement whatever its body says.
        }
        return { kind: 'ok', duplicate };
      }
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        return { kind: 'retry', why: `HTTP ${res.status}`, retryAfterMs: parseRetryAfter(res.retryAfter) };
      }
      return { kind: 'reject', status: res.status, body: text };
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return { kind: 'retry', why: `${error instanceof Error ? error.message : String(error)}${cause}` };
    } finally {
      this.#inFlight = undefined;
    }
  }

  /** Waits ms, or until woken (a new batch) unless `wakeable` is false, or until stopped. */
  #sleep(ms: number, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = wakeable ? done : () => (this.#stopped ? done() : undefined);
    });
  }
}
