import { z } from '@hono/zod-openapi';
import { classifications } from '../db/schema/enums.ts';
import { calendarDate } from '../kernel/dates.ts';

/** A business date, YYYY-MM-DD, that exists on the calendar. */
export const isoDate = calendarDate;

export const code = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'is longer than 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"');
export const name = z.string().trim().min(1, 'is required').max(200, 'is longer than 200 characters');
/** A 等保 protection level, 1 to 4: the clouds, the systems and the extranet each carry one. */
export const securityLevel = z.number().int('must be a whole number').min(1, 'must be 1 to 4').max(4, 'must be 1 to 4');
export const regionCode = z.string().regex(/^\d{6}(\d{3})?$/, 'must be a 6- or 9-digit division code');

export const timestamp = z.string().openapi({ format: 'date-time' });
/** What every stored record adds to its input row. */
export const stamps = { id: z.number().int(), created_at: timestamp, updated_at: timestamp };

// The list endpoints' filters, shared so every kind describes them alike.
export const q = z.string().max(200).optional().openapi({ description: 'Name or code contains this text (case-insensitive)' });
export const department = z.string().optional().openapi({ description: 'Department code; its sub-departments are included' });
export const region = z.string().optional().openapi({ description: 'Region code; the whole subtree is included', example: '450100' });
export const cloud = z.string().optional().openapi({ description: 'Cloud code' });
export const classification = z.enum(classifications).optional();
