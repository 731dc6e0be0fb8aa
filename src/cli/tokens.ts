import { type Command, Option } from 'commander';
import type { Database } from '../db/client.ts';
import { type AgentKind, agentKinds } from '../db/schema/enums.ts';
import { AppError } from '../http/errors.ts';
import type { Actor } from '../identity/actor.ts';
import { issueAgentToken, listAgents, revokeAgentToken } from '../ingest/agents.ts';

type WithDatabase = <T>(fn: (database: Database) => Promise<T>) => Promise<T>;

/** User API tokens arrive with the identity work; until then only agent tokens exist. */
const noUserTokensYet = () =>
  new AppError('bad_request', 'user API tokens are not available yet (they come with users and roles); use --agent <name>');

/**
 * `yunwang token create|revoke|list`: agent tokens for cloud-agent and network-agent. The
 * token is printed once on standard output and never stored or logged; only its hash is.
 */
export function registerTokenCommands(program: Command, withDatabase: WithDatabase, actor: () => Actor): void {
  const token = program.command('token').description('issue, revoke and list API tokens (agent tokens for now)');

  token
    .command('create')
    .description('issue a token for an agent (created on first use; issuing again rotates its token)')
    .option('--agent <name>', 'the agent the token is for')
    .option('--user <name>', 'a user API token (not available yet)')
    .addOption(new Option('--kind <kind>', 'what the agent reports').choices(agentKinds))
    .option('--cloud <code>', "a cloud agent's cloud: the only cloud whose tenants it may report")
    .action((opts: { agent?: string; user?: string; kind?: AgentKind; cloud?: string }) =>
      withDatabase(async (database) => {
        if (opts.user) throw noUserTokensYet();
        if (!opts.agent || !opts.kind) throw new AppError('bad_request', 'say --agent <name> --kind cloud|network [--cloud <code>]');
        const issued = await issueAgentToken(database.db, { name: opts.agent, kind: opts.kind, cloud: opts.cloud }, actor());
        const what = issued.created ? 'created agent' : 'rotated the token of agent';
        const scope = issued.agent.cloud_code ? ` (cloud ${issued.agent.cloud_code})` : '';
        console.error(`${what} ${issued.agent.name}, ${issued.agent.kind}${scope}. The token is shown once; store it now:`);
        console.log(issued.token);
      }),
    );

  token
    .command('revoke')
    .description("revoke an agent's token; its batches are refused from now on")
    .option('--agent <name>', 'the agent whose token to revoke')
    .option('--user <name>', 'a user API token (not available yet)')
    .action((opts: { agent?: string; user?: string }) =>
      withDatabase(async (database) => {
        if (opts.user) throw noUserTokensYet();
        if (!opts.agent) throw new AppError('bad_request', 'say --agent <name>');
        const agent = await revokeAgentToken(database.db, opts.agent, actor());
        console.log(`revoked the token of agent ${agent.name} (${agent.revoked_at})`);
      }),
    );

  token
    .command('list')
    .description('list tokens: --agents for agent tokens')
    .option('--agents', 'agent tokens (the default, and for now the only kind)')
    .option('--users', 'user API tokens (not available yet)')
    .option('--json', 'print the agents as JSON')
    .action((opts: { agents?: boolean; users?: boolean; json?: boolean }) =>
      withDatabase(async (database) => {
        if (opts.users) throw noUserTokensYet();
        const items = [];
        for (let offset = 0; ; offset += 1000) {
          const page = await listAgents(database.db, { limit: 1000, offset });
          items.push(...page.items);
          if (items.length >= page.total || page.items.length === 0) break;
        }
        if (opts.json) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        if (items.length === 0) {
          console.log('no agents yet: yunwang token create --agent <name> --kind cloud|network [--cloud <code>]');
          return;
        }
        const rows = items.map((a) => [
          a.name,
          a.kind,
          a.cloud_code ?? '-',
          a.status === 'revoked' ? 'revoked' : 'active',
          a.status,
          a.last_seen_at ?? 'never',
          a.version ?? '-',
        ]);
        const header = ['agent', 'kind', 'cloud', 'token', 'status', 'last seen', 'version'];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
        for (const row of [header, ...rows])
          console.log(
            row
              .map((cell, i) => cell.padEnd(widths[i] ?? 0))
              .join('  ')
              .trimEnd(),
          );
      }),
    );
}
