import type { Server } from 'node:http';
import { monotonicMs } from './clock.ts';
import { type AgentMetrics, createAgentMetrics, serveMetrics } from './metrics.ts';
import { type AgentKind, agentVersion, type IngestItem } from './protocol.ts';
import { Sender } from './sender.ts';
import { Spool } from './spool.ts';
import { agentToken } from './token.ts';

/** The settings the runner uses; both agents' configurations have them. */
export interface RunnerConfig {
  api_url: string;
  token?: string;
  token_file?: string;
  name: string;
  interval_seconds: number;
  spool_dir: string;
  spool_max_bytes: number;
  spool_max_age_hours: number;
  max_batch_items: number;
  request_timeout_seconds: number;
  backoff_initial_ms: number;
  backoff_max_ms: number;
  metrics_enabled: boolean;
  metrics_host: string;
  metrics_port: number;
}

/**
 * A round whose source keeps what it read until it is safely spooled (a file moved away
 * only then, a cursor advanced only then): `afterSpooled` runs once every batch of the
 * round is fsynced in the spool, and never when one could not be written — the source
 * then still holds the items and reads them again next round.
 */
export interface CollectedRound<T extends IngestItem = IngestItem> {
  items: T[];
  afterSpooled(): Promise<void>;
}

/** One collection round's items; a thrown error skips the round (and sends nothing). */
export type Collect = (metrics: AgentMetrics) => Promise<IngestItem[] | CollectedRound>;

export interface RunOptions {
  kind: AgentKind;
  config: RunnerConfig;
  collect: Collect;
  once?: boolean;
  /** For --once: how long to keep trying to deliver before leaving the rest in the spool. */
  onceDeadlineMs?: number;
  log?: (line: string) => void;
  /** Called once the metrics server listens (tests read the port from it). */
  onListening?: (port: number) => void;
}

export interface RunningAgent {
  metrics: AgentMetrics;
  spool: Spool;
  /** Resolves when the agent has stopped: the exit code (0; with --once 75 when batches stay in the spool, 1 when the round failed). */
  done: Promise<number>;
  stop(): Promise<number>;
}

export const exitSpoolNotEmpty = 75;
export const exitRoundFailed = 1;

/** How long after a round its garbage is collected: its sockets have closed and its batch has gone out. */
const collectDelayMs = 1000;

/**
 * V8 12 and later take gc({flavor: 'last-resort'}): a collection that reduces the footprint
 * and hands emptied pages back, as the memory reducer's do (a plain gc() on Node 24 keeps
 * them pooled). V8 11 (Node 20) reads an options object otherwise: a plain gc() there.
 */
const lastResortFlavor = Number(process.versions.v8.split('.')[0]) >= 12;

/**
 * Once a round is over, a full garbage collection, when the process runs with --expose-gc
 * (the network-agent image does). A round of thousands of probes leaves megabytes of garbage
 * in V8's old generation, and after the round too little is allocated for V8 to collect it:
 * on Node 24 its memory reducer gives it back some rounds and not others, so the agent sat
 * 5 MiB above its idle size for whole intervals (bench/INGEST.md). A few milliseconds a round.
 */
function collectAfterRound(): NodeJS.Timeout | undefined {
  const gc = globalThis.gc;
  if (!gc) return undefined;
  return setTimeout(
    () => (lastResortFlavor ? gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }) : gc()),
    collectDelayMs,
  ).unref();
}

const defaultLog = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

/**
 * Runs an agent: a collection round every interval (rounds never overlap; a late round
 * skips the ticks it missed), each round appended to the spool as one or more batches,
 * and the sender delivering the spool in order. Probing never waits for the API.
 */
