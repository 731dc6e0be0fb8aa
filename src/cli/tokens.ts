import { type Command, Option } from 'commander';
import type { Database } from '../db/client.ts';
import { type AgentKind, agentKinds } from '../db/schema/enums.ts';
import type { Actor } from '../identity/actor.ts';
import { type Role, roles } from '../identity/roles.ts';
import { createToken, listTokens, revokeToken, tokenDefaultDays, tokenMaxDays } from '../identity/tokens.ts';
import { issueAgentToken, listAgents, revokeAgentToken } from '../ingest/agents.ts';
import { AppError } from '../kernel/errors.ts';

type WithDatabase = <T>(fn: (database: Database) => Promise<T>) => Promise<T>;

/**
 * `yunwang token create|revoke|list`: agent tokens (cloud-agent, network-agent) and users'
 * API tokens. A token is printed once on standard output and never stored or logged; only
 * its hash is.
 */
export function registerTokenCommands(program: Command, withDatabase: WithDatabase, actor: () => Actor): void {
  const token = program.command('token').description('issue, revoke and list tokens: --agent for agents, --user for users');

  token
    .command('create')
    .description('issue a token for an agent (created on first use; issuing again rotates it) or for a user')
    .option('--agent <name>', 'the agent the token is for')
    .addOption(new Option('--kind <kind>', 'what the agent reports').choices(agentKinds))
    .option('--cloud <code>', "a cloud agent's cloud: the only cloud whose tenants it may report")
    .option('--user <name>', 'a user API token, acting as that user')
    .option('--name <text>', 'what the user token is for')
    .addOption(new Option('--scope <scope>', 'user tokens: read = safe methods only').choices(['read', 'write']).default('read'))
    .option('--days <n>', `user tokens: days until it expires (1–${tokenMaxDays})`, (v) => Number(v), tokenDefaultDays)
    .addOption(new Option('--role <role...>', "user tokens: the roles it acts with (default: all the user's)").choices(roles))
    .option('--totp <code>', 'user tokens of an administrator: his current second-factor code')
    .action(
      (opts: {
        agent?: string;
        user?: string;
        kind?: AgentKind;
        cloud?: string;
        name?: string;
        scope: 'read' | 'write';
        days: number;
        role?: Role[];
        totp?: string;
      }) =>
        withDatabase(async (database) => {
          if (opts.user) {
            if (!opts.name) throw new AppError('bad_request', 'say what the token is for: --name <text>');
            const { token: secret, info } = await createToken(
              database.db,
              opts.user,
              { name: opts.name, scope: opts.scope, expires_in_days: opts.days, roles: opts.role, totp: opts.totp },
              actor(),
            );
            console.error(
              `token ${info.id} for ${opts.user} (${opts.scope}, roles ${info.roles.join(',') || 'none'}, expires ${info.expires_at}); shown once, store it now:`,
            );
            console.log(secret);
            return;
          }
          if (!opts.agent || !opts.kind)
            throw new AppError(
              'bad_request',
              `say --agent <name> --kind ${agentKinds.join('|')} [--cloud <code>], or --user <name> --name <text>`,
            );
          const issued = await issueAgentToken(database.db, { name: opts.agent, kind: opts.kind, cloud: opts.cloud }, actor());
          const what = issued.created ? 'created agent' : 'rotated the token of agent';
          const scope = issued.agent.cloud_code ? ` (cloud ${issued.agent.cloud_code})` : '';
          console.error(`${what} ${issued.agent.name}, ${issued.agent.kind}${scope}. The token is shown once; store it now:`);
          console.log(issued.token);
        }),
    );

  token
    .command('revoke [id]')
    .description("revoke a user token by id, or an agent's token with --agent (its batches are refused from now on)")
    .option('--agent <name>', 'the agent whose token to revoke')
    .action((id: string | undefined, opts: { agent?: string }) =>
      withDatabase(async (database) => {
        if (id !== undefined) {
          const info = await revokeToken(database.db, Number(id), actor());
          console.log(`token ${info.id} (${info.user}/${info.name}) revoked`);
          return;
        }
        if (!opts.agent) throw new AppError('bad_request', 'say the user token id, or --agent <name>');
        const agent = await revokeAgentToken(database.db, opts.agent, actor());
        console.log(`revoked the token of agent ${agent.name} (${agent.revoked_at})`);
      }),
    );

  token
    .command('list')
    .description('list tokens (never their secrets): --agents for agents, --users (or --user <name>) for users')
    .option('--agents', 'agent tokens')
    .option('--users', 'user API tokens')
    .option('--user <name>', "one user's API tokens")
    .option('--json', 'print the agents as JSON')
    .action((opts: { agents?: boolean; users?: boolean; user?: string; json?: boolean }) =>
      withDatabase(async (database) => {
        if (opts.users || opts.user) {
          for (const t of await listTokens(database.db, actor(), opts.user)) {
            const state = t.revoked_at ? 'revoked' : new Date(t.expires_at) < new Date() ? 'expired' : `expires ${t.expires_at}`;
            console.log(`${String(t.id).padStart(5)} ${t.user.padEnd(16)} ${t.name.padEnd(24)} ${t.scope.padEnd(6)} ${state}`);
          }
          return;
        }
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
          console.log('no agents yet: yunwang token create --agent <name> --kind cloud|network|exchange [--cloud <code>]');
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
