/**
 * Quayside's one money type. Amounts are exact: integer minor units (a bigint) of one ISO 4217
 * currency, never floating point. They travel between systems as decimal strings ("89.99",
 * "1500", "12.345"), which `Money.of` reads exactly and `toString` writes with the currency's own
 * number of decimals.
 */

/**
 * A decimal amount as it travels in payloads and configuration ("89.99"); its validating schema is
 * MoneyText in domain/schemas/formats.ts.
 */
export type MoneyText = string;
/** What a MoneyText looks like. */
export const MONEY_TEXT = /^-?\d+(\.\d{1,4})?$/;

/** ISO 4217 currencies whose minor unit is not the cent. Every other code has 2 decimals. */
const DECIMALS: Record<string, number> = {
  // no minor unit
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // thousandths
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  // ten-thousandths
  CLF: 4,
  UYW: 4,
};

export function currencyDecimals(currency: string): number {
  return DECIMALS[currency.toUpperCase()] ?? 2;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** How an amount with more decimals than its currency has is brought to the currency's precision. */
export type Rounding = 'exact' | 'halfUp';

/** Half-up (away from zero) division of integers, the commercial rounding both vendors use. */
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n + d / 2n) / d;
  return negative ? -q : q;
}

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

export class Money {
  private constructor(
    /** Integer minor units (cents for USD, yen for JPY, fils for KWD). */
    readonly minor: bigint,
    readonly currency: string,
  ) {}

  /** Exact minor units of `currency`. */
  static ofMinor(minor: bigint | number, currency: string): Money {
    if (typeof minor === 'number' && !Number.isSafeInteger(minor))
      throw new MoneyError(`not a whole number of minor units: ${minor}`);
    return new Money(BigInt(minor), currency.toUpperCase());
  }

  static zero(currency: string): Money {
    return Money.ofMinor(0n, currency);
  }

  /**
   * Reads a decimal string. With `exact` (the default) an amount finer than the currency's minor
   * unit is refused; `halfUp` rounds it, for rates and computed figures from outside.
   */
  static of(amount: string | number, currency: string, rounding: Rounding = 'exact'): Money {
    const text = typeof amount === 'number' ? Money.numberText(amount) : amount.trim();
    const m = DECIMAL.exec(text);
    if (!m) throw new MoneyError(`not a decimal amount: ${JSON.stringify(amount)}`);
    const [, sign, whole = '0', frac = ''] = m;
    const decimals = currencyDecimals(currency);
    const significant = frac.replace(/0+$/, '');
    let minor: bigint;
    if (significant.length <= decimals) {
      minor = BigInt(whole + frac.padEnd(decimals, '0').slice(0, decimals));
    } else if (rounding === 'halfUp') {
      minor = divideHalfUp(BigInt(whole + frac), 10n ** BigInt(frac.length - decimals));
    } else {
      throw new MoneyError(`${text} has more decimals than ${currency.toUpperCase()} allows (${decimals})`);
    }
    return new Money(sign ? -minor : minor, currency.toUpperCase());
  }

  /** Integers only (a quantity, a count); a fractional number is refused rather than guessed. */
  private static numberText(n: number): string {
    if (!Number.isSafeInteger(n))
      throw new MoneyError(`amounts are decimal strings, not floating-point numbers: ${n}`);
    return String(n);
  }

  /**
   * The exact amount of `quantity` units at `unitPrice` (a decimal string that may be finer than the
   * currency, as B2B unit prices often are: "0.1234"), rounded half up once, after multiplying.
   */
  static line(unitPrice: string, quantity: number | bigint, currency: string): Money {
    if (typeof quantity === 'number' && !Number.isSafeInteger(quantity))
      throw new MoneyError(`not a whole quantity: ${quantity}`);
    const m = DECIMAL.exec(unitPrice.trim());
    if (!m) throw new MoneyError(`not a decimal amount: ${JSON.stringify(unitPrice)}`);
    const [, sign, whole = '0', frac = ''] = m;
    const decimals = currencyDecimals(currency);
    const scaled = BigInt(whole + frac) * BigInt(quantity) * (sign ? -1n : 1n);
    const minor =
      frac.length <= decimals
        ? scaled * 10n ** BigInt(decimals - frac.length)
        : divideHalfUp(scaled, 10n ** BigInt(frac.length - decimals));
    return new Money(minor, currency.toUpperCase());
  }

