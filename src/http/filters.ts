import { z } from '@hono/zod-openapi';

/** The query filters several API areas share, worded once. */

/** Narrows a list or a count to a region (with its descendants) or a department. */
export const scopeFilter = z.string().max(64).optional().openapi({ description: 'Region code (with its descendants) or dept:<code>' });
