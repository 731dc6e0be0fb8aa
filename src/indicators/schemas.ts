import { z } from '@hono/zod-openapi';
import { booleanQuery } from '../http/schemas.ts';
import { indicatorKeys } from './definitions.ts';

export const ScopeQuery = z.object({
  scope: z.string().min(1).openapi({ description: 'A division code (`450000`) or `dept:<department code>`', example: '450000' }),
  at: z
    .string()
    .optional()
    .openapi({ description: 'Business date YYYY-MM-DD; the state at the end of that day. Default: today', example: '2020-07-31' }),
  self: booleanQuery.optional().openapi({ description: 'Only the region itself (本级), not everything under it' }),
});

export const Figure = z.object({
  numerator: z.number().int(),
  denominator: z.number().int(),
  ratio: z.number().nullable(),
  percent: z.number().nullable().openapi({ description: 'Rounded half-up to one decimal' }),
});
export type Figure = z.infer<typeof Figure>;

const IndicatorFigure = Figure.extend({
  key: z.enum(indicatorKeys),
  name: z.string(),
  name_en: z.string(),
  // Items awaiting classification (待认定): in no denominator, shown beside the rate.
  pending: z.number().int(),
  // 对接完成率 only: the same figure split by system type and by level.
  breakdown: z.object({ by_system_type: z.record(z.string(), Figure), by_level: z.record(z.string(), Figure) }).optional(),
});
export type IndicatorFigure = z.infer<typeof IndicatorFigure>;

/** What a set of figures is for: the scope, and the date it stands at. */
export const reportScopeFields = {
  scope: z.string(),
  scope_name: z.string(),
  scope_kind: z.enum(['region', 'department']),
  self: z.boolean(),
  at: z.string(),
};

export const IndicatorReport = z.object({ ...reportScopeFields, indicators: z.array(IndicatorFigure) }).openapi('IndicatorReport');
export type IndicatorReport = z.infer<typeof IndicatorReport>;
