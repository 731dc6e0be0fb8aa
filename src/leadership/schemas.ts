import { z } from '@hono/zod-openapi';
import { snapshotStatuses, targetScopeKinds } from '../db/schema/enums.ts';
import { indicatorKeys } from '../indicators/definitions.ts';
import { reportScopeFields } from '../indicators/schemas.ts';
import { isoDate } from '../registry/schemas.ts';

export const monthString = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month written YYYY-MM')
  .openapi({ example: '2020-07' });

/** Where a target applies; the same words everywhere (API, CLI, stored rows). */
export const targetScope = z.string().trim().min(1).openapi({
  description:
    'The province or a city (division code, `450000`, `450100`), every city (`cities`), one department (`dept:<code>`), or every province-level department (`departments`)',
  example: 'cities',
});

/** A ratio 0–1; "70%" is accepted too, so clerks can type what the document says. */
export const targetRatio = z
  .union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*%?\s*$/, 'must be a ratio 0–1 or a percent such as 70%')])
  .transform((v) => (typeof v === 'number' ? v : v.trim().endsWith('%') ? Number.parseFloat(v) / 100 : Number.parseFloat(v)))
  .pipe(z.number().min(0, 'must be at least 0').max(1, 'must be at most 1 (100%)'))
  .openapi({ description: 'Target ratio 0–1 (or a percent string such as "70%")', example: 0.7 });

export const TargetInput = z
  .object({
    indicator: z.enum(indicatorKeys),
    scope: targetScope,
    deadline: isoDate.openapi({ description: 'Reach the ratio by the end of this day', example: '2021-12-31' }),
    ratio: targetRatio,
    note: z.string().trim().max(2000).nullish(),
  })
  .openapi('TargetInput');
export type TargetInput = z.input<typeof TargetInput>;

// ---------------------------------------------------------------------------------------------
// Responses

const indicatorKey = z.enum(indicatorKeys);
const nullableNumber = z.number().nullable();

export const TrajectorySchema = z
  .object({
    indicator: indicatorKey,
    indicator_name: z.string(),
    scope: z.string(),
    scope_kind: z.enum(targetScopeKinds),
    points: z.array(z.object({ deadline: z.string(), ratio: z.number(), percent: z.number(), note: z.string().nullable() })),
  })
  .openapi('Trajectory');

const TargetCheckShape = {
  target: nullableNumber.openapi({ description: 'Target in force on the date (0–1); null before the first deadline' }),
  target_percent: nullableNumber,
  gap: nullableNumber.openapi({ description: 'target − actual (0–1): positive = behind' }),
  gap_points: nullableNumber,
  behind: z.boolean().nullable(),
  next_deadline: z.string().nullable(),
  next_target: nullableNumber,
  gap_to_next: nullableNumber,
  source: z.string().nullable().openapi({ description: 'The trajectory that applied: the scope itself, cities or departments' }),
};

export const TargetStatusSchema = z
  .object({
    scope: z.string(),
    scope_name: z.string(),
    at: z.string(),
    indicators: z.array(
      z.object({
        key: indicatorKey,
        name: z.string(),
        numerator: z.number().int(),
        denominator: z.number().int(),
        ratio: nullableNumber,
        percent: nullableNumber,
        ...TargetCheckShape,
      }),
    ),
  })
  .openapi('TargetStatus');

export const SnapshotMetaSchema = z
  .object({
    month: z.string(),
    revision: z.number().int(),
    status: z.enum(snapshotStatuses),
    as_of: z.string(),
    requested_at: z.string(),
    requested_by: z.string(),
    frozen_at: z.string().nullable(),
    frozen_by: z.string().nullable(),
    reason: z.string().nullable(),
    registry_version: z.number().int().nullable(),
    scope_count: z.number().int(),
    figure_count: z.number().int(),
    duration_ms: z.number().int().nullable(),
    superseded_at: z.string().nullable(),
  })
  .openapi('Snapshot');

export const FreezeInput = z
  .object({
    month: monthString,
    refreeze: z.boolean().default(false).openapi({ description: 'Freeze again a month already frozen (needs a reason; audited)' }),
    reason: z.string().trim().max(2000).optional(),
  })
  .openapi('FreezeInput');

export const FreezeResultSchema = z
  .object({
    month: z.string(),
    outcome: z.enum(['frozen', 'refrozen', 'unchanged']),
    snapshot: SnapshotMetaSchema,
    changed_figures: z.number().int().optional(),
  })
  .openapi('FreezeResult');

const FigureShape = {
  numerator: z.number().int(),
  denominator: z.number().int(),
  ratio: nullableNumber,
  percent: nullableNumber,
};

