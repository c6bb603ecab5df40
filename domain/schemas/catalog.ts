import { z } from 'zod';

/** The catalog sync's rules, edited as data with the other business rules. */
export const CatalogRules = z
  .object({
    /** The store status of a discontinued or inactive item's product: hidden from buyers, kept with its history. */
    discontinuedStatus: z.enum(['ARCHIVED', 'DRAFT']).default('ARCHIVED'),
  })
  .prefault({});
export type CatalogRules = z.infer<typeof CatalogRules>;
