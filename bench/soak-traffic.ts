/**
 * The soak's clients: every request is timed and kept (route label, start, end, status),
 * and users are real signed-in sessions driving the API at bounded rates.
 */

/** One answered (or unanswered: status 0) request, times in ms since the run started. */
export interface RequestRecord {
  route: string;
  startMs: number;
  endMs: number;
  status: number;
}

export class Recorder {
  readonly records: RequestRecord[] = [];
  /** The first answer of each (route, error status), shortened: what the report shows as the cause. */
  readonly firstErrors = new Map<string, { atMs: number; body: string }>();
  readonly #origin: number;

  constructor(origin = performance.now()) {
    this.#origin = origin;
  }

  noteError(route: string, status: number, atMs: number, body: () => string): void {
    const key = `${route} → ${status}`;
    if (status >= 400 && !this.firstErrors.has(key)) this.firstErrors.set(key, { atMs, body: body().replace(/\s+/g, ' ').slice(0, 300) });
  }

  now(): number {
    return performance.now() - this.#origin;
  }

  /** Runs one request, records how it ended; never throws (no answer is status 0). */
  async time(route: string, request: () => Promise<Response>): Promise<Response | null> {
    const startMs = this.now();
    try {
      const res = await request();
      // The body is part of the latency: an export is done when its last byte arrived.
      const body = await res.arrayBuffer();
      this.records.push({ route, startMs, endMs: this.now(), status: res.status });
      this.noteError(route, res.status, startMs, () => new TextDecoder().decode(body.slice(0, 400)));
      return new Response(res.status === 204 ? null : body, { status: res.status, headers: res.headers });
    } catch {
      this.records.push({ route, startMs, endMs: this.now(), status: 0 });
      return null;
    }
  }
}

/**
 * Times the agents' own ingest requests too: they run in this process and send with the
 * global fetch, so a wrapper around it sees each batch as the agent sends it.
 */
export function recordIngestRequests(recorder: Recorder, apiUrl: string): () => void {
  const original = globalThis.fetch;
  const endpoint = `${apiUrl}/api/v1/ingest/batches`;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== endpoint) return original(input, init);
    const startMs = recorder.now();
    try {
      const res = await original(input, init);
      const text = await res.text();
      recorder.records.push({ route: 'POST /api/v1/ingest/batches', startMs, endMs: recorder.now(), status: res.status });
      recorder.noteError('POST /api/v1/ingest/batches', res.status, startMs, () => text);
      return new Response(text, { status: res.status, headers: res.headers });
    } catch (error) {
      recorder.records.push({ route: 'POST /api/v1/ingest/batches', startMs, endMs: recorder.now(), status: 0 });
      throw error;
    }
  };
  return () => {
    globalThis.fetch = original;
  };
}

/** A signed-in user: the session cookie, and the CSRF token its writes must send. */
export interface Session {
  name: string;
  cookie: string;
  csrf: string;
}

export async function signIn(apiUrl: string, name: string, password: string): Promise<Session> {
  const res = await fetch(`${apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sign-in of ${name} answered ${res.status}: ${text.slice(0, 300)}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const body = JSON.parse(text) as { csrf_token?: string; restriction?: unknown };
  if (body.restriction)
    throw new Error(`${name} is restricted after sign-in (${JSON.stringify(body.restriction)}); the soak needs full sessions`);
  return { name, cookie, csrf: body.csrf_token ?? '' };
}

export const sessionHeaders = (session: Session, extra: Record<string, string> = {}) => ({
  Cookie: session.cookie,
  ...extra,
});

/** A workload: what one simulated user does, and how often (a bounded rate). */
export interface Workload {
  route: string;
  /** Who does it (for the report); 'agent' and 'none' too. */
  who: string;
  everyMs: number;
  run: (recorder: Recorder) => Promise<unknown>;
}

/** Waits `ms`, in short steps so a loop with a long period stops soon after the load does. */
async function pause(ms: number, keepGoing: () => boolean): Promise<void> {
  const until = performance.now() + ms;
  while (keepGoing() && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, until - performance.now())));
  }
}

/**
 * Runs each workload in its own loop while `keepGoing()` holds: one request at a time, then
 * a wait of about `everyMs` (±25 %, so loops do not march in step), never faster.
 */
export async function runWorkloads(workloads: Workload[], recorder: Recorder, keepGoing: () => boolean): Promise<void> {
  await Promise.all(
    workloads.map(async (w, i) => {
      // Spread the loops' first requests over their first period.
      await pause((w.everyMs * i) / workloads.length, keepGoing);
      while (keepGoing()) {
        const started = performance.now();
        await w.run(recorder);
        const wait = w.everyMs * (0.75 + Math.random() / 2) - (performance.now() - started);
        if (wait > 0) await pause(wait, keepGoing);
      }
    }),
  );
}
