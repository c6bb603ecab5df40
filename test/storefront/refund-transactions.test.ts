import { describe, expect, it } from 'vitest';
import { refundTransactions } from '../../connectors/shopify/storefront';

const order = 'gid://shopify/Order/1';
const sale = (id: string, max: string, gateway = 'shopify_payments', kind = 'SALE', status = 'SUCCESS') => ({
  id: `gid://shopify/OrderTransaction/${id}`,
  kind,
  status,
  gateway,
  maximumRefundableV2: { amount: max },
});

describe('the refund transactions the connector sends', () => {
  it('spreads the amount over the sales and captures, oldest first, each up to what it can give back', () => {
    const txns = [
      sale('1', '30.00', 'gift_card'),
      sale('2', '0.00', 'authorize_net', 'AUTHORIZATION'),
      sale('3', '50.00', 'authorize_net', 'CAPTURE'),
    ];
    expect(refundTransactions(order, { amount: '45.50', currency: 'USD' }, txns)).toEqual([
      { orderId: order, parentId: txns[0]!.id, amount: '30.00', gateway: 'gift_card', kind: 'REFUND' },
      { orderId: order, parentId: txns[2]!.id, amount: '15.50', gateway: 'authorize_net', kind: 'REFUND' },
    ]);
  });

  it('leaves what the payments cannot cover on the last one, for Shopify to refuse', () => {
    const txns = [sale('1', '10.00'), sale('2', '5.00')];
    expect(
      refundTransactions(order, { amount: '20.00', currency: 'USD' }, txns).map((t) => t.amount),
    ).toEqual(['10.00', '10.00']);
  });

  it('sends no money for a zero amount, or for an order without a successful payment', () => {
    expect(refundTransactions(order, { amount: '0.00', currency: 'USD' }, [sale('1', '10.00')])).toEqual([]);
    expect(
      refundTransactions(order, { amount: '10.00', currency: 'USD' }, [
        sale('1', '10.00', 'bogus', 'SALE', 'FAILURE'),
      ]),
    ).toEqual([]);
  });

  it('keeps a 0-decimal currency exact', () => {
    expect(
      refundTransactions(order, { amount: '1500', currency: 'JPY' }, [sale('1', '1000'), sale('2', '800')]),
    ).toEqual([expect.objectContaining({ amount: '1000' }), expect.objectContaining({ amount: '500' })]);
  });
});
