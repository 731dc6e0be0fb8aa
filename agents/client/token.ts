import { readFileSync } from 'node:fs';

/** A configuration the agent cannot start with; the message names fields, never values. */
export class ConfigError extends Error {}

/** The token: from the config, or read from `token_file` (trimmed). */
export function agentToken(config: { token?: string; token_file?: string }): string {
  if (config.token) return config.token;
  if (!config.token_file) throw new ConfigError('no token configured');
  try {
    const token = readFileSync(config.token_file, 'utf8').trim();
    if (!token) throw new ConfigError(`${config.token_file} is empty`);
    return token;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read token_file ${config.token_file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
