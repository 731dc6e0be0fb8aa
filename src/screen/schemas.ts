import { z } from '@hono/zod-openapi';
import { AlertItem } from '../alerts/schemas.ts';
import { threeHundred } from '../indicators/definitions.ts';

const percent = z.number().nullable().openapi({ description: 'Rounded half-up to one decimal; null when there is nothing to count' });

const TrendPoint = z.object({ month: z.string(), percent });

const ScreenFigure = z.object({
  key: z.enum(threeHundred),
  name: z.string(),
  name_en: z.string(),
  numerator: z.number().int(),
  denominator: z.number().int(),
  percent,
  trend: z.array(TrendPoint).openapi({ description: 'The frozen months, oldest first (at most the last 12)' }),
});

const ScreenCity = z.object({
  adcode: z.string(),
  name: z.string(),
  percents: z.record(z.enum(threeHundred), percent),
});

const ListEntry = z.object({ rank: z.number().int(), scope: z.string(), name: z.string(), score: z.number(), summary: z.string() });
const RedBlack = z.object({ red: z.array(ListEntry), black: z.array(ListEntry) });

const ScreenNode = z.object({
  code: z.string(),
  name: z.string(),
  region_name: z.string().nullable(),
  since: z.string().nullable(),
});

export const ScreenSchema = z
  .object({
    at: z.string().openapi({ description: 'The business date of the live figures (today)' }),
    generated_at: z.string(),
    province: z.object({ scope: z.string(), name: z.string() }),
    figures: z.array(ScreenFigure).openapi({ description: 'The three 100% figures (三个100%) of the province, live' }),
    cities: z.array(ScreenCity).openapi({ description: 'The 14 cities with the three figures, for the map' }),
    ranking: z
      .object({ month: z.string(), cities: RedBlack, departments: RedBlack })
      .nullable()
      .openapi({ description: 'The red/black list (红黑榜) of the latest frozen month; null before any month is frozen' }),
    alerts: z.object({ total: z.number().int(), items: z.array(AlertItem) }).openapi({ description: 'Firing critical alerts, not muted' }),
    nodes_down: z.object({ total: z.number().int(), items: z.array(ScreenNode) }),
  })
  .openapi('Screen');
export type Screen = z.infer<typeof ScreenSchema>;
