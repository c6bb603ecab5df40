import type pg from 'pg';
import { Money } from '../../domain/money';
import { gid, idOf } from './db';

/**
 * What refundCreate checks in the money it is asked to return, as Shopify does: every transaction is a
 * REFUND of this order naming its parent (a successful SALE or CAPTURE of the order, on the same
 * gateway), and no parent gives back more than it took in less what was refunded from it already. No
 * transactions means no money moves (line items only, e.g. a restock).
 */

type Q = Pick<pg.PoolClient, 'query'>;
interface UserError {
  field: string[] | null;
  message: string;
  code?: string;
}
export interface RefundTransactionInput {
  orderId?: string;
  parentId?: string | null;
  amount?: string;
  gateway?: string;
  kind?: string;
}
export interface CheckedRefund {
  errors: UserError[];
  amount: Money;
  transactions: { parentId: string; amount: Money; gateway: string }[];
}

interface Txn {
  id: string;
  kind: string;
  parent_id: string | null;
  amount: string;
  gateway: string;
}

/** What is still refundable of each successful SALE/CAPTURE of an order. */
export async function refundableByParent(
  c: Q,
  orderId: string,
  currency: string,
): Promise<Map<string, { left: Money; gateway: string; kind: string }>> {
  const txns = (
    await c.query<Txn>(
      `SELECT id::text, kind, parent_id::text, amount::text, gateway FROM order_transactions
        WHERE order_id = $1 AND status = 'SUCCESS' ORDER BY id`,
      [orderId],
    )
  ).rows;
  const out = new Map<string, { left: Money; gateway: string; kind: string }>();
  for (const t of txns.filter((x) => x.kind === 'SALE' || x.kind === 'CAPTURE')) {
    const refunded = Money.sum(
      txns
        .filter((r) => r.kind === 'REFUND' && r.parent_id === t.id)
        .map((r) => Money.of(r.amount, currency)),
      currency,
    );
    out.set(t.id, { left: Money.of(t.amount, currency).minus(refunded), gateway: t.gateway, kind: t.kind });
  }
  return out;
}

export async function checkRefundTransactions(
  c: Q,
  order: { id: string; currency: string },
  input: RefundTransactionInput[],
): Promise<CheckedRefund> {
  const { currency } = order;
  const errors: UserError[] = [];
  const parents = await refundableByParent(c, order.id, currency);
  const out: CheckedRefund['transactions'] = [];
  for (const [i, t] of input.entries()) {
    const at = (f: string) => ['transactions', String(i), f];
    if (idOf(t.orderId, 'Order') !== order.id) {
      errors.push({
        field: at('orderId'),
        message: 'Transaction order does not match the refunded order.',
        code: 'INVALID',
      });
      continue;
    }
    if (t.kind !== 'REFUND') {
      errors.push({
        field: at('kind'),
        message: 'Kind must be REFUND for a refund transaction.',
        code: 'INVALID',
      });
      continue;
    }
    let amount: Money;
    try {
      amount = Money.of(String(t.amount), currency);
    } catch {
      errors.push({
        field: at('amount'),
        message: `Amount is not a valid ${currency} amount.`,
        code: 'INVALID',
      });
      continue;
    }
    if (!amount.isPositive()) {
      errors.push({ field: at('amount'), message: 'Amount must be greater than 0.', code: 'GREATER_THAN' });
      continue;
    }
    if (!t.parentId) {
      errors.push({
        field: at('parentId'),
        message: 'A refund transaction needs the parent transaction (the sale or capture) it refunds.',
        code: 'BLANK',
      });
      continue;
    }
    const parentId = idOf(t.parentId, 'OrderTransaction');
    const parent = parentId ? parents.get(parentId) : undefined;
    if (!parentId || !parent) {
      errors.push({
        field: at('parentId'),
        message: 'Parent transaction does not exist, or is not a successful sale or capture of this order.',
        code: 'INVALID',
      });
      continue;
    }
    if (t.gateway !== parent.gateway) {
      errors.push({
        field: at('gateway'),
        message: `Gateway must be ${parent.gateway}, the parent transaction's.`,
        code: 'INVALID',
      });
      continue;
    }
    if (amount.greaterThan(parent.left)) {
      errors.push({
        field: at('amount'),
        message: `Refund amount ${amount.toString()} ${currency} is greater than the ${parent.left.toString()} ${currency} refundable on transaction ${gid('OrderTransaction', parentId)}.`,
        code: 'GREATER_THAN',
      });
      continue;
    }
    parent.left = parent.left.minus(amount);
    out.push({ parentId, amount, gateway: parent.gateway });
  }
  return {
    errors,
    amount: Money.sum(
      out.map((t) => t.amount),
      currency,
    ),
    transactions: out,
  };
}
