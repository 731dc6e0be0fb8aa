import { z } from '@hono/zod-openapi';
import { booleanQuery } from '../http/schemas.ts';

export const interconnectionIntervals = ['day', 'week', 'month', 'quarter'] as const;
export type InterconnectionInterval = (typeof interconnectionIntervals)[number];

export const InterconnectionQuery = z.object({
  scope: z.string().min(1).max(80).openapi({ description: 'A division code (`450000`) or `dept:<department code>`', example: '450000' }),
  from: z.string().max(10).optional().openapi({
    description: 'First business day of the period, YYYY-MM-DD. Default: the first day any exchange count exists (cumulative)',
  }),
  to: z.string().max(10).optional().openapi({ description: 'Last business day of the period, YYYY-MM-DD. Default: today' }),
  self: booleanQuery.optional().openapi({ description: 'Only the region itself (本级), not everything under it' }),
});
export type InterconnectionQuery = z.infer<typeof InterconnectionQuery>;

const figureFields = {
  connected_units: z
    .number()
    .int()
    .openapi({ description: '接入单位: departments owning a provider or a consumer system of the services' }),
  services: z.number().int().openapi({ description: '接口服务: services active on `to` whose provider system is in scope' }),
  systems_served: z.number().int().openapi({ description: '服务系统: distinct systems consuming at least one of the services on `to`' }),
  volume_total: z.number().int().openapi({ description: '信息交换量: the daily counts of the services summed over [from, to]' }),
  volume_daily_average: z.number().openapi({ description: '日均交换量: volume_total ÷ days, rounded to 2 decimals' }),
  days: z.number().int().openapi({ description: 'Days in [from, to], both included' }),
};

export const InterconnectionFigures = z
  .object({ scope: z.string(), from: z.string(), to: z.string(), ...figureFields })
  .openapi('InterconnectionFigures');
export type InterconnectionFigures = z.infer<typeof InterconnectionFigures>;

export const InterconnectionTrendQuery = InterconnectionQuery.extend({
  interval: z.enum(interconnectionIntervals).default('month').openapi({ description: 'The length of each point' }),
});
export type InterconnectionTrendQuery = z.infer<typeof InterconnectionTrendQuery>;

export const InterconnectionTrend = z
  .object({
    scope: z.string(),
    from: z.string(),
    to: z.string(),
    interval: z.enum(interconnectionIntervals),
    points: z.array(z.object({ from: z.string(), to: z.string(), ...figureFields })).openapi({
      description: 'One point per interval: services and systems on its last day, volume over its days (cut to [from, to])',
    }),
  })
  .openapi('InterconnectionTrend');
export type InterconnectionTrend = z.infer<typeof InterconnectionTrend>;
