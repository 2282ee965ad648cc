import { z } from 'zod';

/**
 * Which browser origins may call the API from another origin: none (same-origin only), a list,
 * or any (`*`, only when configured so explicitly).
 */
export type CorsOrigins = '*' | readonly string[];

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$|^https?:\/\/\[[0-9a-f:.]+\](?::\d{1,5})?$/;

/**
 * `CORS_ALLOWED_ORIGINS`: empty or absent for none, `*` for any, else comma-separated origins
 * (`scheme://host[:port]`, no path). The one parser of the setting, for the host and the Lambdas.
 */
export const CorsOriginsSchema = z
  .string()
  .optional()
  .transform((text, context): CorsOrigins => {
    const items = (text ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 1 && items[0] === '*') return '*';
    const origins: string[] = [];
    for (const item of items) {
      // Origins compare exactly (RFC 6454 serialisation): lower case, no trailing slash.
      const origin = item.toLowerCase();
      if (item === '*' || !ORIGIN.test(origin)) {
        context.addIssue({
          code: 'custom',
          message: `"${item}" is not an origin (scheme://host[:port]); use * alone to allow any`,
        });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return [...new Set(origins)];
  });
