import { parseArgs } from 'node:util';
import type { AgentKind } from './protocol.ts';
import { type Collect, type RunnerConfig, startAgent } from './runner.ts';
import { ConfigError } from './token.ts';

/** What one agent contributes to the shared command line: its config and its round. */
export interface AgentProgram<C extends RunnerConfig> {
  kind: AgentKind;
  load(file: string): C;
  collector(config: C): Collect;
}

const usage = (kind: string) => `usage: yunwang-agent ${kind} --config <file.json|file.yaml> [--once]

  --config <file>  the agent's configuration (JSON or YAML; YUNWANG_AGENT_* variables override it)
  --once           run one round, deliver what the spool holds, and exit (for cron):
                   exit 0 when everything was delivered, 75 when batches stay in the spool,
                   1 when the round itself failed`;

/**
 * Runs an agent from its command line until SIGTERM/SIGINT (or after one round with
 * --once). Returns the process exit code: 2 for a bad command line or configuration.
 */
export async function runAgentProgram<C extends RunnerConfig>(program: AgentProgram<C>, argv: string[]): Promise<number> {
  let values: { config?: string; once?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage(program.kind)}`);
    return 2;
  }
  if (values.help) {
    console.log(usage(program.kind));
    return 0;
  }
  if (!values.config) {
    console.error(`--config is required\n${usage(program.kind)}`);
    return 2;
  }
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    const config = program.load(values.config);
    agent = await startAgent({ kind: program.kind, config, collect: program.collector(config), once: values.once });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    console.error(`${program.kind}-agent could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const stop = () => void agent.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return agent.done;
}
