/* Service items (政务服务事项), drawn per department, with their integration dates, and the names they are drawn from. */

import type { ServiceLevel, SystemType } from '../../db/schema/enums.ts';
import type { ServiceItemInput } from '../../registry/kinds/service-items.ts';
import type { Domain } from '../names.ts';
import { type Curve, dateAtShare, dateBetween, mulberry32, type Rng } from '../random.ts';
import { countsPerDepartment, type Dept, pad } from './departments.ts';
import { type DemoKind, demoTargets } from './model.ts';
import { quantiles } from './pace.ts';

const genericItems = ['政府信息公开申请', '行政复议申请', '投诉举报受理', '表彰奖励', '行政确认'];

const domainItems: Readonly<Record<Domain, readonly string[]>> = {
  bigdata: ['电子证照申领', '政务数据共享申请', '政务云资源申请', '电子政务外网接入申请'],
  dev: ['企业投资项目核准', '企业投资项目备案', '固定资产投资项目节能审查', '政府定价成本监审'],
  edu: ['教师资格认定', '民办学校设立审批', '中小学学籍转接', '学历证明办理', '校车使用许可'],
  police: [
    '居民身份证申领',
    '户口迁移登记',
    '出生登记',
    '机动车注册登记',
    '机动车驾驶证换领',
    '普通护照签发',
    '往来港澳通行证签注',
    '无犯罪记录证明',
  ],
  civil: ['婚姻登记', '城乡低保申请', '特困人员认定', '社会团体成立登记', '民办非企业单位登记', '残疾人两项补贴'],
  justice: ['律师执业许可', '公证员执业审批', '法律援助申请', '司法鉴定许可'],
  finance: ['政府采购代理机构备案', '代理记账许可', '财政票据领购', '非税收入缴款'],
  hrss: ['社会保障卡申领', '养老保险关系转移', '失业保险金申领', '就业创业证办理', '职业技能等级认定', '工伤认定', '劳务派遣经营许可'],
  land: ['不动产首次登记', '不动产转移登记', '建设用地规划许可', '采矿权登记', '土地复垦方案审查'],
  env: ['排污许可证核发', '建设项目环境影响评价审批', '危险废物经营许可', '辐射安全许可'],
  housing: ['建筑工程施工许可', '商品房预售许可', '建筑业企业资质认定', '住房公积金提取', '燃气经营许可'],
  transport: ['道路运输经营许可', '道路运输从业资格证核发', '公路超限运输许可', '港口经营许可', '出租汽车驾驶员资格证'],
  water: ['取水许可', '河道采砂许可', '水土保持方案审批', '洪水影响评价审批'],
  agri: ['农药经营许可', '兽药经营许可', '动物防疫条件合格证核发', '种子生产经营许可', '渔业捕捞许可'],
  commerce: ['对外贸易经营者备案', '拍卖企业经营许可', '报废机动车回收拆解企业资质认定', '单用途预付卡备案'],
  culture: ['旅行社设立许可', '互联网上网服务营业场所经营许可', '营业性演出审批', '出版物经营许可'],
  health: ['医疗机构执业登记', '医师执业注册', '护士执业注册', '公共场所卫生许可', '出生医学证明办理', '放射诊疗许可'],
  emergency: ['危险化学品经营许可', '烟花爆竹经营许可', '安全生产许可', '生产安全事故应急预案备案'],
  market: ['企业设立登记', '个体工商户登记', '食品经营许可', '特种设备使用登记', '工业产品生产许可'],
  medins: ['参保登记', '异地就医备案', '医保关系转移接续', '门诊慢特病待遇认定'],
  forestry: ['林木采伐许可', '使用林地审核', '林草种子生产经营许可', '陆生野生动物人工繁育许可'],
  generic: ['行政给付', '行政检查', '其他行政权力事项'],
};

/** Variants of one service item (新办/变更/…), used once a department's base list runs out. */
const itemVariants = ['新办', '变更', '延续', '注销', '补办', '换发'];

/** Items at scale 1. */
const BASE_COUNT = 3200;

/** Published share of all items that sit at 区直 level (1,231 of 27,042). */
const PROVINCE_ITEM_SHARE = 1231 / (1231 + 25811);

/** Share of the eventually-integrated items done by each date. */
const integrationCurve: Curve = [
  ['2018-01-01', 0],
  ['2018-12-31', 0.28],
  ['2019-12-31', 0.62],
  ['2020-07-31', 1],
];

// 国垂 systems are the hardest to connect to the unified platform; self-built ones the easiest.
const typeLag: Record<SystemType, number> = { national: 0.25, provincial: -0.05, city: 0, self_built: -0.15 };

