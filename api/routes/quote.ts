import { Router } from 'express';
import { z } from 'zod';
import { quoteCache } from '../../db/quote-cache';
import { creditHeadroom, lineTotal, resolvePrice } from '../../domain/pricing';
import { authenticate, maySeeStore, principalOf, type StoreRouteDeps } from '../auth';
import { servedStores } from '../stores';
import { ApiError, validate } from '../errors';

const QuoteQuery = z.object({
  sku: z.string().min(1).max(200),
  quantity: z.coerce.number().int().positive().max(1_000_000),
  customer: z.string().min(1).max(200).optional(),
  /** Which store's catalog and customers (its mappings); the API's primary store when absent. */
  store: z.string().min(1).max(100).optional(),
});

/**
 * Checkout quote: the customer's price (contract, price level with quantity breaks, or base), stock by
 * location and credit headroom — answered from Quayside's caches, never by calling the ERP live. The
 * caches, and the API keys that may ask, are held in this process's memory and brought up to date
 * with what was committed before each quote is answered (db/quote-cache.ts).
 */
export function quoteRouter(deps: StoreRouteDeps): Router {
  const { db, store: primary } = deps;
  const served = new Set(servedStores(deps));
  const router = Router();
  const cache = quoteCache(db, [...served]);
  // The key is verified from the same memory, after the same check: one check answers both.
  router.get(
    '/quote',
    authenticate(db, { keys: cache }),
    validate({ query: QuoteQuery }),
    async (req, res) => {
      const q = req.query as unknown as z.infer<typeof QuoteQuery>;
      // A store outside the caller's scope has no catalog for them: the same 404 as an unknown SKU.
      const store = q.store ?? primary;
      const visible = served.has(store) && maySeeStore(principalOf(req), store);
      // authenticate waited for a check that began after this request arrived.
      const facts = visible ? cache.factsAsChecked(store, q.sku, q.customer ?? null) : null;
      if (!facts || !facts.erpSku || !facts.item)
        throw new ApiError(404, 'QUOTE.UNKNOWN_SKU', `SKU ${q.sku} is not in the catalog.`);
      if (q.customer && !facts.customer) {
        throw new ApiError(
          404,
          'QUOTE.UNKNOWN_CUSTOMER',
          `Customer ${q.customer} has no ERP account on file yet.`,
        );
      }
      const price = resolvePrice({
        quantity: q.quantity,
        basePrice: facts.item.basePrice,
        customerErpId: facts.customer?.erpId ?? null,
        priceLevel: facts.customer?.priceLevel ?? null,
        prices: facts.prices,
      });
      const total = lineTotal(price.unitPrice, q.quantity);
      const available = facts.stock.reduce((sum, s) => sum + Math.max(0, s.available), 0);
      res.json({
        sku: q.sku,
        quantity: q.quantity,
        unitPrice: price.unitPrice,
        priceSource: price.source,
        quantityBreak: price.minQuantity,
        total,
        available,
        inStock: available >= q.quantity && !facts.item.inactive,
        stock: facts.stock,
        credit: facts.customer
          ? {
              limit: facts.customer.creditLimit,
              balance: facts.customer.balance,
              headroom: creditHeadroom(facts.customer.creditLimit, facts.customer.balance),
              headroomAfterOrder: creditHeadroom(facts.customer.creditLimit, facts.customer.balance, total),
              terms: facts.customer.terms,
              asOf: facts.customer.refreshedAt,
            }
          : null,
      });
    },
  );
  return router;
}
