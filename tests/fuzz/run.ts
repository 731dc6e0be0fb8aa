/**
 * `npm run fuzz`: the full fuzzer run, 10,000 requests (FUZZ_REQUESTS) on a fresh PGlite,
 * seeded from FUZZ_SEED or at random. Prints the seed, the count of each status and the
 * findings; exits 1 when there is any. Replay a run with the seed it printed.
 */
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../src/db/client.ts';
import { createFixture } from './fixture.ts';
import { runFuzz, summarize } from './fuzz.ts';
import { knownFindings } from './known-findings.ts';

// A test harness, not the app: it reads its own knobs (src/config.ts is the app's configuration).
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const requests = Number(process.env.FUZZ_REQUESTS ?? 10_000);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(requests) || requests < 1) {
  console.error('FUZZ_SEED and FUZZ_REQUESTS must be integers');
  process.exit(2);
}
console.log(`fuzz seed ${seed} (replay: FUZZ_SEED=${seed} npm run fuzz), ${requests} requests`);

const database = await openDatabase({ pglite: new PGlite() });
await database.migrate();
try {
  const fixture = await createFixture(database);
  const started = performance.now();
  const report = await runFuzz(fixture, {
    seed,
    requests,
    exclusions: process.env.FUZZ_STRICT === '1' ? [] : knownFindings,
    progress: (done) => {
      if (done % 1000 === 0) console.log(`  ${done} requests, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  console.log(summarize(report));
  process.exitCode = report.findings.length > 0 ? 1 : 0;
} finally {
  await database.close();
}
