import { stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerAlertCommands } from '../alerts/cli.ts';
import { openConfiguredDatabase } from '../bootstrap/open.ts';
import { prepareDatabase } from '../bootstrap/prepare.ts';
import { credentialsDir, leadershipSettings, loadConfig } from '../config.ts';
import type { Database } from '../db/client.ts';
import { type Actor, rootActor } from '../identity/actor.ts';
import { detectFormat, type FileFormat, sniffSource } from '../imports/format.ts';
import { exportFile, importFile } from '../imports/service.ts';
import { registerRollupCommands } from '../indicators/rollups/cli.ts';
import { computeIndicators, type IndicatorReport } from '../indicators/service.ts';
import { exportVolumesFile, importVolumesFile, volumeSheetKind } from '../interconnection/volume-files.ts';
import { isCalendarDate } from '../kernel/dates.ts';
import { AppError } from '../kernel/errors.ts';
import { registerLeadershipCommands } from '../leadership/cli.ts';
import { countRegions, loadDivisions } from '../regions/service.ts';
import { importKinds } from '../registry/schemas.ts';
import { runServer } from '../server.ts';
import { bilingual, classificationLabels } from '../vocabulary/index.ts';
import { registerWorkOrderCommands } from '../work-orders/cli.ts';
import { registerIdentityCommands } from './identity.ts';
import { progressReporter } from './progress.ts';
import { registerTokenCommands } from './tokens.ts';
import { versionText } from './version.ts';

const cliActor = (): Actor => rootActor(`cli:${loadConfig().USER ?? userInfo().username}`);

/** Opens the configured database, migrated, runs `fn`, and always closes it. */
async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openConfiguredDatabase(loadConfig());
  try {
    await database.exclusively(async () => {
      await database.migrate();
      if ((await countRegions(database.db)) === 0) await loadDivisions(database.db);
    });
    return await fn(database);
  } finally {
    await database.close();
  }
}

const fileKinds = [...importKinds, volumeSheetKind] as const;
type FileKind = (typeof fileKinds)[number];
const kindOption = () => new Option('--kind <kind>', 'what the file holds').choices(fileKinds).makeOptionMandatory();

const formatOf = async (file: string, given?: string): Promise<FileFormat> => {
  const format = (given as FileFormat | undefined) ?? detectFormat(file) ?? (await sniffSource({ path: file }));
  if (!format) throw new AppError('unsupported_media_type', `${file}: cannot tell whether it is CSV or XLSX; pass --format`);
  return format;
};

export function formatReport(report: IndicatorReport): string {
  const lines = [`${report.scope_name} (${report.scope}${report.self ? ', 本级' : ''}) as of ${report.at}`];
  const width = Math.max(...report.indicators.map((i) => i.key.length));
  for (const i of report.indicators) {
    const percent = i.percent === null ? '   —  ' : `${i.percent.toFixed(1).padStart(5)}%`;
    const pending = i.pending > 0 ? `  (${bilingual(classificationLabels.pending)} ${i.pending})` : '';
    lines.push(
      `  ${i.key.padEnd(width)}  ${percent}  ${String(i.numerator).padStart(6)} / ${String(i.denominator).padEnd(6)}  ${i.name}${pending}`,
    );
  }
  return lines.join('\n');
}

const program = new Command()
  .name('yunwang')
  .description('云网 yunwang — registry, official indicators and imports of the e-government cloud and network')
  // Read only when asked: the revision may cost a `git rev-parse`.
  .option('-V, --version', 'print the version (and the revision, when known)')
  .on('option:version', () => {
    console.log(versionText());
    process.exit(0);
  })
  .showHelpAfterError();

program
  .command('serve')
  .description('serve the API and console (PORT, DATABASE_URL or YUNWANG_DATA_DIR, YUNWANG_DEMO)')
  .action(() => runServer());

program
  .command('migrate')
  .description('apply the database migrations')
  .action(() =>
    withDatabase(async () => {
      console.log('migrations applied');
    }),
  );

program
  .command('seed')
  .description('load the administrative divisions; with --demo also the demo dataset')
  .option('--demo', 'also load the demo dataset (only into an empty registry)')
  .action((opts: { demo?: boolean }) =>
    withDatabase(async (database) => {
      console.log(`divisions: ${await loadDivisions(database.db)} regions`);
      if (opts.demo) {
        await prepareDatabase(database, {
          demo: true,
          demoPassword: loadConfig().YUNWANG_DEMO_PASSWORD,
          credentialsDir: credentialsDir(loadConfig()),
          log: (line) => console.log(line),
        });
      }
    }),
  );

