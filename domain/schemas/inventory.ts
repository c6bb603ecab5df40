import { z } from 'zod';

const Quantity = z.number().int().min(0);

/** A quantity per ERP item, else per item category, else a default. */
const PerItem = z
  .object({
    default: Quantity.default(0),
    /** By ERP SKU (item name/number); wins over the category. */
    items: z.record(z.string().min(1), Quantity).default({}),
    /** By ERP item category. */
    categories: z.record(z.string().min(1), Quantity).default({}),
  })
  .prefault({});
export type PerItemQuantity = z.infer<typeof PerItem>;

/** The inventory sync's rules, edited as data with the other business rules. */
export const InventoryRules = z
  .object({
    /** Units kept back from the store at each location, so the last ones are not oversold. */
    safetyStock: PerItem,
    /**
     * A product whose sellable stock across all locations falls below this is unpublished from the
     * store's sales channels, and published again once it reaches it. 0 never hides anything.
     */
    hideBelow: PerItem,
  })
  .prefault({});
export type InventoryRules = z.infer<typeof InventoryRules>;
