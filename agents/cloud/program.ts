import type { AgentProgram } from '../client/cli.ts';
import { type CloudAgentConfig, loadAgentConfig } from '../client/config.ts';
import type { CloudAdapter } from './adapter.ts';
import { cloudCollector } from './agent.ts';
import { KubernetesAdapter, loadKubeConfig } from './kubernetes.ts';

/** The adapters `adapter` in the configuration may name; a vendor cloud API is one more entry. */
const adapters: Record<CloudAgentConfig['adapter'], (config: CloudAgentConfig) => CloudAdapter> = {
  kubernetes: (config) => new KubernetesAdapter(loadKubeConfig({ kubeconfig: config.kubeconfig, context: config.context })),
};

export const cloudAgent: AgentProgram<CloudAgentConfig> = {
  kind: 'cloud',
  load: (file) => loadAgentConfig('cloud', file),
  collector: (config) => cloudCollector(config, adapters[config.adapter](config)),
};