export const FrozenReportSchema = z
  .object({
    ...reportScopeFields,
    month: z.string(),
    revision: z.number().int(),
    frozen_at: z.string().nullable(),
    indicators: z.array(
      z.object({
        key: indicatorKey,
        name: z.string(),
        name_en: z.string(),
        pending: z.number().int(),
        ...FigureShape,
        breakdown: z
          .object({ by_system_type: z.record(z.string(), z.object(FigureShape)), by_level: z.record(z.string(), z.object(FigureShape)) })
          .optional(),
      }),
    ),
  })
  .openapi('FrozenReport');

export const SeriesSchema = z
  .object({
    scope: z.string(),
    indicator: indicatorKey,
    points: z.array(z.object({ month: z.string(), as_of: z.string(), pending: z.number().int(), ...FigureShape })),
  })
  .openapi('SnapshotSeries');

const ProjectionShape = {
  status: z.enum(['projected', 'reached', 'not_at_current_pace', 'insufficient_history']),
  projected_date: z.string().nullable(),
  pace_points_per_month: nullableNumber,
  latest_ratio: nullableNumber,
  points_used: z.number().int(),
};

export const ForecastSchema = z
  .object({
    month: z.string(),
    months: z.array(z.string()),
    window: z.number().int(),
    scopes: z.array(
      z.object({
        scope: z.string(),
        scope_name: z.string(),
        forecasts: z.array(
          z.object({
            indicator: indicatorKey,
            name: z.string(),
            ...ProjectionShape,
          }),
        ),
      }),
    ),
  })
  .openapi('Forecast');

const ProgressMonthSchema = z.object({
  month: z.string(),
  as_of: z.string(),
  numerator: z.number().int(),
  denominator: z.number().int(),
  ratio: nullableNumber,
  percent: nullableNumber,
  target_percent: nullableNumber.openapi({ description: 'The target in force on the month’s last day' }),
  gap_points: nullableNumber.openapi({ description: 'target − actual in percentage points: positive = behind' }),
  mom_points: nullableNumber.openapi({ description: '环比: change since the previous month, in points; null when it is not frozen' }),
  yoy_points: nullableNumber.openapi({ description: '同比: change since the same month a year before; null without its snapshot' }),
});

export const TargetProgressSchema = z
  .object({
    scope: z.string(),
    scope_name: z.string(),
    month: z.string(),
    as_of: z.string(),
    from: z.string().openapi({ description: 'The first month listed' }),
    indicators: z.array(
      z.object({
        indicator: indicatorKey,
        name: z.string(),
        target_source: z
          .string()
          .nullable()
          .openapi({ description: 'The trajectory that applies: the scope’s own, cities or departments' }),
        target_points: z.array(z.object({ deadline: z.string(), percent: z.number() })),
        full_target_deadline: z.string().nullable().openapi({ description: 'The first deadline by which the target asks for 100%' }),
        latest: ProgressMonthSchema.nullable(),
        months: z.array(ProgressMonthSchema),
        forecast: z.object({
          ...ProjectionShape,
          method: z.object({
            name: z.literal('least_squares_linear'),
            fitted_from: z.string().nullable(),
            fitted_to: z.string().nullable(),
            window: z.number().int(),
          }),
          days_after_target: nullableNumber.openapi({
            description: 'Projected date − the 100% deadline, in days: positive = later than the target asks',
          }),
        }),
      }),
    ),
  })
  .openapi('TargetProgress');

const RankedEntrySchema = z.object({
  rank: z.number().int(),
  scope: z.string(),
  name: z.string(),
  score: z.number(),
  level: z.number(),
  progress: z.number(),
  previous_rank: z.number().int().nullable().openapi({ description: "The rank in the previous month's list; null when not ranked then" }),
  movement: z
    .number()
    .int()
    .nullable()
    .openapi({ description: 'previous_rank − rank: positive moved up, negative down; null without a previous rank' }),
  summary: z.string(),
  reasons: z.array(
    z.object({
      indicator: indicatorKey,
      name: z.string(),
      weight: z.number(),
      percent: z.number(),
      previous_percent: nullableNumber,
      progress_points: nullableNumber,
      target_percent: nullableNumber,
      gap_points: nullableNumber,
      behind: z.boolean().nullable(),
      text: z.string(),
    }),
  ),
});

const RankingListSchema = z.object({
  ranked: z.array(RankedEntrySchema),
  red: z.array(RankedEntrySchema),
  black: z.array(RankedEntrySchema),
  unranked: z.array(z.object({ scope: z.string(), name: z.string(), reason: z.string() })),
});

export const RankingSchema = z
  .object({
    month: z.string(),
    as_of: z.string(),
    previous_month: z.string().nullable(),
    weights: z.record(z.string(), z.number()),
    progress_weight: z.number(),
    cities: RankingListSchema,
    departments: RankingListSchema,
  })
  .openapi('Ranking');
