import { runAgentProgram } from './client/cli.ts';

/**
 * `yunwang-agent cloud|network|exchange --config <file> [--once]`. Each kind is imported only
 * when chosen, so network-agent never loads the Kubernetes client.
 */
export async function main(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === 'network') return runAgentProgram((await import('./network/program.ts')).networkAgent, rest);
  if (kind === 'cloud') return runAgentProgram((await import('./cloud/program.ts')).cloudAgent, rest);
  if (kind === 'exchange') return runAgentProgram((await import('./exchange/program.ts')).exchangeAgent, rest);
  console.error('usage: yunwang-agent cloud|network|exchange --config <file> [--once]');
  return 2;
}
