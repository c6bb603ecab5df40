/**
 * Warehouse allocation: which ERP location ships how much of each order line. Pure; the workflow
 * runs it on stock read by an activity (on hand minus other orders' open reservations).
 */

export interface AllocationRequestLine {
  lineId: string;
  /** ERP item (already mapped). */
  sku: string;
  quantity: number;
}

/** Free stock by location and ERP SKU. A SKU absent from every location has unknown stock. */
export type StockByLocation = Record<string, Record<string, number>>;

export interface AllocatedLine {
  /** The ERP line key: the storefront line id, with `#2`, `#3` … for further portions of a split line. */
  lineKey: string;
  lineId: string;
  sku: string;
  location: string;
  quantity: number;
  /** Quantity on this portion that no location has in stock now (the ERP will backorder it). */
  shortQuantity: number;
}

export interface Allocation {
  lines: AllocatedLine[];
  /** True when the order ships from more than one location. */
  split: boolean;
  /** Lines (or parts) without stock anywhere. */
  short: { lineId: string; sku: string; quantity: number }[];
}

export const lineKeyFor = (lineId: string, portion: number) =>
  portion <= 1 ? lineId : `${lineId}#${portion}`;
export const lineIdOfKey = (lineKey: string) => {
  const i = lineKey.indexOf('#');
  return i < 0 ? lineKey : lineKey.slice(0, i);
};

/**
 * 1. One location that can ship the whole order, taken in priority order, wins (no split).
 * 2. Otherwise each line ships whole from the first location (by priority) that has it all.
 * 3. Otherwise the line is split across locations by most stock first (priority breaks ties);
 *    what no location has stays on the first-priority location, where the ERP backorders it.
 */
export function allocate(
  lines: AllocationRequestLine[],
  stock: StockByLocation,
  priority: string[],
): Allocation {
  const locations = [
    ...priority,
    ...Object.keys(stock)
      .filter((l) => !priority.includes(l))
      .sort(),
  ];
  const free = new Map<string, Map<string, number>>(
    locations.map((loc) => [loc, new Map(Object.entries(stock[loc] ?? {}))]),
  );
  const known = (sku: string) => locations.some((loc) => free.get(loc)?.has(sku) === true);
  const have = (loc: string, sku: string) => free.get(loc)?.get(sku) ?? 0;
  const take = (loc: string, sku: string, qty: number) => free.get(loc)?.set(sku, have(loc, sku) - qty);
  const primary = locations[0] ?? 'MAIN';

  // Unknown stock (no cache rows for the SKU) is left to the ERP at the first-priority location.
  const single = locations.find((loc) => lines.every((l) => !known(l.sku) || have(loc, l.sku) >= l.quantity));
  if (single !== undefined && lines.some((l) => known(l.sku))) {
    return {
      lines: lines.map((l) => ({
        lineKey: l.lineId,
        lineId: l.lineId,
        sku: l.sku,
        location: single,
        quantity: l.quantity,
        shortQuantity: 0,
      })),
      split: false,
      short: [],
    };
  }

  const out: AllocatedLine[] = [];
  const short: Allocation['short'] = [];
  for (const l of lines) {
    if (!known(l.sku)) {
      out.push({
        lineKey: l.lineId,
        lineId: l.lineId,
        sku: l.sku,
        location: primary,
        quantity: l.quantity,
        shortQuantity: 0,
      });
      continue;
    }
    const whole = locations.find((loc) => have(loc, l.sku) >= l.quantity);
    if (whole !== undefined) {
      take(whole, l.sku, l.quantity);
      out.push({
        lineKey: l.lineId,
        lineId: l.lineId,
        sku: l.sku,
        location: whole,
        quantity: l.quantity,
        shortQuantity: 0,
      });
      continue;
    }
    const byStock = locations
      .map((loc, rank) => ({ loc, rank, qty: have(loc, l.sku) }))
      .filter((s) => s.qty > 0)
      .sort((a, b) => b.qty - a.qty || a.rank - b.rank);
    let remaining = l.quantity;
    let portion = 0;
    for (const s of byStock) {
      if (remaining === 0) break;
      const qty = Math.min(s.qty, remaining);
      take(s.loc, l.sku, qty);
      remaining -= qty;
      portion += 1;
      out.push({
        lineKey: lineKeyFor(l.lineId, portion),
        lineId: l.lineId,
        sku: l.sku,
        location: s.loc,
        quantity: qty,
        shortQuantity: 0,
      });
    }
    if (remaining > 0) {
      short.push({ lineId: l.lineId, sku: l.sku, quantity: remaining });
      const onPrimary = out.find((a) => a.lineId === l.lineId && a.location === primary);
      if (onPrimary) {
        onPrimary.quantity += remaining;
        onPrimary.shortQuantity += remaining;
      } else {
        portion += 1;
        out.push({
          lineKey: lineKeyFor(l.lineId, portion),
          lineId: l.lineId,
          sku: l.sku,
          location: primary,
          quantity: remaining,
          shortQuantity: remaining,
        });
      }
    }
  }
  const split = new Set(out.map((a) => a.location)).size > 1;
  return { lines: out, split, short };
}

/** The stock an allocation reserves: each portion's quantity in stock at its location (not what is short). */
export const reservationsOf = (allocation: Allocation) =>
  allocation.lines.map((a) => ({
    lineKey: a.lineKey,
    sku: a.sku,
    location: a.location,
    quantity: a.quantity - a.shortQuantity,
  }));