  /**
   * An amount a vendor sent as a JSON number (NetSuite's REST records do): read from the number's
   * shortest decimal spelling, which is what the vendor wrote, and rounded half up to the currency.
   */
  static ofWire(value: number | string | null | undefined, currency: string): Money {
    if (value === null || value === undefined || value === '') return Money.zero(currency);
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof value === 'number' && !Number.isFinite(value)) throw new MoneyError(`not an amount: ${text}`);
    return Money.of(text, currency, 'halfUp');
  }

  static sum(amounts: readonly Money[], currency: string): Money {
    return amounts.reduce((total, a) => total.plus(a), Money.zero(currency));
  }

  private same(other: Money): void {
    if (other.currency !== this.currency)
      throw new MoneyError(`cannot combine ${this.currency} with ${other.currency}`);
  }

  plus(other: Money): Money {
    this.same(other);
    return new Money(this.minor + other.minor, this.currency);
  }

  minus(other: Money): Money {
    this.same(other);
    return new Money(this.minor - other.minor, this.currency);
  }

  /** Times a whole quantity: the exact line amount, never a rounded unit price multiplied. */
  times(quantity: number | bigint): Money {
    if (typeof quantity === 'number' && !Number.isSafeInteger(quantity))
      throw new MoneyError(`not a whole quantity: ${quantity}`);
    return new Money(this.minor * BigInt(quantity), this.currency);
  }

  /** A percentage of this amount, given as a decimal string ("12.5"), rounded half up to the minor unit. */
  percent(percent: string): Money {
    const m = DECIMAL.exec(percent.trim());
    if (!m) throw new MoneyError(`not a percentage: ${JSON.stringify(percent)}`);
    const [, sign, whole = '0', frac = ''] = m;
    const scaled = BigInt(whole + frac) * (sign ? -1n : 1n);
    return new Money(divideHalfUp(this.minor * scaled, 100n * 10n ** BigInt(frac.length)), this.currency);
  }

  /** `ratio` = numerator / denominator of this amount, rounded half up (pro-rating a refund or discount). */
  share(numerator: bigint | number, denominator: bigint | number): Money {
    return new Money(divideHalfUp(this.minor * BigInt(numerator), BigInt(denominator)), this.currency);
  }

  /** This amount split over `parts`, each part rounded up to the minor unit (so the parts never fall short). */
  perPartRoundedUp(parts: number | bigint): Money {
    const d = BigInt(parts);
    if (d <= 0n) throw new MoneyError(`cannot split over ${parts} parts`);
    const q = this.minor / d;
    return new Money(this.minor % d > 0n ? q + 1n : q, this.currency);
  }

  /**
   * This amount split over parts in proportion to `weights` (whole, not negative, not all zero),
   * exactly: the parts add up to this amount to the minor unit. Each part is its share rounded down,
   * and the minor units left over go one each to the parts with the largest remainders (the first
   * such part on a tie).
   */
  allocate(weights: readonly (bigint | number)[]): Money[] {
    const w = weights.map((x) => {
      if (typeof x === 'number' && !Number.isSafeInteger(x)) throw new MoneyError(`not a whole weight: ${x}`);
      const b = BigInt(x);
      if (b < 0n) throw new MoneyError(`a weight cannot be negative: ${x}`);
      return b;
    });
    const total = w.reduce((a, b) => a + b, 0n);
    if (total === 0n) throw new MoneyError('cannot allocate over weights that are all zero');
    const negative = this.minor < 0n;
    const amount = negative ? -this.minor : this.minor;
    const parts = w.map((x) => (amount * x) / total);
    let left = amount - parts.reduce((a, b) => a + b, 0n);
    const byRemainder = w
      .map((x, i) => ({ i, rest: (amount * x) % total }))
      .sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
    for (const { i } of byRemainder) {
      if (left === 0n) break;
      parts[i] = (parts[i] as bigint) + 1n;
      left -= 1n;
    }
    return parts.map((p) => new Money(negative ? -p : p, this.currency));
  }

  negate(): Money {
    return new Money(-this.minor, this.currency);
  }

  abs(): Money {
    return this.minor < 0n ? this.negate() : this;
  }

  compare(other: Money): -1 | 0 | 1 {
    this.same(other);
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  greaterThan(other: Money): boolean {
    return this.compare(other) > 0;
  }

  lessThan(other: Money): boolean {
    return this.compare(other) < 0;
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isPositive(): boolean {
    return this.minor > 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  max(other: Money): Money {
    return this.compare(other) >= 0 ? this : other;
  }

  min(other: Money): Money {
    return this.compare(other) <= 0 ? this : other;
  }

  /** The decimal string with the currency's own number of decimals: "1213.89", "1500", "12.345". */
  toString(): string {
    const decimals = currencyDecimals(this.currency);
    const negative = this.minor < 0n;
    const digits = (negative ? -this.minor : this.minor).toString().padStart(decimals + 1, '0');
    const whole = digits.slice(0, digits.length - decimals);
    const frac = digits.slice(digits.length - decimals);
    return `${negative ? '-' : ''}${whole}${decimals ? `.${frac}` : ''}`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** For people: "1,213.89 USD". */
  format(): string {
    const [whole = '', frac] = this.toString().replace('-', '').split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return `${this.isNegative() ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''} ${this.currency}`;
  }
}

/**
 * A configured percentage (a JSON number such as 15 or 12.5) as the decimal text `percent` reads.
 * Configuration numbers are short decimals; anything else (NaN, exponents) is refused.
 */
export function percentText(percent: number): string {
  const text = String(percent);
  if (!DECIMAL.test(text)) throw new MoneyError(`not a percentage: ${text}`);
  return text;
}

/**
 * A unit price as decimal text with at least the currency's decimals ("10" → "10.00" in USD) and
 * every finer digit kept ("0.1234" stays): unit prices are not rounded, line amounts are.
 */
export function unitPriceText(price: string, currency: string): string {
  const m = DECIMAL.exec(price.trim());
  if (!m) throw new MoneyError(`not a decimal amount: ${JSON.stringify(price)}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length <= currencyDecimals(currency)) return Money.of(price, currency).toString();
  return `${m[1] ?? ''}${BigInt(m[2] ?? '0').toString()}.${frac}`;
}

/** Shorthand for string-in, string-out arithmetic on payload amounts of one currency. */
export const money = {
  sum: (amounts: readonly string[], currency: string) =>
    Money.sum(
      amounts.map((a) => Money.of(a, currency, 'halfUp')),
      currency,
    ).toString(),
  compare: (a: string, b: string, currency: string) =>
    Money.of(a, currency, 'halfUp').compare(Money.of(b, currency, 'halfUp')),
};
