import type { z } from 'zod';

/**
 * A zod failure in plain words, each issue named by its path under `where` (`body.lines.0.sku: …`):
 * the message a 400 answer or a parked webhook carries, and the fields one by one.
 */
export function describeZodError(
  err: z.ZodError,
  where: string,
): { message: string; fields: { path: string; message: string }[] } {
  const fields = err.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message }));
  return { message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields };
}