export async function startAgent(options: RunOptions): Promise<RunningAgent> {
  const { config, kind } = options;
  const log = options.log ?? defaultLog;
  const token = agentToken(config);
  const { spool, report } = await Spool.open({
    dir: config.spool_dir,
    maxBytes: config.spool_max_bytes,
    maxAgeMs: config.spool_max_age_hours * 3600 * 1000,
  });
  if (report.lockTakenOver) log(report.lockTakenOver);
  if (report.tornBytes > 0)
    log(`spool: skipped a torn record at the tail (${report.tornBytes} bytes, a write cut short; that batch was never sent)`);
  if (report.corruptSegments > 0)
    log(`spool: ${report.corruptSegments} segment(s) failed their checksum part-way; the rest of each was skipped`);
  if (report.pending > 0) log(`spool: ${report.pending} batches from a previous run will be sent first`);

  const metrics = createAgentMetrics(kind, agentVersion, () => spool.stats());
  const sender = new Sender({
    spool,
    metrics,
    apiUrl: config.api_url,
    token,
    agent: config.name,
    userAgent: `yunwang-agent/${agentVersion} (${kind})`,
    timeoutMs: config.request_timeout_seconds * 1000,
    backoffInitialMs: config.backoff_initial_ms,
    backoffMaxMs: config.backoff_max_ms,
    log,
  });

  let server: Server | undefined;
  if (config.metrics_enabled && !options.once) {
    const listening = await serveMetrics(metrics.registry, config.metrics_host, config.metrics_port);
    server = listening.server;
    log(`${kind}-agent ${config.name} metrics on http://${config.metrics_host}:${listening.port}/metrics`);
    options.onListening?.(listening.port);
  }

  /** One round; false when collecting failed (nothing is sent, so the server sees silence). */
  const round = async (): Promise<boolean> => {
    const started = monotonicMs();
    let items: IngestItem[];
    let afterSpooled: CollectedRound['afterSpooled'] | undefined;
    try {
      const collected = await options.collect(metrics);
      ({ items, afterSpooled } = Array.isArray(collected) ? { items: collected, afterSpooled: undefined } : collected);
    } catch (error) {
      metrics.rounds.inc({ result: 'failed' });
      log(`round failed, nothing sent this round: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    metrics.rounds.inc({ result: 'ok' });
    metrics.roundSeconds.set((monotonicMs() - started) / 1000);
    metrics.items.set(items.length);
    // An empty round still goes out: it tells the server the agent is alive.
    const chunks: IngestItem[][] = items.length === 0 ? [[]] : [];
    for (let i = 0; i < items.length; i += config.max_batch_items) chunks.push(items.slice(i, i + config.max_batch_items));
    for (const chunk of chunks) {
      try {
        const { seq, dropped } = await spool.append({ next_report_seconds: config.interval_seconds, items: chunk });
        // Written while the API is failing: this batch waits in the spool for it.
        if (sender.failing) sender.markSpooled(seq);
        for (const d of dropped) metrics.dropped.inc({ reason: d.reason });
        if (dropped.length > 0)
          log(`spool over its bound: dropped ${dropped.length} oldest batches (seq ${dropped[0]?.seq}…${dropped.at(-1)?.seq})`);
      } catch (error) {
        if (afterSpooled) {
          // Not lost: the source keeps it (earlier batches of the round go again, harmlessly).
          log(`could not write a batch to the spool; the source keeps the round and reads it again: ${(error as Error).message}`);
          sender.wake();
          return false;
        }
        metrics.dropped.inc({ reason: 'error' });
        log(`could not write a batch to the spool; it is lost and counted: ${(error as Error).message}`);
      }
    }
    sender.wake();
    if (afterSpooled) {
      try {
        await afterSpooled();
      } catch (error) {
        // The items are spooled; the source will offer them again, which the server absorbs.
        log(`round spooled, but the source could not record it (it will be read again): ${(error as Error).message}`);
      }
    }
    return true;
  };

  if (options.once) {
    const done = (async () => {
      try {
        const collected = await round();
        const left = await sender.drain(Date.now() + (options.onceDeadlineMs ?? config.interval_seconds * 1000));
        if (left > 0) log(`--once: ${left} batches stay in the spool for the next run`);
        if (!collected) return exitRoundFailed;
        return left > 0 ? exitSpoolNotEmpty : 0;
      } finally {
        await spool.close();
      }
    })();
    return { metrics, spool, done, stop: () => done };
  }

  sender.start();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let collecting: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  const intervalMs = config.interval_seconds * 1000;
  const start = Date.now();
  const tick = (n: number) => {
    if (stopped) return;
    current = round()
      .then(() => undefined)
      .finally(() => {
        current = undefined;
        if (stopped) return;
        collecting = collectAfterRound();
        // The next tick on the grid after now: a round that overran skips what it missed.
        const next = Math.max(n + 1, Math.ceil((Date.now() - start) / intervalMs));
        timer = setTimeout(() => tick(next), Math.max(0, start + next * intervalMs - Date.now()));
      });
  };
  tick(0);

  const stop = async (): Promise<number> => {
    if (!stopped) {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(collecting);
      await current;
      await sender.stop();
      await spool.close();
      await new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      resolveDone(0);
    }
    return done;
  };
  return { metrics, spool, done, stop };
}
