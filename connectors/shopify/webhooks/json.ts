import { isSafeNumber, parse } from 'lossless-json';

/**
 * Parses Shopify's JSON without losing digits: integers beyond 2^53 (Shopify ids) become bigint,
 * other numbers stay numbers. `idString` then turns any id form into its exact decimal string.
 */
export function parseShopifyJson(text: string): unknown {
  return parse(text, null, (value: string) => {
    if (/^-?\d+$/.test(value)) return isSafeNumber(value) ? Number(value) : BigInt(value);
    return parseFloat(value);
  });
}
