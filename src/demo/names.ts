import type { DepartmentKind } from '../db/schema/enums.ts';

/** Business domains; they decide which systems, service items and private networks a department has. */
export type Domain =
  | 'bigdata'
  | 'dev'
  | 'edu'
  | 'police'
  | 'civil'
  | 'justice'
  | 'finance'
  | 'hrss'
  | 'land'
  | 'env'
  | 'housing'
  | 'transport'
  | 'water'
  | 'agri'
  | 'commerce'
  | 'culture'
  | 'health'
  | 'emergency'
  | 'market'
  | 'medins'
  | 'forestry'
  | 'generic';

export interface DepartmentTemplate {
  /** Appended to the region's name (区直: the province, 市直: the city, 县直: the county). */
  suffix: string;
  kind: DepartmentKind;
  domain: Domain;
}

const gov = (suffix: string, domain: Domain): DepartmentTemplate => ({ suffix, kind: 'government', domain });
const inst = (suffix: string, domain: Domain): DepartmentTemplate => ({ suffix, kind: 'institution', domain });
const ent = (suffix: string, domain: Domain): DepartmentTemplate => ({ suffix, kind: 'enterprise', domain });

/** 区直 departments; the first is the big-data bureau (P001), which demo users are bound to. */
export const provinceDepartments: readonly DepartmentTemplate[] = [
  gov('大数据发展局', 'bigdata'),
  gov('发展和改革委员会', 'dev'),
  gov('教育厅', 'edu'),
  gov('科学技术厅', 'generic'),
  gov('工业和信息化厅', 'dev'),
  gov('公安厅', 'police'),
  gov('民政厅', 'civil'),
  gov('司法厅', 'justice'),
  gov('财政厅', 'finance'),
  gov('人力资源和社会保障厅', 'hrss'),
  gov('自然资源厅', 'land'),
  gov('生态环境厅', 'env'),
  gov('住房和城乡建设厅', 'housing'),
  gov('交通运输厅', 'transport'),
  gov('水利厅', 'water'),
  gov('农业农村厅', 'agri'),
  gov('商务厅', 'commerce'),
  gov('文化和旅游厅', 'culture'),
  gov('卫生健康委员会', 'health'),
  gov('退役军人事务厅', 'civil'),
  gov('应急管理厅', 'emergency'),
  gov('审计厅', 'generic'),
  gov('市场监督管理局', 'market'),
  gov('广播电视局', 'culture'),
  gov('体育局', 'culture'),
  gov('统计局', 'generic'),
  gov('医疗保障局', 'medins'),
  gov('林业局', 'forestry'),
  gov('粮食和物资储备局', 'agri'),
  gov('药品监督管理局', 'market'),
  gov('地方金融监督管理局', 'finance'),
  gov('机关事务管理局', 'generic'),
  gov('民族宗教事务委员会', 'generic'),
  gov('人民政府国有资产监督管理委员会', 'finance'),
  gov('海洋局', 'env'),
  gov('中医药管理局', 'health'),
  inst('公共资源交易中心', 'commerce'),
  inst('农业科学院', 'agri'),
  inst('社会科学院', 'generic'),
  ent('大数据投资发展集团有限公司', 'bigdata'),
  gov('外事办公室', 'generic'),
  gov('信访局', 'generic'),
  gov('监狱管理局', 'justice'),
  gov('戒毒管理局', 'justice'),
  gov('人民防空办公室', 'emergency'),
  gov('北部湾经济区规划建设管理办公室', 'dev'),
  inst('地质调查院', 'land'),
  inst('气象服务中心', 'emergency'),
];

/** 二层机构 of some 区直 departments, keyed by the parent's suffix. */
export const provinceSubDepartments: Readonly<Record<string, readonly DepartmentTemplate[]>> = {
  大数据发展局: [inst('信息中心', 'bigdata'), inst('电子政务外网管理中心', 'bigdata')],
  公安厅: [gov('交通警察总队', 'police'), gov('出入境管理局', 'police')],
  人力资源和社会保障厅: [inst('社会保险事业局', 'hrss')],
  卫生健康委员会: [inst('疾病预防控制中心', 'health')],
  自然资源厅: [inst('不动产登记中心', 'land')],
  市场监督管理局: [inst('特种设备检验研究院', 'market')],
  交通运输厅: [inst('高速公路管理局', 'transport')],
  农业农村厅: [inst('农业信息中心', 'agri')],
  教育厅: [inst('招生考试院', 'edu')],
  财政厅: [inst('国库支付中心', 'finance')],
  住房和城乡建设厅: [inst('住房公积金管理中心', 'housing')],
  生态环境厅: [inst('生态环境监测中心', 'env')],
  水利厅: [inst('水文中心', 'water')],
};

