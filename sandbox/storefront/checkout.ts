import type pg from 'pg';
import { run } from '../../connectors/shopify/functions/cart-checkout-validation/src/run';
import { gid } from './db';

/**
 * Checkout in the sandbox store runs the same cart and checkout validation Function a Plus store runs
 * (connectors/shopify/functions/cart-checkout-validation), on the input its `run.graphql` asks for.
 * Returns the messages that block checkout (none when it may go ahead).
 */
export async function validateCheckout(
  c: Pick<pg.PoolClient, 'query'>,
  input: { companyId: string | null; companyLocationId: string | null; total: string; currency: string },
): Promise<string[]> {
  let purchasingCompany = null;
  if (input.companyLocationId) {
    const r = await c.query<{ name: string; value: string | null }>(
      `SELECT co.name, m.value FROM company_locations l JOIN companies co ON co.id = l.company_id
         LEFT JOIN metafields m ON m.owner_id = l.id AND m.namespace = 'quayside' AND m.key = 'credit_headroom'
        WHERE l.id = $1`,
      [input.companyLocationId],
    );
    const row = r.rows[0];
    if (row)
      purchasingCompany = {
        company: { name: row.name },
        location: {
          id: gid('CompanyLocation', input.companyLocationId),
          creditHeadroom: row.value === null ? null : { value: row.value },
        },
      };
  }
  const result = run({
    cart: {
      cost: { totalAmount: { amount: input.total, currencyCode: input.currency } },
      buyerIdentity: purchasingCompany ? { purchasingCompany } : null,
    },
  });
  return result.errors.map((e) => e.localizedMessage);
}
