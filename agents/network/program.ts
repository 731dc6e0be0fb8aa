import type { AgentProgram } from '../client/cli.ts';
import { loadAgentConfig, type NetworkAgentConfig } from '../client/config.ts';
import { networkCollector } from './agent.ts';

export const networkAgent: AgentProgram<NetworkAgentConfig> = {
  kind: 'network',
  load: (file) => loadAgentConfig('network', file),
  collector: (config) => networkCollector(config),
};
