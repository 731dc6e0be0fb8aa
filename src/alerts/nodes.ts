import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/raw.ts';
import type { SilenceMatchers } from '../db/schema/index.ts';
import type { Access } from '../identity/access.ts';
import type { AlertItem } from './schemas.ts';
import { getAlert } from './service.ts';

/**
 * Read models the console needs around nodes and alerts: each agent's word on a node, the
 * nodes in trouble now, and the matchers a "silence this" form starts from.
 */

export interface NodeVantage {
  agent: string;
  up: boolean;
  latency_ms: number | null;
  loss: number;
  at: string;
  /** The first sample of the agent's current up (or down) streak. */
  since: string;
}

const iso = (v: Date | string) => new Date(v).toISOString();

/** The agents that probe a node and their latest word on it, the most recent first. */
export async function nodeVantages(db: Db, code: string): Promise<NodeVantage[]> {
  const rows = await queryRows<{
    agent: string;
    up: boolean;
    latency_ms: number | null;
    loss: number;
    at: Date | string;
    since: Date | string;
  }>(
    db,
    sql`select a.name as agent, v.up, v.latency_ms, v.loss, v.at, v.since
        from node_vantages v join agents a on a.id = v.agent_id join network_nodes n on n.id = v.node_id
        where n.code = ${code} order by v.at desc, a.name`,
  );
  return rows.map((r) => ({ ...r, at: iso(r.at), since: iso(r.since) }));
}

export interface TroubledNode {
  code: string;
  name: string;
  region_code: string;
  region_name: string | null;
  live_state: 'down' | 'degraded';
  latency_ms: number | null;
  loss: number | null;
  last_sample_at: string | null;
  /** When its open node alert started, else (down) when the last agent lost it; null when neither is known. */
  since: string | null;
}

/** Nodes down or degraded now (live, not silent), down first; at most `limit`. */
export async function troubledNodes(db: Db, limit = 200): Promise<TroubledNode[]> {
  const rows = await queryRows<
    Omit<TroubledNode, 'since' | 'last_sample_at'> & { since: Date | string | null; last_sample_at: Date | string | null }
  >(
    db,
    sql`select n.code, n.name, n.region_code, r.name as region_name, n.live_state, n.latency_ms, n.loss, n.last_sample_at,
               coalesce(
                 (select min(a.started_at) from alerts a
                   where a.subject_kind = 'node' and a.subject_code = n.code and a.state <> 'resolved'
                     and a.rule in ('node_down', 'node_degraded')),
                 case when n.live_state = 'down' then (select max(v.since) from node_vantages v where v.node_id = n.id and not v.up) end
               ) as since
        from network_nodes n left join regions r on r.code = n.region_code
        where n.live_until > now() and n.live_state in ('down', 'degraded')
        order by case n.live_state when 'down' then 0 else 1 end, n.code
        limit ${limit}`,
  );
  return rows.map((r) => ({
    ...r,
    since: r.since === null ? null : iso(r.since),
    last_sample_at: r.last_sample_at === null ? null : iso(r.last_sample_at),
  }));
}

/**
 * The matchers a silence of this alert starts from: its rule, its node (node alerts), its
 * region, and its agent or cloud when it has one — narrow enough to mute this alert and its kin.
 */
export async function silenceDraft(db: Db, access: Access, id: number): Promise<{ alert: AlertItem; matchers: SilenceMatchers }> {
  const alert = await getAlert(db, access, id);
  const [row] = await queryRows<{ cloud_code: string | null; agent_name: string | null }>(
    db,
    sql`select cloud_code, agent_name from alerts where id = ${id}`,
  );
  const matchers: SilenceMatchers = { rule: alert.rule };
  if (alert.subject.kind === 'node') matchers.node = alert.subject.code;
  if (alert.region) matchers.region = alert.region;
  if (row?.agent_name) matchers.agent = row.agent_name;
  if (row?.cloud_code) matchers.cloud = row.cloud_code;
  return { alert, matchers };
}
