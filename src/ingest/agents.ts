import { createHash, randomBytes } from 'node:crypto';
import { and, asc, count, eq, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/service.ts';
import type { Db } from '../db/client.ts';
import type { AgentKind } from '../db/schema/enums.ts';
import { agents, clouds } from '../db/schema/index.ts';
import type { Actor } from '../identity/actor.ts';
import { AppError, notFound } from '../kernel/errors.ts';
import type { AgentItem, AgentStatus } from './schemas.ts';

/** A token is 32 random bytes; the prefix lets secret scanners recognise a leaked one. */
const tokenPrefix = 'ywa_';

export function newAgentToken(): string {
  return `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
}

/** What is stored instead of the token: its SHA-256, base64url. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** The agent a request acts as, as the ingest path needs it. */
export interface AuthenticatedAgent {
  id: number;
  name: string;
  kind: AgentKind;
  cloudId: number | null;
  cloudCode: string | null;
}

/** The agent holding this token, or null (unknown or revoked token). */
export async function authenticateAgent(db: Db, token: string): Promise<AuthenticatedAgent | null> {
  if (!token.startsWith(tokenPrefix) || token.length > 200) return null;
  const [row] = await db
    .select({ id: agents.id, name: agents.name, kind: agents.kind, cloudId: agents.cloudId, cloudCode: clouds.code })
    .from(agents)
    .leftJoin(clouds, eq(clouds.id, agents.cloudId))
    .where(eq(agents.tokenHash, hashToken(token)));
  return row ?? null;
}

export interface IssueTokenInput {
  name: string;
  kind: AgentKind;
  /** Cloud code; required for cloud agents, refused for network agents. */
  cloud?: string;
}

export interface IssuedToken {
  agent: AgentItem;
  /** Shown once to whoever issued it; only its hash is kept. */
  token: string;
  created: boolean;
}

const agentName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Issues a token for an agent, creating the agent on first use. Issuing again for the same
 * agent rotates its token: the old one stops working in the same transaction.
 */
export async function issueAgentToken(database: Db, input: IssueTokenInput, actor: Actor): Promise<IssuedToken> {
  if (!agentName.test(input.name)) {
    throw new AppError('validation_failed', `agent name "${input.name}" may hold only letters, digits, ".", "_" and "-" (up to 100)`, [
      { field: 'agent', message: 'may hold only letters, digits, ".", "_" and "-"' },
    ]);
  }
  if (input.kind === 'cloud' && !input.cloud) {
    throw new AppError('validation_failed', 'a cloud agent needs --cloud <code>: the one cloud whose tenants it may report', [
      { field: 'cloud', message: 'is required for a cloud agent' },
    ]);
  }
  if (input.kind !== 'cloud' && input.cloud) {
    throw new AppError('validation_failed', `a ${input.kind} agent has no cloud`, [
      { field: 'cloud', message: 'only cloud agents have a cloud' },
    ]);
  }
  return database.transaction(async (db) => {
    let cloudId: number | null = null;
    if (input.cloud) {
      const [cloud] = await db.select({ id: clouds.id }).from(clouds).where(eq(clouds.code, input.cloud));
      if (!cloud) throw new AppError('validation_failed', `unknown cloud "${input.cloud}"`, [{ field: 'cloud', message: 'unknown cloud' }]);
      cloudId = cloud.id;
    }
    await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`agent:${input.name}`}))`);
    const [existing] = await db.select().from(agents).where(eq(agents.name, input.name)).for('update');
    if (existing && (existing.kind !== input.kind || existing.cloudId !== cloudId)) {
      throw new AppError(
        'conflict',
        `agent ${input.name} exists as a ${existing.kind} agent with another scope; revoke it and use a new name to change its kind or cloud`,
      );
    }
    const token = newAgentToken();
    const now = new Date();
    const tokenValues = { tokenHash: hashToken(token), tokenIssuedAt: now, revokedAt: null, updatedAt: now };
    if (existing) {
      await db.update(agents).set(tokenValues).where(eq(agents.id, existing.id));
    } else {
      await db.insert(agents).values({ name: input.name, kind: input.kind, cloudId, ...tokenValues });
    }
    const agent = await getAgent(db, input.name);
    // The token and its hash never enter the trail: only that one was issued, and when.
    await recordAudit(db, actor, [
      ...(existing
        ? []
        : [
            {
              action: 'agent.create',
              entityKind: 'agent',
              entityCode: input.name,
              before: null,
              after: { kind: input.kind, cloud: input.cloud ?? null },
            },
          ]),
      {
        action: existing ? 'agent.token.rotate' : 'agent.token.issue',
        entityKind: 'agent',
        entityCode: input.name,
        before: existing
          ? { token_issued_at: existing.tokenIssuedAt?.toISOString() ?? null, revoked_at: existing.revokedAt?.toISOString() ?? null }
          : null,
        after: { token_issued_at: now.toISOString() },
      },
    ]);
    return { agent, token, created: !existing };
  });
}