program
  .command('import <file>')
  .description('import a CSV or XLSX file, all-or-nothing')
  .addOption(kindOption())
  .addOption(new Option('--format <format>', 'override the format the file name suggests').choices(['csv', 'xlsx']))
  .option('--dry-run', 'check every row and count what would change; write nothing')
  .action((file: string, opts: { kind: FileKind; format?: string; dryRun?: boolean }) =>
    withDatabase(async (database) => {
      // The same bound as the API's, checked before the file is read.
      const limit = loadConfig().YUNWANG_IMPORT_LIMIT_BYTES;
      if ((await stat(file)).size > limit) {
        throw new AppError('payload_too_large', `${file} is larger than YUNWANG_IMPORT_LIMIT_BYTES (${limit} bytes)`);
      }
      // Read as it is imported, never whole (a CSV of a million rows is a few hundred megabytes).
      const data = { path: file };
      const format = await formatOf(file, opts.format);
      const progress = progressReporter(`import ${opts.kind}`);
      const options = { dryRun: opts.dryRun, filename: file };
      const report = await (opts.kind === volumeSheetKind
        ? importVolumesFile(database.db, data, format, cliActor(), options)
        : importFile(database.db, opts.kind, data, format, cliActor(), { ...options, onProgress: progress.update })
      ).finally(() => progress.finish());
      const verb = report.dry_run ? 'would import' : 'imported';
      console.log(
        `${verb} ${report.rows} ${report.kind} rows from ${file}: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged`,
      );
    }),
  );

program
  .command('export')
  .description('export every record of a kind in the import format')
  .addOption(kindOption())
  .addOption(new Option('--format <format>', 'file format').choices(['csv', 'xlsx']).default('csv'))
  .option('--out <file>', 'write to a file instead of standard output')
  .action((opts: { kind: FileKind; format: FileFormat; out?: string }) =>
    withDatabase(async (database) => {
      if (opts.format === 'xlsx' && !opts.out) throw new AppError('bad_request', 'XLSX needs --out <file>');
      const progress = progressReporter(`export ${opts.kind}`);
      const data = await (opts.kind === volumeSheetKind
        ? exportVolumesFile(database.db, opts.format, cliActor())
        : exportFile(database.db, opts.kind, opts.format, cliActor(), { onProgress: progress.update })
      ).finally(() => progress.finish());
      if (opts.out) {
        await writeFile(opts.out, data);
        console.error(`wrote ${opts.out}`);
      } else {
        process.stdout.write(data);
      }
    }),
  );

const isoDate = (value: string) => {
  if (!isCalendarDate(value)) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return value;
};

program
  .command('indicators')
  .description('the official indicators for a scope as of a date (the same figures as the API)')
  .requiredOption('--scope <scope>', 'a division code (450000) or dept:<department code>')
  .option('--at <date>', 'business date YYYY-MM-DD (default today)', isoDate)
  .option('--self', 'only the region itself (本级), not everything under it')
  .option('--json', "print exactly the API's JSON body")
  .action((opts: { scope: string; at?: string; self?: boolean; json?: boolean }) =>
    withDatabase(async (database) => {
      const report = await computeIndicators(database.db, { scope: opts.scope, at: opts.at, self: opts.self ?? false });
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
    }),
  );

registerIdentityCommands(program, withDatabase, cliActor, () => credentialsDir(loadConfig()));
registerTokenCommands(program, withDatabase, cliActor);
registerLeadershipCommands(program, { withDatabase, actor: cliActor, settings: () => leadershipSettings(loadConfig()) });
registerAlertCommands(program, { withDatabase, actor: cliActor });
registerWorkOrderCommands(program, { withDatabase, actor: cliActor });
registerRollupCommands(program, { withDatabase });

/** Prints an error the way a clerk can act on it: every bad row, with row and column. */
function reportError(error: unknown): number {
  if (error instanceof AppError) {
    console.error(`error: ${error.message}`);
    for (const e of error.errors) {
      const where = [
        e.row !== undefined ? `row ${e.row}` : null,
        e.column ? `column ${e.column}` : null,
        e.index !== undefined ? `item ${e.index}` : null,
      ]
        .filter(Boolean)
        .join(', ');
      console.error(`  ${where ? `${where}: ` : ''}${e.field}: ${e.message}`);
    }
    return error.code === 'import_rejected' || error.code === 'validation_failed' ? 2 : 1;
  }
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportError(error);
});
