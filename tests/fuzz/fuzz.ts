/**
 * The API fuzzer: every operation of the app's own /openapi.json × every caller, with
 * fast-check inputs, one request after another so that a seed replays the same run.
 *
 * Pass: no 5xx, every 4xx is problem+json, and no caller gets past what the route policy and
 * the permissions table deny (tests/fuzz/oracle.ts). Findings are collected, not thrown, so
 * one run reports them all, each with what it takes to reproduce it.
 */
import fc from 'fast-check';
import { operationMatcher } from '../../src/identity/middleware.ts';
import { type CallerName, callerNames, type Fixture } from './fixture.ts';
import { type Attempt, expectationOf, type FindingKind, foreignRecords, judge } from './oracle.ts';
import { type OpenApiOperation, type Operation, RequestGenerator } from './requests.ts';
import type { JsonSchema } from './schema-arbitraries.ts';

export interface Finding {
  kind: FindingKind;
  why: string;
  operationId: string;
  caller: CallerName;
  method: string;
  /** The request, enough to replay it: path and query as sent, the body's first characters. */
  url: string;
  /** The length of the URL as sent (`url` is cut short). */
  urlLength: number;
  body: string;
  status: number;
  response: string;
  /** For a 5xx, the first lines the server logged for it. */
  log?: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  statusCounts: Record<number, number>;
  findings: Finding[];
  /** Findings matching a known exclusion: counted, not failed. */
  excluded: Finding[];
}

/** A known finding owned by another change: the operation and why, so it can be removed later. */
export interface Exclusion {
  /** `*`: a finding of the request layer, on every operation. */
  operationId: string;
  kind: FindingKind;
  reason: string;
  /** Narrows the exclusion to the requests that show the finding. */
  applies?: (finding: Finding) => boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const excerpt = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** The operations of the served document, in document order. */
export async function operationsOf(fixture: Fixture): Promise<{ operations: Operation[]; document: OpenApiDocument }> {
  const document = (await (await fixture.app.request('/openapi.json')).json()) as OpenApiDocument;
  const operations = Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, spec]) => ({
      operationId: spec.operationId ?? `${method} ${template}`,
      method: method.toUpperCase(),
      template,
      spec,
    })),
  );
  return { operations, document };
}

/**
 * Sends `requests` fuzzed requests: operation i mod n, the caller rotating so every
 * operation meets every caller once the run is long enough (operations × callers).
 */
export async function runFuzz(
  fixture: Fixture,
  options: { seed: number; requests: number; exclusions?: readonly Exclusion[]; progress?: (done: number) => void },
): Promise<FuzzReport> {
  const { operations, document } = await operationsOf(fixture);
  const generator = new RequestGenerator(document.components?.schemas ?? {}, fixture.pathPools, fixture.fieldPools);
  const matchOperation = operationMatcher(() => document.paths);

  // Each operation's inputs are drawn in one sample, so a seed gives the same requests.
  const perOperation = operations.map((op, index) => {
    const count = Math.floor(options.requests / operations.length) + (index < options.requests % operations.length ? 1 : 0);
    return count === 0 ? [] : fc.sample(generator.forOperation(op), { seed: options.seed + index, numRuns: count });
  });

  const report: FuzzReport = { seed: options.seed, requests: 0, statusCounts: {}, findings: [], excluded: [] };
  for (let i = 0; i < options.requests; i++) {
    const opIndex = i % operations.length;
    const op = operations[opIndex];
    const generated = perOperation[opIndex]?.[Math.floor(i / operations.length)];
    if (!op || !generated) continue;
    const round = Math.floor(i / operations.length);
    const caller = callerNames[(opIndex + round) % callerNames.length] ?? 'anonymous';
    const credentials = fixture.callers.get(caller);

    // As the router will see it: the URL parser resolves `%2e%2e` and `\\`, and trims control characters.
    const pathname = new URL(generated.url, 'http://localhost').pathname;
    const attempt: Attempt = {
      caller,
      method: op.method,
      operationId: matchOperation(op.method, safeDecode(pathname)),
      url: generated.url,
      pathValues: generated.pathValues,
      query: generated.query,
      body: generated.body,
    };
    const foreign = foreignRecords(caller, fixture.home, fixture.other);
    const expectation = expectationOf(attempt, foreign);

    const logged = fixture.serverLog.length;
    const res = await fixture.app.request(generated.url, {
      method: op.method,
      headers: { ...generated.init.headers, ...(credentials?.headers ?? {}) },
      ...(generated.init.body === undefined ? {} : { body: generated.init.body }),
    });
    const text = await res.text();
    report.requests++;
    report.statusCounts[res.status] = (report.statusCounts[res.status] ?? 0) + 1;
    options.progress?.(report.requests);

    const verdict = judge(expectation, res.status, res.headers.get('content-type') ?? '', text, foreign);
    if (!verdict) continue;
    const finding: Finding = {
      ...verdict,
      operationId: op.operationId,
      caller,
      method: op.method,
      url: excerpt(generated.url, 200),
      urlLength: generated.url.length,
      body: excerpt(typeof generated.init.body === 'string' ? generated.init.body : (JSON.stringify(generated.body) ?? ''), 200),
      status: res.status,
      response: excerpt(text),
      ...(fixture.serverLog.length > logged ? { log: excerpt(fixture.serverLog.slice(logged).join('\n'), 600) } : {}),
    };
    const excluded = options.exclusions?.some(
      (e) => (e.operationId === '*' || e.operationId === op.operationId) && e.kind === verdict.kind && (e.applies?.(finding) ?? true),
    );
    (excluded ? report.excluded : report.findings).push(finding);
  }
  return report;
}

/** The path as the router sees it: percent-decoded where that is possible, kept otherwise. */
function safeDecode(path: string): string {
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (chunk) => {
    try {
      return decodeURI(chunk);
    } catch {
      return chunk;
    }
  });
}

/** Findings grouped by kind, operation and caller, with one reproduction each: what a person reads. */
export function summarize(report: FuzzReport): string {
  const lines = [
    `fuzz seed ${report.seed}: ${report.requests} requests`,
    `statuses: ${Object.entries(report.statusCounts)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ')}`,
  ];
  const groups = new Map<string, { count: number; first: Finding }>();
  for (const f of report.findings) {
    const key = `${f.kind} ${f.operationId} ${f.caller} ${f.status}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { count: 1, first: f });
  }
  lines.push(`findings: ${report.findings.length} (${groups.size} distinct); excluded as known: ${report.excluded.length}`);
  for (const [key, { count, first }] of groups) {
    lines.push(`- ${key} ×${count}: ${first.why}`);
    lines.push(`    ${first.method} ${first.url}`);
    if (first.body) lines.push(`    body: ${first.body}`);
    lines.push(`    → ${first.response}`);
    if (first.log) lines.push(`    log: ${first.log.replaceAll('\n', '\n         ')}`);
  }
  return lines.join('\n');
}