/** Revokes an agent's token; the agent and its history stay. Revoking twice is a no-op (still audited). */
export async function revokeAgentToken(database: Db, name: string, actor: Actor): Promise<AgentItem> {
  return database.transaction(async (db) => {
    const [existing] = await db.select().from(agents).where(eq(agents.name, name)).for('update');
    if (!existing) throw notFound('agent', name);
    const now = new Date();
    if (existing.tokenHash !== null) {
      await db.update(agents).set({ tokenHash: null, revokedAt: now, updatedAt: now }).where(eq(agents.id, existing.id));
    }
    await recordAudit(db, actor, [
      {
        action: 'agent.token.revoke',
        entityKind: 'agent',
        entityCode: name,
        before: { revoked_at: existing.revokedAt?.toISOString() ?? null },
        after: { revoked_at: (existing.revokedAt ?? now).toISOString() },
      },
    ]);
    return getAgent(db, name);
  });
}

/**
 * An agent is `unknown` when it was never seen or has been silent for 3× the interval it
 * declared; computed when read, so a dead agent is never shown as reporting.
 */
const statusSql = sql<AgentStatus>`case
  when ${agents.tokenHash} is null then 'revoked'
  when ${agents.lastSeenAt} is null or ${agents.nextReportSeconds} is null then 'unknown'
  when ${agents.lastSeenAt} + make_interval(secs => 3 * ${agents.nextReportSeconds}) < now() then 'unknown'
  else 'reporting' end`;

const agentColumns = {
  name: agents.name,
  kind: agents.kind,
  cloud_code: clouds.code,
  status: statusSql,
  version: agents.version,
  lastSeenAt: agents.lastSeenAt,
  next_report_seconds: agents.nextReportSeconds,
  tokenIssuedAt: agents.tokenIssuedAt,
  revokedAt: agents.revokedAt,
  createdAt: agents.createdAt,
  updatedAt: agents.updatedAt,
};

const agentQuery = (db: Db) => db.select(agentColumns).from(agents).leftJoin(clouds, eq(clouds.id, agents.cloudId)).$dynamic();
type AgentRow = Awaited<ReturnType<typeof agentQuery>>[number];

const iso = (d: Date | null) => d?.toISOString() ?? null;

const agentItem = ({ lastSeenAt, tokenIssuedAt, revokedAt, createdAt, updatedAt, ...rest }: AgentRow): AgentItem => ({
  ...rest,
  last_seen_at: iso(lastSeenAt),
  token_issued_at: iso(tokenIssuedAt),
  revoked_at: iso(revokedAt),
  created_at: createdAt.toISOString(),
  updated_at: updatedAt.toISOString(),
});

export async function getAgent(db: Db, name: string): Promise<AgentItem> {
  const [row] = await agentQuery(db).where(eq(agents.name, name));
  if (!row) throw notFound('agent', name);
  return agentItem(row);
}

export interface AgentFilter {
  limit: number;
  offset: number;
  kind?: AgentKind;
  cloud?: string;
  status?: AgentStatus;
}

export async function listAgents(
  db: Db,
  filter: AgentFilter,
): Promise<{ items: AgentItem[]; total: number; limit: number; offset: number }> {
  const conditions: (SQL | undefined)[] = [
    filter.kind ? eq(agents.kind, filter.kind) : undefined,
    filter.cloud ? eq(clouds.code, filter.cloud) : undefined,
    filter.status ? sql`(${statusSql}) = ${filter.status}` : undefined,
  ];
  const where = and(...conditions);
  const [counted] = await db.select({ n: count() }).from(agents).leftJoin(clouds, eq(clouds.id, agents.cloudId)).where(where);
  const rows = await agentQuery(db).where(where).orderBy(asc(agents.name)).limit(filter.limit).offset(filter.offset);
  return { items: rows.map(agentItem), total: counted?.n ?? 0, limit: filter.limit, offset: filter.offset };
}
