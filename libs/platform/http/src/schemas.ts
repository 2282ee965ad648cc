import { PAGE_LIMIT } from '@taskflow/platform-kernel';
import { z } from 'zod';

/**
 * A string with the bounds its domain enforces. The domain trims first and counts characters,
 * not UTF-16 units, so the schema only states the bounds (for the OpenAPI description) and
 * checks the type.
 */
export const boundedText = (bounds: { min: number; max: number }, description: string) =>
  z.string().meta({ minLength: bounds.min, maxLength: bounds.max, description });

/** An instant as the API answers it (ISO 8601 with an offset). */
export const dateTime = z.iso.datetime({ offset: true });

export const IdParams = z.strictObject({ id: z.uuid() });

/** The page size of every list. */
export const pageLimit = z.coerce
  .number()
  .int()
  .min(PAGE_LIMIT.min)
  .max(PAGE_LIMIT.max)
  .default(PAGE_LIMIT.default)
  .meta({ description: `Page size, ${PAGE_LIMIT.min}–${PAGE_LIMIT.max}.` });

/** Where a list resumes: the cursor of the page before. */
export const pageCursor = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .meta({ description: 'The `nextCursor` of the previous page.' });

export const PageQuery = z.strictObject({ limit: pageLimit, cursor: pageCursor });

// Response shapes (documentation only: the server builds them, it does not parse them).

/** One page of a list: its items, and the cursor of the next page (null on the last). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const HealthResponse = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['up', 'down']),
  version: z.string(),
  region: z.string(),
});
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  instance: z.string().optional(),
});
