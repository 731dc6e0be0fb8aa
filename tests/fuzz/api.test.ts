/**
 * The fuzzer's short run, part of `npm test`: a fixed seed, every operation of /openapi.json
 * meeting every caller once (about a thousand requests) on PGlite. The full run is
 * `npm run fuzz` (10,000 requests, FUZZ_SEED or a random seed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { callerNames, createFixture, type Fixture } from './fixture.ts';
import { operationsOf, runFuzz, summarize } from './fuzz.ts';
import { knownFindings } from './known-findings.ts';
import { judge } from './oracle.ts';

const seed = 20_261_202;
const problem = (status: number) => JSON.stringify({ type: 't', title: 't', status, detail: 'd', code: 'c' });
const records = { departments: 'D-OTHER', systems: 'S-OTHER', 'private-networks': 'PN-OTHER', 'service-items': 'SI-OTHER' };

describe('the fuzzer oracle', () => {
  it('flags what it must, and passes what it may', () => {
    const json = 'application/json';
    const problemJson = 'application/problem+json';
    expect(judge('allowed', 500, problemJson, problem(500), null)?.kind).toBe('server-error');
    expect(judge('allowed', 404, 'text/plain', 'Not Found', null)?.kind).toBe('not-problem-json');
    expect(judge('allowed', 422, problemJson, '{"detail":"x"}', null)?.kind).toBe('not-problem-json');
    expect(judge('refused', 200, json, '{}', null)?.kind).toBe('authorization');
    expect(judge('refused', 422, problemJson, problem(422), null)?.kind).toBe('authorization');
    expect(judge('confined', 201, json, '{}', records)?.kind).toBe('authorization');
    expect(judge('unrouted', 200, json, '{}', null)?.kind).toBe('authorization');
    expect(judge('allowed', 200, json, '{"items":[{"code":"S-OTHER"}]}', records)?.kind).toBe('foreign-data');

    expect(judge('refused', 403, problemJson, problem(403), null)).toBeNull();
    expect(judge('confined', 404, problemJson, problem(404), records)).toBeNull();
    expect(judge('allowed', 422, problemJson, problem(422), null)).toBeNull();
    expect(judge('allowed', 200, json, '{"items":[]}', records)).toBeNull();
  });
});

describe('API fuzzer, short seeded run [pglite]', () => {
  let database: Database | undefined;
  let fixture: Fixture;

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    fixture = await createFixture(database);
    // Ten users' password hashes and the divisions: slow on a busy 2-core machine.
  }, 180_000);
  afterAll(async () => {
    await database?.close();
  });

  it('answers every operation × every caller with no 5xx, only problem+json errors and nothing the policy denies', async () => {
    const { operations } = await operationsOf(fixture);
    const requests = operations.length * callerNames.length;
    const report = await runFuzz(fixture, { seed, requests, exclusions: knownFindings });
    expect(report.requests).toBe(requests);
    expect(report.findings, summarize(report)).toEqual([]);
  }, 240_000);
});
