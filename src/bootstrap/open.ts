import path from 'node:path';
import { type AuditKey, auditKeyFileName, installAuditKey, loadAuditKey } from '../audit/key.ts';
import { sealUnkeyedChain } from '../audit/service.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { connectConfiguredDatabase } from '../db/open.ts';
import { rootActor } from '../identity/actor.ts';
import type { Logger } from '../kernel/log.ts';
import { type DemoSeed, demoTemplateFor, seedFromDemoTemplate } from './demo-template.ts';

/**
 * Opens the database the configuration names, with the audit chain keyed: every process
 * (server, CLI) opens its database through here.
 */
export async function openConfiguredDatabase(config: Config, logger?: Logger, options: { demo?: DemoSeed } = {}): Promise<Database> {
  // The demo's first start on an empty data directory: from the build's template, whose key it takes first.
  const template = options.demo ? await demoTemplateFor(config, options.demo.template) : null;
  installAuditKey(await configuredAuditKey(config));
  const demo = options.demo;
  const createData = template && demo ? (pgdata: string) => seedFromDemoTemplate(pgdata, template, demo) : undefined;
  return keyedChain(await connectConfiguredDatabase(config, logger, { createData }));
}

/**
 * The audit chain's key: YUNWANG_AUDIT_KEY, or a key file beside the embedded database. With
 * PostgreSQL every process writing the trail (replicas, the CLI) needs the same key, so the
 * file is only a fallback for one machine, said so once.
 */
async function configuredAuditKey(config: Config): Promise<AuditKey> {
  if (config.DATABASE_URL && !config.YUNWANG_AUDIT_KEY) {
    console.error(
      `YUNWANG_AUDIT_KEY is not set: the audit chain is keyed with ${path.resolve(config.YUNWANG_DATA_DIR, auditKeyFileName)}; give every process sharing this database the same key`,
    );
  }
  return loadAuditKey({ envKey: config.YUNWANG_AUDIT_KEY, dataDir: config.YUNWANG_DATA_DIR });
}

/** After migrating, entries hashed before the chain was keyed are sealed by a keyed one. */
function keyedChain(database: Database): Database {
  return {
    ...database,
    migrate: async () => {
      await database.migrate();
      await sealUnkeyedChain(database.db, rootActor('system:audit-key'));
    },
  };
}
