/**
 * The one vocabulary: every name a person reads (states, kinds, indicators, roles, alert and
 * work-order terms), in zh-CN and English. The console, the CLI, the reports, the imports and
 * the metrics' help take their words from here.
 */
export * from './alerts.ts';
export * from './indicators.ts';
export * from './records.ts';
export * from './roles.ts';
export * from './supervision.ts';
export * from './values.ts';
export * from './work-orders.ts';
