/* Department name templates by level, and the business domains that decide what each department runs. */

import type { DepartmentKind } from '../db/schema/enums.ts';

/** Business domains; they decide which systems, service items and networks a department has (each kind's module holds its names). */
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
