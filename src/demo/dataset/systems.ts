/* Systems with their states and dates, drawn per department, and the names they are drawn from. */

import type { SystemState } from '../../db/schema/enums.ts';
import type { SystemInput } from '../../registry/kinds/systems.ts';
import type { Domain } from '../names.ts';
import { allocate, type Curve, dateBetween, dayOf, isoOf, mulberry32, type Rng } from '../random.ts';
import { type Draft, drawClassification, inScopeShare, phaseSuffix, type Retiring, schedule } from './classified.ts';
import { type Dept, pad } from './departments.ts';
import { type DemoKind, demoTargets } from './model.ts';

/** Systems every department may run, whatever its domain. */
const genericSystems = [
  '办公自动化系统',
  '门户网站',
  '档案管理系统',
  '视频会议系统',
  '财务管理系统',
  '人事管理系统',
  '移动办公平台',
  '政府信息公开系统',
  '督查督办系统',
  '电子公文交换系统',
  '机关党建信息系统',
  '数据统计分析平台',
];

const domainSystems: Readonly<Record<Domain, readonly string[]>> = {
  bigdata: ['数据共享交换平台', '一体化在线政务服务平台', '电子证照库', '12345政务服务便民热线系统', '政务云管理平台', '公共数据开放平台'],
  dev: ['投资项目在线审批监管平台', '价格监测系统', '社会信用信息共享平台', '重大项目管理系统', '能源运行监测系统'],
  edu: ['教育管理信息系统', '学籍管理系统', '教师管理信息系统', '招生考试管理系统', '学生资助管理系统'],
  police: ['警务综合平台', '人口信息管理系统', '出入境管理系统', '交通管理综合应用平台', '视频监控联网平台', '治安管理信息系统'],
  civil: ['社会救助管理系统', '婚姻登记管理系统', '养老服务信息系统', '社会组织管理系统', '优抚安置管理系统'],
  justice: ['社区矫正管理系统', '公共法律服务平台', '人民调解管理系统', '行政执法监督系统'],
  finance: ['预算管理一体化系统', '国库集中支付系统', '政府采购管理系统', '非税收入管理系统', '国有资产管理系统'],
  hrss: ['社会保险经办系统', '就业服务管理系统', '劳动保障监察系统', '人事考试管理系统', '社会保障卡管理系统'],
  land: ['不动产登记系统', '国土空间规划监测系统', '矿产资源管理系统', '耕地保护监管系统'],
  env: ['生态环境监测系统', '排污许可管理系统', '环境执法系统', '固体废物管理系统'],
  housing: ['住房公积金管理系统', '建筑市场监管平台', '房屋交易管理系统', '城市管理综合执法系统'],
  transport: ['交通运输综合执法系统', '道路运输管理系统', '公路养护管理系统', '港航管理系统'],
  water: ['水资源管理系统', '防汛抗旱指挥系统', '河长制管理系统', '水利工程建设管理系统'],
  agri: ['农业综合信息平台', '动物疫病防控系统', '农产品质量安全追溯系统', '农村土地承包管理系统'],
  commerce: ['商务运行监测系统', '对外贸易管理系统', '电子商务公共服务平台', '公共资源交易平台'],
  culture: ['文化市场综合执法系统', '旅游监管服务平台', '广播电视监测系统', '公共文化服务平台'],
  health: ['全民健康信息平台', '医疗机构监管系统', '疾病预防控制信息系统', '妇幼保健管理系统', '卫生监督执法系统'],
  emergency: ['应急指挥平台', '安全生产监管系统', '自然灾害监测预警系统'],
  market: ['市场主体登记系统', '企业信用信息公示系统', '食品安全监管系统', '特种设备安全监管系统'],
  medins: ['医疗保障信息平台', '医保基金监管系统', '医保结算系统'],
  forestry: ['林业资源管理系统', '森林防火监测系统', '林权管理系统'],
  generic: ['业务综合管理平台', '行政执法系统', '综合统计系统'],
};

/** Systems at scale 1. */
const BASE_COUNT = 1500;
const retiring: Retiring = { share: 0.015, window: ['2019-03-01', '2020-06-30'] };

/** Migration curve over all non-classified systems: the published rate times the share still in scope. */
function migrationCurve(): Curve {
  const live = inScopeShare(retiring);
  const t = demoTargets.migration;
  return [
    ['2016-01-01', 0],
    ['2016-12-31', 0.14],
    ['2017-12-31', 0.33],
    ['2018-12-31', 0.54],
    ['2019-01-31', t['2019-01-31'] * live('2019-01-31')],
    ['2019-12-31', t['2019-12-31'] * live('2019-12-31')],
    ['2020-03-31', 0.72 * live('2020-03-31')],
    ['2020-07-31', t['2020-07-31'] * live('2020-07-31')],
  ];
}

