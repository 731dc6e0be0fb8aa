import { constants, existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { auditKeyFileName, auditKeyFrom, currentAuditKey } from '../audit/key.ts';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { bringDemoUpToDate } from '../demo/load.ts';
import { type DemoTemplate, findDemoTemplate } from '../demo/template.ts';
import { createDemoUsers } from '../identity/bootstrap.ts';
import { compiledBuild, compiledBuildDir } from '../kernel/build-info.ts';
import { logDemoLoaded } from './prepare.ts';

export interface DemoSeed {
  /** The demo users' password (YUNWANG_DEMO_PASSWORD). */
  password: string;
  log: (line: string) => void;
  /** Where the template is and which build may use it: the running bundle's (dist/demo-template) unless said. */
  template?: { dir: string; build: string };
}

/**
 * The build's demo template (src/demo/template.ts), when this first start can use it: the
 * embedded database on an empty data directory, keyed by a key file (not YUNWANG_AUDIT_KEY,
 * which the template's chain is not keyed with). Its key becomes the data directory's.
 */
export async function demoTemplateFor(
  config: Pick<Config, 'DATABASE_URL' | 'YUNWANG_AUDIT_KEY' | 'YUNWANG_DATA_DIR'>,
  where: DemoSeed['template'] = { dir: path.join(compiledBuildDir(), 'demo-template'), build: compiledBuild ?? '' },
): Promise<DemoTemplate | null> {
  if (config.DATABASE_URL || config.YUNWANG_AUDIT_KEY) return null;
  const dataDir = path.resolve(config.YUNWANG_DATA_DIR);
  if (existsSync(path.join(dataDir, 'pgdata'))) return null;
  const template = await findDemoTemplate(where.build, where.dir);
  if (!template) return null;
  await mkdir(dataDir, { recursive: true });
  try {
    // Exclusive: a key already there (a start that stopped half-way) is kept, and checked in seedFromDemoTemplate.
    await copyFile(template.keyFile, path.join(dataDir, auditKeyFileName), constants.COPYFILE_EXCL);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return template;
}

/**
 * Creates the embedded database at `pgdata` from the template, brought up to today (the
 * re-assessments since it was built, last-seen times, work orders) with the demo users, whole
 * or not at all: it is made beside, then renamed into place. False — nothing made — when the
 * data directory's audit key is not the template's.
 */
export async function seedFromDemoTemplate(pgdata: string, template: DemoTemplate, seed: DemoSeed): Promise<boolean> {
  const templateKey = auditKeyFrom((await readFile(template.keyFile, 'utf8')).trim());
  if (currentAuditKey().id !== templateKey.id) {
    seed.log(`the data directory's audit key is not the demo template's: loading the demo through the write path instead`);
    return false;
  }
  const started = performance.now();
  const partial = `${pgdata}.partial`;
  await rm(partial, { recursive: true, force: true });
  const tarball = new Blob([await readFile(template.tarball)], { type: 'application/x-tar' });
  const database = await openDatabase({ pglite: await PGlite.create({ dataDir: partial, loadDataDir: tarball }) });
  let names: string[];
  try {
    await bringDemoUpToDate(database.db, { historyThrough: template.day });
    names = await createDemoUsers(database.db, seed.password);
  } finally {
    await database.close();
  }
  await rename(partial, pgdata);
  logDemoLoaded(
    seed.log,
    template.summary,
    names,
    `from this build's template (history as of ${template.day}) in ${Math.round(performance.now() - started)} ms`,
  );
  return true;
}
