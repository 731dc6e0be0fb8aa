import type { AgentProgram } from '../client/cli.ts';
import { type ExchangeAgentConfig, loadAgentConfig } from '../client/config.ts';
import { exchangeCollector } from './agent.ts';

export const exchangeAgent: AgentProgram<ExchangeAgentConfig> = {
  kind: 'exchange',
  load: (file) => loadAgentConfig('exchange', file),
  collector: (config) => exchangeCollector(config),
};