/** 市直 departments; the first `cityCore` are in every city, the rest are drawn per city. */
export const cityDepartments: readonly DepartmentTemplate[] = [
  gov('发展和改革委员会', 'dev'),
  gov('教育局', 'edu'),
  gov('公安局', 'police'),
  gov('财政局', 'finance'),
  gov('人力资源和社会保障局', 'hrss'),
  gov('自然资源局', 'land'),
  gov('卫生健康委员会', 'health'),
  gov('大数据发展局', 'bigdata'),
  gov('民政局', 'civil'),
  gov('住房和城乡建设局', 'housing'),
  gov('市场监督管理局', 'market'),
  gov('行政审批局', 'bigdata'),
  inst('住房公积金管理中心', 'housing'),
  gov('生态环境局', 'env'),
  gov('交通运输局', 'transport'),
  gov('农业农村局', 'agri'),
  gov('水利局', 'water'),
  gov('商务局', 'commerce'),
  gov('文化广电体育和旅游局', 'culture'),
  gov('应急管理局', 'emergency'),
  gov('医疗保障局', 'medins'),
  gov('司法局', 'justice'),
  gov('退役军人事务局', 'civil'),
  gov('审计局', 'generic'),
  gov('统计局', 'generic'),
  gov('林业局', 'forestry'),
  gov('城市管理综合执法局', 'housing'),
  inst('政务服务中心', 'bigdata'),
  inst('公共资源交易中心', 'commerce'),
  inst('不动产登记中心', 'land'),
  inst('疾病预防控制中心', 'health'),
  inst('信息中心', 'bigdata'),
  ent('城市建设投资集团有限公司', 'housing'),
  ent('水务集团有限公司', 'water'),
  gov('机关事务管理局', 'generic'),
  gov('信访局', 'generic'),
];
export const cityCore = 8;

/** 县直 departments; the first `countyCore` are in every county. */
export const countyDepartments: readonly DepartmentTemplate[] = [
  gov('人民政府办公室', 'generic'),
  gov('教育局', 'edu'),
  gov('公安局', 'police'),
  gov('人力资源和社会保障局', 'hrss'),
  gov('发展和改革局', 'dev'),
  gov('民政局', 'civil'),
  gov('财政局', 'finance'),
  gov('自然资源局', 'land'),
  gov('卫生健康局', 'health'),
  gov('市场监督管理局', 'market'),
  gov('住房和城乡建设局', 'housing'),
  gov('农业农村局', 'agri'),
  gov('行政审批局', 'bigdata'),
  inst('政务服务中心', 'bigdata'),
  gov('医疗保障局', 'medins'),
  gov('交通运输局', 'transport'),
  gov('水利局', 'water'),
  gov('司法局', 'justice'),
  gov('应急管理局', 'emergency'),
  gov('林业局', 'forestry'),
  gov('统计局', 'generic'),
  gov('审计局', 'generic'),
  gov('退役军人事务局', 'civil'),
  gov('文化体育和旅游局', 'culture'),
  inst('不动产登记中心', 'land'),
  ent('城市建设投资开发有限公司', 'housing'),
];
export const countyCore = 3;

/** Suffixes for directly affiliated units, used once a level's list runs out at large scales. */
export const affiliatedSuffixes = ['信息中心', '服务中心', '事务中心', '监测中心', '档案馆', '执法支队', '研究院', '宣传教育中心'];

/** Systems every department may run, whatever its domain. */
export const genericSystems = [
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

export const domainSystems: Readonly<Record<Domain, readonly string[]>> = {
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

export const genericItems = ['政府信息公开申请', '行政复议申请', '投诉举报受理', '表彰奖励', '行政确认'];

export const domainItems: Readonly<Record<Domain, readonly string[]>> = {
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
export const itemVariants = ['新办', '变更', '延续', '注销', '补办', '换发'];

export const domainPrivateNetworks: Readonly<Record<Domain, readonly string[]>> = {
  bigdata: ['政务服务专网'],
  dev: ['投资项目审批专网'],
  edu: ['教育城域网', '招生考试专网'],
  police: ['公安视频专网', '交通管理专网', '出入境业务专网'],
  civil: ['民政业务专网'],
  justice: ['司法行政专网'],
  finance: ['财政业务专网', '国库支付专网'],
  hrss: ['金保工程专网', '就业服务专网'],
  land: ['国土资源业务专网', '不动产登记专网'],
  env: ['环境监测专网'],
  housing: ['住房公积金专网', '建设业务专网'],
  transport: ['交通运输专网', '高速公路监控专网'],
  water: ['防汛抗旱专网', '水利业务专网'],
  agri: ['农业业务专网'],
  commerce: ['商务业务专网'],
  culture: ['广播电视监测专网', '文化共享工程专网'],
  health: ['卫生健康专网', '疾控业务专网'],
  emergency: ['应急指挥专网', '安全生产监管专网'],
  market: ['市场监管专网', '食品药品监管专网'],
  medins: ['医保业务专网'],
  forestry: ['林业业务专网'],
  generic: ['视频会议专网', '业务专网'],
};

/** Networks that by their nature stay classified (涉密). */
export const classifiedPrivateNetworks = ['机要通信专网', '涉密视频会议专网'];
