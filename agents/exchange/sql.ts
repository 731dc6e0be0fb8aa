import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { ConfigError, type ExchangeSqlSource } from '../client/config.ts';
import { replaceFile } from '../client/durable-files.ts';
import type { AgentMetrics } from '../client/metrics.ts';
import type { ExchangeVolumeItem } from '../client/protocol.ts';
import type { CollectedRound } from '../client/runner.ts';
import { addDays, beijingDate, earliestDate, toVolumeItem } from './volumes.ts';

/**
 * The SQL source: a read-only query on the exchange platform's PostgreSQL that returns
 * rows (service, date, count) from the date `$1` on. The agent keeps the newest date it has
 * spooled in a small state file and reads from that date minus `lookback_days` (plus one):
 * only the days not yet reported, and the last few again since their counts may still grow.
 * The state advances only after the round's items are fsynced in the spool.
 */

export interface SqlSourceOptions {
  /** Where the newest reported date is kept. */
  stateFile: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

interface SqlState {
  reported_through: string;
}

/** DATE values as the text PostgreSQL sends ('2026-12-01'), not a Date at local midnight. */
const dateAsText = (oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.DATE ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text');

export class SqlSource {
  readonly #config: ExchangeSqlSource;
  readonly #options: SqlSourceOptions;
  readonly #now: () => number;

  constructor(config: ExchangeSqlSource, options: SqlSourceOptions) {
    this.#config = config;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The password from password_env or password_file (checked at start, read each round so a rotated secret is picked up). */
  password(): string | undefined {
    const { password_env, password_file } = this.#config;
    if (password_env) {
      const value = (this.#options.env ?? process.env)[password_env];
      if (value === undefined || value === '') throw new ConfigError(`sql.password_env: the variable ${password_env} is not set`);
      return value;
    }
    if (password_file) {
      try {
        return readFileSync(password_file, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        throw new ConfigError(`sql.password_file: cannot read ${password_file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    }
    return undefined;
  }

  async #state(): Promise<SqlState | undefined> {
    let text: string;
    try {
      text = await readFile(this.#options.stateFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const state = JSON.parse(text) as Partial<SqlState>;
    if (typeof state.reported_through !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(state.reported_through))
      throw new Error(`${this.#options.stateFile} holds no reported_through date; delete it to start again from start_date`);
    return { reported_through: state.reported_through };
  }

  async #saveState(state: SqlState): Promise<void> {
    const file = this.#options.stateFile;
    await mkdir(path.dirname(file), { recursive: true });
    await replaceFile(file, JSON.stringify(state), true);
  }

  /** The first date this round reads. */
  async since(): Promise<string> {
    const state = await this.#state();
    const today = beijingDate(this.#now());
    if (!state) return this.#config.start_date ?? addDays(today, -30);
    const since = addDays(state.reported_through, 1 - this.#config.lookback_days);
    return since < earliestDate ? earliestDate : since;
  }

  /** Runs the query once; throws (naming row and column for a bad row) rather than send part of it. */
  async read(since: string): Promise<ExchangeVolumeItem[]> {
    const { connection, query, statement_timeout_seconds, max_rows } = this.#config;
    const client = new pg.Client({
      connectionString: connection,
      password: this.password(),
      application_name: 'yunwang-exchange-agent',
      statement_timeout: Math.round(statement_timeout_seconds * 1000),
      // The client gives up a little after the server should have cancelled the statement.
      query_timeout: Math.round(statement_timeout_seconds * 1000) + 5000,
      connectionTimeoutMillis: 15_000,
      types: { getTypeParser: dateAsText } as pg.CustomTypesConfig,
    });
    // An 'error' event on an idle client (the server going away) must not crash the agent.
    client.on('error', () => {});
    let rows: Record<string, unknown>[];
    try {
      await client.connect();
      await client.query('begin transaction read only');
      // Wrapped so that the columns are named, the order is stable and the bound is the server's.
      const bounded = `select q.service, q.date, q.count from (${query.replace(/;\s*$/, '')}) as q order by q.date, q.service limit ${max_rows + 1}`;
      try {
        rows = (await client.query(bounded, [since])).rows;
      } catch (error) {
        const message = (error as Error).message;
        if (/column q\.\w+ does not exist/.test(message))
          throw new Error(`the query must return columns named service, date and count (${message})`);
        throw error;
      }
      await client.query('commit');
    } finally {
      await client.end().catch(() => undefined);
    }
    if (rows.length > max_rows)
      throw new Error(`the query returned more than max_rows (${max_rows}) rows from ${since}; narrow it or raise sql.max_rows`);
    const latest = addDays(beijingDate(this.#now()), 1);
    const items: ExchangeVolumeItem[] = [];
    const seen = new Set<string>();
    const problems: string[] = [];
    rows.forEach((row, i) => {
      const result = toVolumeItem({ service: row.service, date: row.date, count: row.count }, latest);
      if ('problems' in result) {
        for (const p of result.problems) problems.push(`row ${i + 1}, column ${p.column}: ${p.message}`);
        return;
      }
      const key = `${result.item.service}\u0000${result.item.date}`;
      if (seen.has(key)) problems.push(`row ${i + 1}: ${result.item.service} on ${result.item.date} comes twice (sum it in the query)`);
      seen.add(key);
      items.push(result.item);
    });
    if (problems.length > 0)
      throw new Error(`the query returned ${problems.length} bad value(s), nothing sent: ${problems.slice(0, 10).join('; ')}`);
    return items;
  }

  /** One round: the rows from `since()`, and the state advanced to their newest date once spooled. */
  async collect(metrics: AgentMetrics): Promise<CollectedRound<ExchangeVolumeItem>> {
    let items: ExchangeVolumeItem[];
    try {
      items = await this.read(await this.since());
    } catch (error) {
      metrics.exchangeQueryFailures.inc();
      throw error;
    }
    metrics.exchangeRows.inc({ source: 'sql' }, items.length);
    const newest = items.reduce<string | undefined>((max, item) => (max === undefined || item.date > max ? item.date : max), undefined);
    return {
      items,
      afterSpooled: async () => {
        if (!newest) return;
        const state = await this.#state();
        // Never backwards: a look-back round re-reads older days only.
        if (!state || newest > state.reported_through) await this.#saveState({ reported_through: newest });
      },
    };
  }
}
