/**
 * The demo database prepared at build time (dist/demo-template/), so that the first `npm start`
 * does not spend ~10 s loading the demo through the write path and ~3 s creating PGlite: a
 * migrated embedded database with the divisions and the demo's history (loadDemoHistory), its
 * audit chain keyed with a key of its own. A first start on an empty data directory unpacks it,
 * takes its key and brings it up to the day (src/bootstrap/demo-template.ts).
 *
 * It belongs to the build that wrote it: `template.json` names the build, and only the bundle
 * of that build (compiledBuild) uses it. The sources, edited since perhaps, never do.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { auditKeyFileName, installAuditKey, loadAuditKey } from '../audit/key.ts';
import { openDatabase } from '../db/client.ts';
import { businessDate } from '../kernel/dates.ts';
import { loadDivisions } from '../regions/service.ts';
import type { DemoSummary } from './generate.ts';
import { loadDemoHistory } from './load.ts';

export interface DemoTemplate {
  /** The pgdata directory, as PGlite's dumpDataDir writes it (an uncompressed tar: it unpacks fastest). */
  tarball: string;
  /** The key its audit chain is keyed with. */
  keyFile: string;
  /** The business date its history runs through. */
  day: string;
  summary: DemoSummary;
}

interface TemplateFile {
  build: string;
  day: string;
  summary: DemoSummary;
}

const tarballName = 'pgdata.tar';
const metaName = 'template.json';

/**
 * Writes the template for `build` into `dir` (replacing what is there), whole or not at all,
 * with the demo's history through `through` (today's business date by default).
 */
export async function writeDemoTemplate(build: string, dir: string, options: { through?: string } = {}): Promise<DemoTemplate> {
  const work = `${dir}.building-${randomUUID().slice(0, 8)}`;
  await mkdir(work, { recursive: true });
  try {
    const pgdata = path.join(work, 'pgdata');
    // Its own key, in its own file: the installation that unpacks the template takes it.
    installAuditKey(await loadAuditKey({ dataDir: work }));
    const day = options.through ?? businessDate();
    const database = await openDatabase({ pglite: await PGlite.create(pgdata) });
    let summary: DemoSummary;
    try {
      await database.migrate();
      await loadDivisions(database.db);
      summary = await loadDemoHistory(database.db, { through: day });
    } finally {
      await database.close();
    }
    await dropSpentWal(pgdata);
    const client = await PGlite.create(pgdata);
    try {
      // It opens without the dropped segments, and still holds the demo.
      const [held] = (await client.query<{ n: number }>('select count(*)::int as n from departments')).rows;
      if (held?.n !== summary.departments) throw new Error(`the demo template holds ${held?.n} departments, not ${summary.departments}`);
      await writeFile(path.join(work, tarballName), Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer()));
    } finally {
      await client.close();
    }
    await rm(pgdata, { recursive: true, force: true });
    await writeFile(path.join(work, metaName), `${JSON.stringify({ build, day, summary } satisfies TemplateFile, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
    return { tarball: path.join(dir, tarballName), keyFile: path.join(dir, auditKeyFileName), day, summary };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The template in `dir`, when the build that wrote it is `build` (the running bundle's); null
 * otherwise — none written, another build's, a damaged one, or the sources running: the demo
 * then loads through the write path, as it would without a template.
 */
export async function findDemoTemplate(build: string | undefined, dir: string): Promise<DemoTemplate | null> {
  if (!build || !existsSync(path.join(dir, metaName))) return null;
  let meta: Partial<TemplateFile>;
  try {
    meta = JSON.parse(await readFile(path.join(dir, metaName), 'utf8')) ?? {};
  } catch {
    return null;
  }
  const template = { tarball: path.join(dir, tarballName), keyFile: path.join(dir, auditKeyFileName) };
  if (meta.build !== build || !meta.day || !meta.summary || !existsSync(template.tarball) || !existsSync(template.keyFile)) return null;
  return { ...template, day: meta.day, summary: meta.summary };
}

/**
 * A checkpoint makes the WAL before it unneeded, and PGlite keeps ~130 MB of segments (spent
 * and recycled ones) that would double the tarball: all but the one holding the checkpoint go.
 */
async function dropSpentWal(pgdata: string): Promise<void> {
  const client = await PGlite.create(pgdata);
  let redo: string | undefined;
  try {
    await client.exec('checkpoint');
    redo = (await client.query<{ redo_wal_file: string }>('select redo_wal_file from pg_control_checkpoint()')).rows[0]?.redo_wal_file;
  } finally {
    await client.close();
  }
  if (!redo) throw new Error('the demo template has no checkpoint to keep its WAL from');
  const wal = path.join(pgdata, 'pg_wal');
  for (const name of await readdir(wal)) {
    if (/^[0-9A-F]{24}$/.test(name) && name !== redo) await rm(path.join(wal, name));
  }
}
