/* Private networks (业务专网), drawn per department, and the names they are drawn from. */

import type { PrivateNetworkInput } from '../../registry/kinds/private-networks.ts';
import type { Domain } from '../names.ts';
import type { Curve, Rng } from '../random.ts';
import { type Draft, drawClassification, inScopeShare, moveTo, phaseSuffix, type Retiring, schedule } from './classified.ts';
import { countsPerDepartment, type Dept, type Level, pad } from './departments.ts';
import { type DemoKind, demoTargets } from './model.ts';

/**
 * A department's networks by its domain: how many it runs relative to others (1 unless given)
 * and what they are called.
 */
const networksByDomain: Readonly<Record<Domain, { weight?: number; names: readonly string[] }>> = {
  bigdata: { names: ['政务服务专网'] },
  dev: { names: ['投资项目审批专网'] },
  edu: { names: ['教育城域网', '招生考试专网'] },
  police: { weight: 3, names: ['公安视频专网', '交通管理专网', '出入境业务专网'] },
  civil: { names: ['民政业务专网'] },
  justice: { names: ['司法行政专网'] },
  finance: { weight: 2, names: ['财政业务专网', '国库支付专网'] },
  hrss: { weight: 2.5, names: ['金保工程专网', '就业服务专网'] },
  land: { weight: 1.5, names: ['国土资源业务专网', '不动产登记专网'] },
  env: { names: ['环境监测专网'] },
  housing: { names: ['住房公积金专网', '建设业务专网'] },
  transport: { weight: 2, names: ['交通运输专网', '高速公路监控专网'] },
  water: { weight: 2, names: ['防汛抗旱专网', '水利业务专网'] },
  agri: { names: ['农业业务专网'] },
  commerce: { names: ['商务业务专网'] },
  culture: { names: ['广播电视监测专网', '文化共享工程专网'] },
  health: { weight: 2, names: ['卫生健康专网', '疾控业务专网'] },
  emergency: { weight: 2, names: ['应急指挥专网', '安全生产监管专网'] },
  market: { weight: 1.5, names: ['市场监管专网', '食品药品监管专网'] },
  medins: { weight: 1.5, names: ['医保业务专网'] },
  forestry: { names: ['林业业务专网'] },
  generic: { weight: 0.4, names: ['视频会议专网', '业务专网'] },
};

/** Networks that by their nature stay classified (涉密). */
const classifiedPrivateNetworks = ['机要通信专网', '涉密视频会议专网'];

const levelShare: Record<Level, number> = { province: 0.4, city: 0.4, county: 0.2 };

/** Networks at scale 1; they grow with the departments, by the square root of the scale. */
const BASE_COUNT = 250;
const retiring: Retiring = { share: 0.03, window: ['2018-09-01', '2020-06-30'] };

function interconnectionCurve(): Curve {
  const live = inScopeShare(retiring);
  return [
    ['2018-01-01', 0],
    ['2018-06-30', 0.1],
    ['2018-12-31', 0.28 * live('2018-12-31')],
    ['2019-06-30', 0.45 * live('2019-06-30')],
    ['2019-12-31', 0.6 * live('2019-12-31')],
    ['2020-03-31', 0.7 * live('2020-03-31')],
    ['2020-07-31', demoTargets.interconnection['2020-07-31'] * live('2020-07-31')],
  ];
}

function buildPrivateNetworks(depts: readonly Dept[], total: number, rng: Rng): PrivateNetworkInput[] {
  const counts = countsPerDepartment(
    depts,
    (['province', 'city', 'county'] as const).map((level) => ({
      pick: (d: Dept) => d.level === level,
      total: Math.round(total * levelShare[level]),
    })),
    (d) => (networksByDomain[d.domain].weight ?? 1) * rng.range(0.5, 1.5),
  );

  const drafts: Draft<PrivateNetworkInput>[] = [];
  depts.forEach((dept, di) => {
    const pool = networksByDomain[dept.domain].names;
    for (let j = 0; j < (counts[di] ?? 0); j++) {
      const classification = drawClassification(rng, 0.08, 0.05);
      const base = classification === 'classified' ? rng.pick(classifiedPrivateNetworks) : (pool[j % pool.length] as string);
      const phase = classification === 'classified' ? '' : phaseSuffix(Math.floor(j / pool.length));
      drafts.push({
        row: {
          code: `PN${pad(drafts.length + 1, 4)}`,
          name: `${dept.row.name}${base}${phase}`,
          department_code: dept.row.code,
          classification,
          state: 'not_started',
          state_at: null,
        },
        dept,
      });
    }
  });

  schedule(
    drafts,
    {
      curve: interconnectionCurve(),
      retiring,
      underWay: { share: 0.4, from: '2019-09-01' },
      done: moveTo('interconnected'),
      retire: moveTo('retired'),
      start: moveTo('migrating'),
    },
    rng,
  );
  return drafts.map((d) => d.row);
}

export const privateNetworkRows: DemoKind<'private-networks'> = {
  segment: 'private-networks',
  rows: ({ depts, scale }, rng) => buildPrivateNetworks(depts, Math.round(BASE_COUNT * Math.sqrt(scale)), rng),
  rate: { indicator: 'private_network_interconnection', done: ['interconnected'], leaves: ['retired'] },
};