function buildSystems(depts: readonly Dept[], total: number, rng: Rng): SystemInput[] {
  const weights = depts.map((d) => {
    if (d.kind === 'enterprise') return rng.range(1, 3);
    if (d.level === 'province') return d.row.parent_code ? rng.range(1, 3) : rng.range(4, 9);
    if (d.level === 'city') return rng.range(3, 6);
    return rng.chance(0.4) ? rng.range(1, 3) : 0;
  });
  const counts = allocate(total, weights);
  const drafts: Draft<SystemInput>[] = [];
  depts.forEach((dept, di) => {
    const n = counts[di] ?? 0;
    const pool = [...rng.shuffle([...domainSystems[dept.domain]]), ...rng.shuffle([...genericSystems])];
    for (let j = 0; j < n; j++) {
      drafts.push({
        row: {
          code: `S${pad(drafts.length + 1, 6)}`,
          name: `${dept.row.name}${pool[j % pool.length]}${phaseSuffix(Math.floor(j / pool.length))}`,
          department_code: dept.row.code,
          classification: drawClassification(rng, 0.05, 0.03),
          state: 'not_migrated',
          state_at: null,
          cloud_code: null,
          tenant: null,
          // 等保 and disaster recovery: drawn by drawProtection below.
        },
        dept,
      });
    }
  });

  // Migrated along the curve (work due in a city's stall lands right after it); of the ones not
  // done by the end, a few zombies are cleared, some are on their way, the rest untouched.
  schedule(
    drafts,
    {
      curve: migrationCurve(),
      retiring,
      underWay: { share: 0.35, from: '2020-01-01' },
      done: (d, at) => {
        const stall = d.dept.pace.stall;
        const moved = stall && at >= stall[0] && at <= stall[1] ? isoOf(dayOf(stall[1]) + rng.int(1, 31)) : at;
        setSystem(d, 'migrated', moved, true);
      },
      retire: (d, at) => {
        setSystem(d, 'retired', at, false);
        d.row.name = `${d.row.name}（僵尸系统）`;
      },
      start: (d, at) => setSystem(d, 'migrating', at, true),
    },
    rng,
  );
  // Drawn last, from a stream of their own, so that the systems and dates above stay as they were.
  const protection = mulberry32(Math.floor(rng.next() * 2 ** 32));
  for (const [i, d] of drafts.entries()) drawProtection(d.row, i, protection);
  return drafts.map((d) => d.row);
}

/**
 * 等保 and disaster recovery of a non-classified system: most are level 2, a third level 3
 * (a few 4), mostly assessed once in the eighteen months before the demo's end; about half of the
 * level-3+ ones keep a copy in a standby centre of the provincial cloud.
 */
function drawProtection(row: SystemInput, index: number, rng: Rng): void {
  if (row.classification === 'classified') return;
  const u = rng.next();
  const level = u < 0.02 ? 4 : u < 0.33 ? 3 : u < 0.9 ? 2 : 1;
  row.security_level = level;
  row.filing_number = `${row.department_code.slice(0, 6)}-${pad(20_001 + index, 6)}`;
  // Level 3+ must be assessed yearly: hardly any never were; at level 2 more often so.
  if (level >= 2 && rng.chance(level >= 3 ? 0.98 : 0.85)) row.assessed_on = dateBetween(rng, '2019-02-01', '2020-07-31');
  if (level < 3 || !rng.chance(0.5)) return;
  const sameCity = rng.chance(0.6);
  row.dr_site = sameCity ? 'same_city' : 'remote';
  row.dr_cloud_code = sameCity ? 'GXCLOUD-DR1' : 'GXCLOUD-DR2';
  row.rto_minutes = sameCity ? 60 : 240;
  row.rpo_minutes = sameCity ? 15 : 60;
}

function setSystem(d: Draft<SystemInput>, state: SystemState, at: string | null, onCloud: boolean): void {
  d.row.state = state;
  d.row.state_at = at;
  d.row.cloud_code = onCloud ? d.dept.cloudCode : null;
  d.row.tenant = onCloud ? d.dept.tenant : null;
}

export const systemRows: DemoKind<'systems'> = {
  segment: 'systems',
  rows: ({ depts, scale }, rng) => buildSystems(depts, Math.round(BASE_COUNT * scale), rng),
  rate: { indicator: 'cloud_migration', done: ['migrated'], leaves: ['retired'] },
};
