import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { listAuditEntries } from '../audit/query.ts';
import { verifyAuditChain } from '../audit/service.ts';
import type { Database } from '../db/client.ts';
import type { Actor } from '../identity/actor.ts';
import { writeCredentialsFile } from '../identity/credentials-file.ts';
import { resetPassword } from '../identity/password-resets.ts';
import { roles } from '../identity/roles.ts';
import { resetTotp } from '../identity/totp-enrolment.ts';
import { createUser, listUsers, setLocked, setRoles } from '../identity/users.ts';

type WithDatabase = <T>(fn: (database: Database) => Promise<T>) => Promise<T>;

const roleOption = () => new Option('--role <role...>', 'roles to grant').choices(roles);

/** `yunwang user …` and `yunwang audit …`: the local operator's tools (tokens: tokens.ts). */
export function registerIdentityCommands(
  program: Command,
  withDatabase: WithDatabase,
  actor: () => Actor,
  credentialsDir: () => string,
): void {
  const user = program.command('user').description('users: create, reset a password, lock, unlock, list, grant roles');
  user
    .command('create <name>')
    .description('create a user; writes a one-time password (and, for administrators, the TOTP URI) to a 0600 file')
    .option('--display-name <text>', 'the name shown in the console')
    .addOption(roleOption())
    .option('--department <code>', 'the department a department user is bound to')
    .action((name: string, opts: { displayName?: string; role?: (typeof roles)[number][]; department?: string }) =>
      withDatabase(async ({ db }) => {
        const created = await createUser(
          db,
          { name, display_name: opts.displayName, roles: opts.role ?? [], department_code: opts.department },
          actor(),
        );
        // Never on standard output: it may be a log that others read.
        const file = await writeCredentialsFile(credentialsDir(), `user-${name}`, [
          `user ${name}`,
          `one-time password: ${created.one_time_password}`,
          ...(created.totp_uri ? [`second factor, for the authenticator app: ${created.totp_uri}`] : []),
        ]);
        console.log(`created ${name} (${created.user.roles.join(', ') || 'no roles'})`);
        console.log(`one-time credentials in ${file} (0600): hand them over, then delete the file`);
      }),
    );
  user
    .command('passwd <name>')
    .description("reset a password (the local operator's reset needs no second administrator): writes a one-time password to a 0600 file")
    .action((name: string) =>
      withDatabase(async ({ db }) => {
        const result = await resetPassword(db, name, actor());
        if (!('one_time_password' in result)) throw new Error('the local operator resets at once');
        const file = await writeCredentialsFile(credentialsDir(), `password-${name}`, [
          `user ${name}`,
          `one-time password: ${result.one_time_password}`,
        ]);
        console.log(`one-time password for ${name} in ${file} (0600): hand it over, then delete the file`);
      }),
    );
  for (const [verb, locked] of [
    ['lock', true],
    ['unlock', false],
  ] as const) {
    user
      .command(`${verb} <name>`)
      .description(locked ? 'lock a user out until unlocked' : 'unlock a user (also clears a lockout after failed attempts)')
      .action((name: string) =>
        withDatabase(async ({ db }) => {
          await setLocked(db, name, locked, actor());
          console.log(`${name} ${verb}ed`);
        }),
      );
  }
  user
    .command('roles <name>')
    .description('set the roles of a user (replaces them)')
    .addOption(roleOption().makeOptionMandatory())
    .option('--department <code>', 'the department a department user is bound to')
    .action((name: string, opts: { role: (typeof roles)[number][]; department?: string }) =>
      withDatabase(async ({ db }) => {
        const view = await setRoles(db, name, opts.role, opts.department ?? null, actor());
        console.log(`${name}: ${view.roles.join(', ')}${view.department_code ? ` (department ${view.department_code})` : ''}`);
      }),
    );
  user
    .command('totp-reset <name>')
    .description('clear a lost second factor; the user enrols a new one at next sign-in')
    .action((name: string) =>
      withDatabase(async ({ db }) => {
        await resetTotp(db, name, actor());
        console.log(`${name}: second factor cleared; they enrol a new one at next sign-in`);
      }),
    );
  user
    .command('list')
    .description('all users')
    .action(() =>
      withDatabase(async ({ db }) => {
        for (const u of await listUsers(db, actor())) {
          const state = u.disabled
            ? 'locked'
            : u.locked_until && new Date(u.locked_until) > new Date()
              ? `locked until ${u.locked_until}`
              : 'active';
          console.log(`${u.name.padEnd(20)} ${u.roles.join(',').padEnd(20)} ${(u.department_code ?? '').padEnd(12)} ${state}`);
        }
      }),
    );

  const audit = program.command('audit').description('the tamper-evident audit trail');
  audit
    .command('verify')
    .description('walk the hash chain; names the first broken link and exits 1 if there is one')
    .action(() =>
      withDatabase(async ({ db }) => {
        const report = await verifyAuditChain(db);
        if (report.ok) {
          console.log(
            `audit trail intact: ${report.checked} entries chained${report.unchained ? `, ${report.unchained} from before the chain` : ''}`,
          );
          return;
        }
        console.error(
          `audit trail BROKEN at entry ${report.firstBroken?.id}: ${report.firstBroken?.reason} (${report.checked} entries before it hold)`,
        );
        process.exitCode = 1;
      }),
    );
  audit
    .command('export')
    .description('the audit trail as CSV')
    .option('--from <date>', 'first business day, YYYY-MM-DD')
    .option('--to <date>', 'last business day, YYYY-MM-DD')
    .requiredOption('--out <file>', 'where to write the CSV')
    .action((opts: { from?: string; to?: string; out: string }) =>
      withDatabase(async ({ db }) => {
        const { items } = await listAuditEntries(db, { from: opts.from, to: opts.to, offset: 0 }, actor(), 'export');
        const rows = items.map((i) => ({
          ...i,
          before: i.before === null ? '' : JSON.stringify(i.before),
          after: i.after === null ? '' : JSON.stringify(i.after),
        }));
        await writeFile(opts.out, `\uFEFF${stringify(rows, { header: true })}`);
        console.log(`wrote ${items.length} entries to ${opts.out}`);
      }),
    );
}
