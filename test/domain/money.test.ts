import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Money, MoneyError, currencyDecimals } from '../../domain/money';

describe('Money', () => {
  it('reads and writes decimal strings exactly in currencies of 0, 2 and 3 decimals', () => {
    expect(Money.of('1213.89', 'USD').toString()).toBe('1213.89');
    expect(Money.of('0.1', 'USD').plus(Money.of('0.2', 'USD')).toString()).toBe('0.30');
    expect(Money.of('1500', 'JPY').toString()).toBe('1500');
    expect(Money.of('12.345', 'KWD').toString()).toBe('12.345');
    expect(Money.of('-3.5', 'EUR').toString()).toBe('-3.50');
    expect(currencyDecimals('jpy')).toBe(0);
  });

  it('refuses amounts finer than the currency unless asked to round, and rounds half up', () => {
    expect(() => Money.of('10.005', 'USD')).toThrow(MoneyError);
    expect(() => Money.of('1.5', 'JPY')).toThrow(MoneyError);
    expect(Money.of('10.005', 'USD', 'halfUp').toString()).toBe('10.01');
    expect(Money.of('-10.005', 'USD', 'halfUp').toString()).toBe('-10.01');
    expect(Money.of('1.4999', 'JPY', 'halfUp').toString()).toBe('1');
    expect(() => Money.of('abc', 'USD')).toThrow(MoneyError);
    expect(() => Money.of(0.1, 'USD')).toThrow(MoneyError);
  });

  it('multiplies the exact unit price by the quantity, never a rounded one', () => {
    expect(Money.of('0.335', 'KWD').times(3).toString()).toBe('1.005');
    expect(Money.of('19.99', 'USD').times(7).toString()).toBe('139.93');
  });

  it('takes percentages and shares half up', () => {
    expect(Money.of('100.00', 'USD').percent('12.5').toString()).toBe('12.50');
    expect(Money.of('0.05', 'USD').percent('50').toString()).toBe('0.03');
    expect(Money.of('10.00', 'USD').share(1, 3).toString()).toBe('3.33');
  });

  it('never mixes currencies', () => {
    expect(() => Money.of('1', 'USD').plus(Money.of('1', 'EUR'))).toThrow(/USD with EUR/);
    expect(() => Money.of('1', 'USD').compare(Money.of('1', 'CAD'))).toThrow(MoneyError);
  });

  it('formats for people', () => {
    expect(Money.of('1234567.8', 'USD').format()).toBe('1,234,567.80 USD');
  });

  it('round-trips and adds exactly for any amount', () => {
    const currency = fc.constantFrom('USD', 'JPY', 'KWD');
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        currency,
        (a, b, c) => {
          const x = Money.ofMinor(a, c);
          const y = Money.ofMinor(b, c);
          expect(Money.of(x.toString(), c).equals(x)).toBe(true);
          expect(x.plus(y).minus(y).equals(x)).toBe(true);
          expect(x.plus(y).minor).toBe(a + b);
        },
      ),
    );
  });

  it('prices a line from an exact unit price, reads vendor numbers and splits rounding up', () => {
    expect(Money.line('0.125', 3, 'USD').toString()).toBe('0.38');
    expect(Money.line('-0.125', 3, 'USD').toString()).toBe('-0.38');
    expect(Money.line('19.99', 7, 'USD').toString()).toBe('139.93');
    expect(Money.line('1500', 2, 'JPY').toString()).toBe('3000');
    expect(() => Money.line('1.5', 0.5, 'USD')).toThrow(MoneyError);
    expect(Money.ofWire(1213.89, 'USD').toString()).toBe('1213.89');
    expect(Money.ofWire(null, 'USD').toString()).toBe('0.00');
    expect(Money.ofWire(0.1 + 0.2, 'USD').toString()).toBe('0.30');
    expect(Money.of('10.00', 'USD').perPartRoundedUp(3).toString()).toBe('3.34');
    expect(Money.of('9.00', 'USD').perPartRoundedUp(3).toString()).toBe('3.00');
  });
});
