import { z } from 'zod';
import { CatalogRules } from './catalog';
import { DurationText, MoneyText } from './formats';
import { InventoryRules } from './inventory';

/**
 * The order process's business rules. Integrators edit them as data (versioned and audited in
 * Postgres); each order workflow snapshots the version it started with, so a change never alters
 * an order already in flight.
 */
export const BusinessRules = z.object({
  credit: z
    .object({
      /** Hold an order when open balance + this order exceeds the ERP credit limit. */
      checkEnabled: z.boolean().default(true),
      /** Accept this much over the limit before holding (a courtesy margin). */
      overLimitAllowance: MoneyText.default('0'),
    })
    .prefault({}),
  firstOrder: z
    .object({
      /** A new customer's first order above this total waits for an approver. */
      approvalAmount: MoneyText.default('5000.00'),
    })
    .prefault({}),
  approval: z
    .object({
      /** Remind the approvers after this long without a decision. */
      remindAfter: DurationText.default('4h'),
      /** Escalate to the next level after this long (counted from the request). */
      escalateAfter: DurationText.default('24h'),
    })
    .prefault({}),
  backorder: z
    .object({
      /** Tell the buyer when a line is backordered and again when it is released. */
      notifyBuyer: z.boolean().default(true),
      /** How often a backorder re-reads the ERP line for replenishment. */
      recheckEvery: DurationText.default('1h'),
      /** Raise an alert for an operator when a backorder has waited this long. */
      escalateAfter: DurationText.default('7d'),
    })
    .prefault({}),
  price: z
    .object({
      /** Storefront unit prices may differ from the ERP's by this percentage before the order is parked. */
      tolerancePercent: z.number().min(0).max(100).default(1),
    })
    .prefault({}),
  warehouses: z
    .object({
      /** ERP locations in the order to ship from when stock allows more than one. */
      priority: z.array(z.string().min(1)).min(1).default(['1', '2', '3']),
    })
    .prefault({}),
  fulfillment: z
    .object({
      /** How often an open order re-reads its ERP sales order (new backorders, lines closed in the ERP). */
      refreshEvery: DurationText.default('15m'),
      /** Ask the storefront to e-mail the buyer about each shipment. */
      notifyCustomer: z.boolean().default(true),
    })
    .prefault({}),
  /** Safety stock and the stock threshold below which a product is hidden (domain/inventory.ts). */
  inventory: InventoryRules,
  /** What the catalog sync does with discontinued items (domain/catalog.ts). */
  catalog: CatalogRules,
});
export type BusinessRules = z.infer<typeof BusinessRules>;
export type BusinessRulesInput = z.input<typeof BusinessRules>;

export const DEFAULT_RULES: BusinessRules = BusinessRules.parse({});
