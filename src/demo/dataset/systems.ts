/* Systems with their states and dates, drawn per department. */

import type { Classification, PrivateNetworkState, SystemState } from '../../db/schema/enums.ts';
import type { PrivateNetworkInput, SystemInput } from '../../registry/schemas.ts';
import { domainSystems, genericSystems } from '../names.ts';
import { allocate, dateAtShare, dateBetween, dayOf, isoOf, type Rng } from '../random.ts';
import { phaseName } from './clouds.ts';
import { type Dept, pad } from './departments.ts';
import { DEMO_AS_OF } from './model.ts';
import { migrationCurve, paceKey, quantiles, retirementDates, SYSTEM_RETIRE_WINDOW, SYSTEM_RETIRED_SHARE } from './pace.ts';

export interface SystemDraft {
  row: SystemInput;
  dept: Dept;
}

export function drawClassification(rng: Rng, classified: number, pending: number): Classification {
  const r = rng.next();
  return r < classified ? 'classified' : r < classified + pending ? 'pending' : 'non_classified';
}

export function buildSystems(depts: readonly Dept[], total: number, rng: Rng): SystemDraft[] {
  const weights = depts.map((d) => {
    if (d.kind === 'enterprise') return rng.range(1, 3);
    if (d.level === 'province') return d.row.parent_code ? rng.range(1, 3) : rng.range(4, 9);
    if (d.level === 'city') return rng.range(3, 6);
    return rng.chance(0.4) ? rng.range(1, 3) : 0;
  });
  const counts = allocate(total, weights);
  const drafts: SystemDraft[] = [];
  depts.forEach((dept, di) => {
    const n = counts[di] ?? 0;
    const pool = [...rng.shuffle([...domainSystems[dept.domain]]), ...rng.shuffle([...genericSystems])];
    for (let j = 0; j < n; j++) {
      const phase = Math.floor(j / pool.length);
      const base = pool[j % pool.length] as string;
      drafts.push({
        row: {
          code: `S${pad(drafts.length + 1, 6)}`,
          name: `${dept.row.name}${base}${phase > 0 ? `（${phaseName(phase + 1)}期）` : ''}`,
          department_code: dept.row.code,
          classification: drawClassification(rng, 0.05, 0.03),
          state: 'not_migrated',
          state_at: null,
          cloud_code: null,
          tenant: null,
        },
        dept,
      });
    }
  });

  const scoped = drafts.filter((d) => d.row.classification === 'non_classified');
  const u = quantiles(scoped.map((d) => paceKey(d.dept.pace, rng)));
  const curve = migrationCurve();
  const done = (curve.at(-1) as readonly [string, number])[1];
  const tail: SystemDraft[] = [];
  scoped.forEach((d, i) => {
    const q = u[i] as number;
    if (q > done) {
      tail.push(d);
      return;
    }
    let at = dateAtShare(curve, q);
    const stall = d.dept.pace.stall;
    if (stall && at >= stall[0] && at <= stall[1]) at = isoOf(dayOf(stall[1]) + rng.int(1, 31));
    setSystem(d, 'migrated', at, true);
  });

  // The ones not done by the end: a few zombies cleared, some on their way, the rest untouched.
  rng.shuffle(tail);
  const retired = Math.min(tail.length, Math.round(SYSTEM_RETIRED_SHARE * scoped.length));
  const dates = retirementDates(retired, SYSTEM_RETIRE_WINDOW, rng);
  tail.forEach((d, i) => {
    if (i < retired) {
      setSystem(d, 'retired', dates[i] ?? null, false);
      d.row.name = `${d.row.name}（僵尸系统）`;
    } else if (rng.chance(0.35)) {
      setSystem(d, 'migrating', dateBetween(rng, '2020-01-01', DEMO_AS_OF), true);
    }
  });
  return drafts;
}

function setSystem(d: SystemDraft, state: SystemState, at: string | null, onCloud: boolean): void {
  d.row.state = state;
  d.row.state_at = at;
  d.row.cloud_code = onCloud ? d.dept.cloudCode : null;
  d.row.tenant = onCloud ? d.dept.tenant : null;
}

export function setNetwork(row: PrivateNetworkInput, state: PrivateNetworkState, at: string | null): void {
  row.state = state;
  row.state_at = at;
}