function drawSystemType(rng: Rng, dept: Dept): SystemType {
  const r = rng.next();
  if (dept.domain === 'police' || dept.domain === 'market') return r < 0.75 ? 'national' : 'provincial';
  if (dept.level === 'province') return r < 0.35 ? 'national' : r < 0.85 ? 'provincial' : 'self_built';
  return r < 0.28 ? 'national' : r < 0.68 ? 'provincial' : r < 0.85 ? 'city' : 'self_built';
}

function buildServiceItems(depts: readonly Dept[], total: number, rng: Rng): ServiceItemInput[] {
  const provinceTotal = Math.max(1, Math.round(total * PROVINCE_ITEM_SHARE));
  const counts = countsPerDepartment(
    depts,
    [
      { pick: (d) => d.level === 'province', total: provinceTotal },
      { pick: (d) => d.level !== 'province', total: total - provinceTotal },
    ],
    (d) => {
      const base = d.level === 'city' ? rng.range(1.5, 4) : d.row.parent_code ? rng.range(0.5, 1.5) : rng.range(1, 3);
      return d.domain === 'generic' ? base * 0.4 : base;
    },
  );

  const drafts: { row: ServiceItemInput; dept: Dept }[] = [];
  depts.forEach((dept, di) => {
    const pool = [...rng.shuffle([...domainItems[dept.domain]]), ...genericItems];
    for (let j = 0; j < (counts[di] ?? 0); j++) {
      const round = Math.floor(j / pool.length);
      const variant =
        round === 0
          ? ''
          : `（${itemVariants[(round - 1) % itemVariants.length]}${round > itemVariants.length ? Math.ceil(round / itemVariants.length) : ''}）`;
      drafts.push({
        row: {
          code: `SI${pad(drafts.length + 1, 6)}`,
          name: `${pool[j % pool.length]}${variant}`,
          department_code: dept.row.code,
          system_type: drawSystemType(rng, dept),
          integration_required: rng.chance(0.96),
          integrated: false,
          integrated_at: null,
          service_level: 'multiple_visits',
          service_level_since: null,
        },
        dept,
      });
    }
  });

  // Exactly the published share of required items per level is integrated by the end.
  for (const [isProvince, target] of [
    [true, demoTargets.integration.province],
    [false, demoTargets.integration.local],
  ] as const) {
    const scoped = drafts.filter((d) => d.row.integration_required && (d.dept.level === 'province') === isProvince);
    const keys = scoped.map((d) => 0.6 * d.dept.pace.center + typeLag[d.row.system_type] + (rng.next() - 0.5));
    const u = quantiles(keys);
    const integrated = Math.round(target * scoped.length);
    scoped.forEach((d, i) => {
      const rank = Math.round((u[i] as number) * scoped.length - 0.5);
      if (rank >= integrated) return;
      d.row.integrated = true;
      d.row.integrated_at = dateAtShare(integrationCurve, (rank + 0.5) / integrated);
    });
  }
  // Drawn last, from a stream of their own, so that the items and dates above stay as they were.
  const levels = mulberry32(Math.floor(rng.next() * 2 ** 32));
  for (const { row } of drafts) drawServiceLevel(row, levels);
  return drafts.map((d) => d.row);
}

/** Shares of the levels (办理深度): an item integrated with the platform is mostly handled online. */
const levelShares: Record<'integrated' | 'not_integrated', readonly [ServiceLevel, number][]> = {
  integrated: [
    ['full_online', 0.6],
    ['online_one_visit', 0.3],
    ['offline_one_visit', 0.07],
    ['multiple_visits', 0.03],
  ],
  not_integrated: [
    ['full_online', 0.15],
    ['online_one_visit', 0.35],
    ['offline_one_visit', 0.35],
    ['multiple_visits', 0.15],
  ],
};

/** An item's level, reached with its integration or on a day of the reform (2018-06 to the demo's end). */
function drawServiceLevel(row: ServiceItemInput, rng: Rng): void {
  const u = rng.next();
  let cumulative = 0;
  const shares = levelShares[row.integrated ? 'integrated' : 'not_integrated'];
  const level =
    shares.find(([, share]) => {
      cumulative += share;
      return u < cumulative;
    })?.[0] ?? 'multiple_visits';
  const since = dateBetween(rng, '2018-06-01', '2020-07-31');
  row.service_level = level;
  if (level === 'multiple_visits') return;
  row.service_level_since = row.integrated_at && level !== 'offline_one_visit' ? row.integrated_at : since;
}

export const serviceItemRows: DemoKind<'service-items'> = {
  segment: 'service-items',
  rows: ({ depts, scale }, rng) => buildServiceItems(depts, Math.round(BASE_COUNT * scale), rng),
};
