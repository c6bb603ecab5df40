import { describe, expect, it } from 'vitest';
import {
  compareDecimal,
  run,
  type RunInput,
} from '../../connectors/shopify/functions/cart-checkout-validation/src/run';

const cart = (total: string, headroom: string | null, currency = 'USD'): RunInput => ({
  cart: {
    cost: { totalAmount: { amount: total, currencyCode: currency } },
    buyerIdentity: {
      purchasingCompany: {
        company: { name: 'Acme Machining 1' },
        location: {
          id: 'gid://shopify/CompanyLocation/1',
          creditHeadroom: headroom === null ? null : { value: headroom },
        },
      },
    },
  },
});
const money = (amount: string, currency = 'USD') => JSON.stringify({ amount, currency_code: currency });

describe('cart and checkout validation Function: credit headroom', () => {
  it('blocks a cart over the headroom with a message naming both figures', () => {
    const result = run(cart('12500.01', money('12500.00')));
    expect(result.errors).toEqual([
      {
        localizedMessage:
          "This order totals 12,500.01 USD, more than your company's available credit of 12,500.00 USD. Remove items or contact your account manager.",
        target: '$.cart',
      },
    ]);
  });

  it('lets a cart at or under the headroom through, to the cent', () => {
    expect(run(cart('12500.00', money('12500.00'))).errors).toEqual([]);
    expect(run(cart('0.10', money('0.1'))).errors).toEqual([]);
  });

  it('checks nothing for a buyer without a company or a location without a limit', () => {
    expect(
      run({ cart: { cost: { totalAmount: { amount: '99999.00', currencyCode: 'USD' } } } }).errors,
    ).toEqual([]);
    expect(run(cart('99999.00', null)).errors).toEqual([]);
  });

  it('blocks when there is no credit left, and when the headroom cannot be read or is in another currency', () => {
    expect(run(cart('0.01', money('0.00'))).errors[0]?.localizedMessage).toContain('0.00 USD');
    expect(run(cart('10.00', 'not json')).errors).toHaveLength(1);
    expect(run(cart('10.00', money('500', 'EUR'))).errors[0]?.localizedMessage).toContain('EUR');
  });

  it('compares decimal amounts exactly, without floating point', () => {
    expect(compareDecimal('0.3', '0.30')).toBe(0);
    expect(compareDecimal('9007199254740993.01', '9007199254740993.00')).toBe(1);
    expect(compareDecimal('-1.5', '1')).toBe(-1);
  });
});
