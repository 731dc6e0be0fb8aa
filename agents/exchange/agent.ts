import path from 'node:path';
import type { ExchangeAgentConfig } from '../client/config.ts';
import type { Collect } from '../client/runner.ts';
import { CsvFolderSource } from './csv.ts';
import { SqlSource } from './sql.ts';

export interface ExchangeCollectorOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  log?: (line: string) => void;
}

/** The SQL source's newest reported date lives beside the spool it was spooled into. */
export const sqlStateFile = (config: Pick<ExchangeAgentConfig, 'spool_dir'>) => path.join(config.spool_dir, 'exchange-sql-state.json');

/**
 * The exchange agent's collect function: the configured source's daily counts as
 * `exchange_volume` items, each round's source bookkeeping done only once they are spooled.
 */
export function exchangeCollector(config: ExchangeAgentConfig, options: ExchangeCollectorOptions = {}): Collect {
  if (config.sql) {
    const source = new SqlSource(config.sql, { stateFile: sqlStateFile(config), env: options.env, now: options.now });
    // A missing password is a configuration error at start (exit 2), not a failed round later.
    source.password();
    return (metrics) => source.collect(metrics);
  }
  if (config.csv) {
    const source = new CsvFolderSource(config.csv, { now: options.now, log: options.log });
    return (metrics) => source.collect(metrics);
  }
  throw new Error('no exchange source configured');
}
