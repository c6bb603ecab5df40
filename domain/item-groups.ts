import type {
  ErpFulfillment,
  ErpInvoice,
  ErpReturnAuthorization,
  ErpSalesOrder,
  ErpSalesOrderInput,
  ErpSalesOrderLine,
  ErpSalesOrderLineInput,
} from './erp';
import { Money } from './money';

/**
 * Kits and item groups on the ERP sales order. The ERP item's type is the configuration:
 * - a **kit item** (NetSuite `kitItem`, item type `Kit`) goes to the ERP as the one kit line the
 *   store sold, and the ERP ships its components itself;
 * - an **item group** (NetSuite `itemGroup`, item type `Group`) is a plain group of items with no
 *   stock or price of its own, so its line is exploded into one line per component: quantity ×
 *   quantity per kit, with the kit line's amount split over the components exactly (in proportion
 *   to their base prices), so the sales order's total stays the store's total to the cent.
 *
 * A component line's key says which kit line it belongs to (`<kit line key>@<group>@<i>/<n>@<per
 * kit>@<part>`), so whatever the ERP answers about those lines (the order, its fulfillments and
 * invoices) is folded back into the kit line the store knows, counted in kits.
 */

export interface ItemGroup {
  sku: string;
  /** The components with the quantity of each in one kit and their base price (null: unknown). */
  members: { sku: string; quantity: number; basePrice: string | null }[];
}

export interface ComponentKey {
  /** The store line's ERP line key the component belongs to. */
  kitKey: string;
  groupSku: string;
  /** Which component (1-based) of how many. */
  index: number;
  count: number;
  perKit: number;
  /**
   * 1, or 2 for the units of a component priced one minor unit higher to keep the amount exact
   * (after a quantity change, possibly at the first part's rate: see `regroupComponents`).
   */
  part: number;
}

const SEP = '@';

export function componentKey(k: ComponentKey): string {
  return [k.kitKey, k.groupSku, `${k.index}/${k.count}`, k.perKit, k.part].join(SEP);
}

/** The kit line a component line belongs to, or null for any other line. */
export function parseComponentKey(key: string): ComponentKey | null {
  const parts = key.split(SEP);
  if (parts.length < 5) return null;
  const [kitKey = ''] = parts;
  const part = Number(parts[parts.length - 1]);
  const perKit = Number(parts[parts.length - 2]);
  const m = /^(\d+)\/(\d+)$/.exec(parts[parts.length - 3] ?? '');
  const groupSku = parts.slice(1, -3).join(SEP);
  if (!m || !kitKey || !groupSku || !Number.isInteger(perKit) || perKit <= 0 || (part !== 1 && part !== 2))
    return null;
  return { kitKey, groupSku, index: Number(m[1]), count: Number(m[2]), perKit, part };
}

/**
 * The component lines of one item group line: each component's quantity is the kits' quantity ×
 * its quantity per kit, and the line's amount is allocated over the components by base price × units
 * (by units when no base price is known). A component whose share does not divide by its units goes
 * as two lines, the second some units at one minor unit more, so that every rate is exact and the
 * lines add up to the kit line's amount.
 */
export function explodeGroupLine(
  line: ErpSalesOrderLineInput,
  group: ItemGroup,
  currency: string,
): ErpSalesOrderLineInput[] {
  const members = group.members.filter((m) => Number.isInteger(m.quantity) && m.quantity > 0);
  if (members.length === 0) return [line];
  const amount = Money.line(line.rate, line.quantity, currency);
  const units = members.map((m) => m.quantity * line.quantity);
  const byPrice = members.map((m, i) => Money.line(m.basePrice ?? '0', units[i] as number, currency).minor);
  const weights = byPrice.some((w) => w > 0n) ? byPrice : units.map((u) => BigInt(u));
  const shares = amount.allocate(weights);
  const out: ErpSalesOrderLineInput[] = [];
  members.forEach((m, i) => {
    const q = units[i] as number;
    const share = (shares[i] as Money).minor;
    const rate = share / BigInt(q);
    const rest = Number(share % BigInt(q));
    const key = (part: number) =>
      componentKey({
        kitKey: line.lineKey,
        groupSku: group.sku,
        index: i + 1,
        count: members.length,
        perKit: m.quantity,
        part,
      });
    const text = (minor: bigint) => Money.ofMinor(minor, currency).toString();
    out.push({ ...line, lineKey: key(1), sku: m.sku, quantity: q - rest, rate: text(rate) });
    if (rest > 0) out.push({ ...line, lineKey: key(2), sku: m.sku, quantity: rest, rate: text(rate + 1n) });
  });
  return out;
}

/** The sales order with every item group line exploded into its components (other lines as they are). */
export function explodeItemGroups(
  input: ErpSalesOrderInput,
  groups: ReadonlyMap<string, ItemGroup>,
): ErpSalesOrderInput {
  if (!input.lines.some((l) => groups.has(l.sku))) return input;
  return {
    ...input,
    lines: input.lines.flatMap((l) => {
      const g = groups.get(l.sku);
      return g ? explodeGroupLine(l, g, input.currency) : [l];
    }),
  };
}

/** Lines in order, each kit's component lines gathered at its first one. */
function gather<L extends { lineKey: string }>(
  lines: readonly L[],
): ({ plain: L } | { kit: string; head: ComponentKey; parts: { key: ComponentKey; line: L }[] })[] {
  const out: ({ plain: L } | { kit: string; head: ComponentKey; parts: { key: ComponentKey; line: L }[] })[] =
    [];
  const kits = new Map<string, { key: ComponentKey; line: L }[]>();
  for (const line of lines) {
    const key = parseComponentKey(line.lineKey);
    if (!key) {
      out.push({ plain: line });
      continue;
    }
    const parts = kits.get(key.kitKey);
    if (parts) parts.push({ key, line });
    else {
      const fresh = [{ key, line }];
      kits.set(key.kitKey, fresh);
      out.push({ kit: key.kitKey, head: key, parts: fresh });
    }
  }
  return out;
}

/** Whole kits that `of` makes per component (a component absent from the lines makes none). */
function kitsOf<L>(
  head: ComponentKey,
  parts: { key: ComponentKey; line: L }[],
  of: (line: L) => number,
): number {
  let kits = Number.POSITIVE_INFINITY;
  for (let i = 1; i <= head.count; i++) {
    const mine = parts.filter((p) => p.key.index === i);
    if (mine.length === 0) return 0;
    const units = mine.reduce((s, p) => s + of(p.line), 0);
    kits = Math.min(kits, Math.floor(units / (mine[0] as { key: ComponentKey }).key.perKit));
  }
  return Number.isFinite(kits) ? kits : 0;
}

/** The ERP's sales order as the store's lines: each item group's component lines back as its one kit line. */
export function foldSalesOrder(so: ErpSalesOrder): ErpSalesOrder {
  if (!so.lines.some((l) => parseComponentKey(l.lineKey))) return so;
  const lines: ErpSalesOrderLine[] = gather(so.lines).map((g) => {
    if ('plain' in g) return g.plain;
    const quantity = kitsOf(g.head, g.parts, (l) => l.quantity);
    const ready = kitsOf(g.head, g.parts, (l) => l.quantity - l.quantityBackOrdered);
    return {
      lineKey: g.kit,
      sku: g.head.groupSku,
      quantity,
      quantityFulfilled: kitsOf(g.head, g.parts, (l) => l.quantityFulfilled),
      quantityBilled: kitsOf(g.head, g.parts, (l) => l.quantityBilled),
      quantityBackOrdered: Math.max(0, quantity - ready),
      location: (g.parts[0] as { line: ErpSalesOrderLine }).line.location,
      closed: g.parts.every((p) => p.line.closed),
    };
  });
  return { ...so, lines };
}

/** The component lines an earlier fulfillment of the same sales order shipped (unfolded), with its tracking. */
export interface ShippedBefore {
  lines: readonly { lineKey: string; quantity: number }[];
  carrier?: string | null;
  trackingNumbers?: readonly string[];
}

/**
 * A fulfillment's lines as the store's, in whole kits counted cumulatively: a kit line's shipped kits
 * are the fewest, over its components, of the component's units shipped so far ÷ its quantity per
 * kit, and this fulfillment reports the kits it newly completes (shipped kits with it less shipped
 * kits before it). `before` holds the sales order's earlier fulfillments, so when a group's
 * components ship in separate fulfillments, the one that ships the last missing component reports
 * those kits; over all fulfillments the kits reported add up to the kits shipped. A kit line with no
 * kit newly completed is left out; serial numbers are those of the components this one ships.
 */
export function foldFulfillment(f: ErpFulfillment, before: readonly ShippedBefore[] = []): ErpFulfillment {
  if (!f.lines.some((l) => parseComponentKey(l.lineKey))) return f;
  const earlier = before.flatMap((b, parcel) =>
    b.lines.flatMap((l) => {
      const key = parseComponentKey(l.lineKey);
      return key ? [{ key, line: { quantity: l.quantity }, parcel }] : [];
    }),
  );
  const kitParts: NonNullable<ErpFulfillment['kitParts']> = [];
  const carried = new Set<number>();
  const lines = gather(f.lines).flatMap((g): ErpFulfillment['lines'] => {
    if ('plain' in g) return [g.plain];
    const prior = earlier.filter((p) => p.key.kitKey === g.kit);
    const shippedBefore = kitsOf(g.head, prior, (l) => l.quantity);
    const shipped = kitsOf(g.head, [...prior, ...g.parts], (l) => l.quantity);
    const quantity = shipped - shippedBefore;
    if (quantity <= 0) {
      // Units per component (a component's two parts, one cent apart, are one to the buyer).
      for (const p of g.parts) {
        const same = kitParts.find((k) => k.lineKey === g.kit && k.sku === p.line.sku);
        if (same) same.quantity += p.line.quantity;
        else kitParts.push({ lineKey: g.kit, sku: p.line.sku, quantity: p.line.quantity });
      }
      return [];
    }
    for (const parcel of parcelsOf(g.head, prior, shippedBefore, shipped)) carried.add(parcel);
    const serials = g.parts.flatMap((p) => p.line.serialNumbers ?? []);
    return [
      {
        lineKey: g.kit,
        sku: g.head.groupSku,
        quantity,
        ...(serials.length ? { serialNumbers: serials } : {}),
      },
    ];
  });
  // The earlier parcels that carried these kits' components, by the same carrier (Shopify applies one
  // tracking company to all of a fulfillment's numbers), add their tracking to the store fulfillment.
  const tracking = [
    ...f.trackingNumbers,
    ...[...carried]
      .sort((a, b) => a - b)
      .map((i) => before[i] as ShippedBefore)
      .filter((b) => (b.carrier ?? null) === f.carrier)
      .flatMap((b) => b.trackingNumbers ?? []),
  ];
  return {
    ...f,
    lines,
    trackingNumbers: [...new Set(tracking)],
    ...(kitParts.length ? { kitParts } : {}),
  };
}

/**
 * The earlier parcels (indexes into the fulfillments before) that carried units of the kits
 * numbered `from` + 1 … `to` of one kit line: units are counted into kits in the order they
 * shipped, so for each component a parcel carried some of those kits when its units fall within
 * kits × per kit of them.
 */
function parcelsOf(
  head: ComponentKey,
  prior: readonly { key: ComponentKey; line: { quantity: number }; parcel: number }[],
  from: number,
  to: number,
): number[] {
  const out = new Set<number>();
  for (let i = 1; i <= head.count; i++) {
    let units = 0;
    for (const p of prior.filter((x) => x.key.index === i).sort((a, b) => a.parcel - b.parcel)) {
      const start = units;
      units += p.line.quantity;
      if (units > from * p.key.perKit && start < to * p.key.perKit) out.add(p.parcel);
    }
  }
  return [...out];
}

/** Whether ERP internal id `a` came before `b` (numeric ids by value, others as text). */
export function erpIdBefore(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) ? BigInt(a) < BigInt(b) : a < b;
}

/** Decimal texts added exactly, with as many decimals as the finest of them ("1.10" + "2.005" = "3.105"). */
function addDecimals(texts: readonly string[]): string {
  const decimals = Math.max(0, ...texts.map((t) => t.split('.')[1]?.length ?? 0));
  const scaled = (t: string) => {
    const negative = t.trim().startsWith('-');
    const [whole = '0', frac = ''] = t.trim().replace('-', '').split('.');
    const v = BigInt(whole + frac.padEnd(decimals, '0'));
    return negative ? -v : v;
  };
  const total = texts.reduce((s, t) => s + scaled(t), 0n);
  const digits = (total < 0n ? -total : total).toString().padStart(decimals + 1, '0');
  const text = decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  return total < 0n ? `-${text}` : text;
}

/** An invoice's lines as the store's: the kits billed on the kit line, with the components' amounts added up. */
export function foldInvoice(inv: ErpInvoice): ErpInvoice {
  if (!inv.lines.some((l) => parseComponentKey(l.lineKey))) return inv;
  const lines = gather(inv.lines).map((g): ErpInvoice['lines'][number] => {
    if ('plain' in g) return g.plain;
    return {
      lineKey: g.kit,
      sku: g.head.groupSku,
      quantity: kitsOf(g.head, g.parts, (l) => l.quantity),
      amount: addDecimals(g.parts.map((p) => p.line.amount)),
    };
  });
  return { ...inv, lines };
}

/**
 * A kit line's new quantity as quantities of its component lines on the ERP order (`so`, unfolded):
 * each component keeps kits × per kit units, its first part filled before its second. Parts left
 * with nothing are to be closed instead.
 */
export function componentQuantities(
  so: ErpSalesOrder,
  kitKey: string,
  kits: number,
): { set: { lineKey: string; quantity: number }[]; close: string[] } {
  const set: { lineKey: string; quantity: number }[] = [];
  const close: string[] = [];
  const mine = so.lines
    .map((l) => ({ l, key: parseComponentKey(l.lineKey) }))
    .filter((x) => x.key?.kitKey === kitKey)
    .sort(
      (a, b) =>
        (a.key as ComponentKey).index - (b.key as ComponentKey).index ||
        (a.key as ComponentKey).part - (b.key as ComponentKey).part,
    );
  const total = (index: number) =>
    mine.filter((x) => x.key?.index === index).reduce((s, x) => s + x.l.quantity, 0);
  const left = new Map<number, number>();
  for (const { l, key } of mine) {
    const k = key as ComponentKey;
    const want = left.get(k.index) ?? kits * k.perKit;
    // More kits than ordered: the extra units go on the component's first part.
    const more = k.part === 1 ? Math.max(0, want - total(k.index)) : 0;
    const q = Math.min(l.quantity, want) + more;
    left.set(k.index, want - q);
    if (q === l.quantity) continue;
    if (q === 0) close.push(l.lineKey);
    else set.push({ lineKey: l.lineKey, quantity: q });
  }
  return { set, close };
}

/** One component line's new quantity and rate on the ERP order (rate: exact decimal text). */
export interface ComponentLineChange {
  lineKey: string;
  quantity: number;
  rate: string;
}

/**
 * A kit line's new quantity at the store's unit price as changes to its component lines on the ERP
 * order (`so`, unfolded), with the line's money split again exactly as a new order's would be
 * (`explodeGroupLine`: by base price × units, leftover cents to the largest remainders): each
 * component's first part is set, a second part (one minor unit more) is added when the new share
 * needs one, and an existing second part the share no longer needs keeps one unit at the same rate,
 * or, when the component is down to one unit, goes to rate 0 and is closed. The component lines then
 * add up to kits × unit price to the cent. Null when the order has no complete set of this kit
 * line's components (the caller falls back to quantities only).
 */
export function regroupComponents(
  so: ErpSalesOrder,
  kitKey: string,
  kits: number,
  rate: string,
  currency: string,
  basePrices: ReadonlyMap<string, string | null> = new Map(),
): { set: ComponentLineChange[]; add: ErpSalesOrderLineInput[]; close: string[] } | null {
  const mine = so.lines
    .map((l) => ({ l, key: parseComponentKey(l.lineKey) }))
    .filter((x): x is { l: ErpSalesOrderLine; key: ComponentKey } => x.key?.kitKey === kitKey);
  const head = mine[0]?.key;
  if (!head || !Number.isInteger(kits) || kits <= 0) return null;
  const parts = (index: number, part: number) =>
    mine.find((x) => x.key.index === index && x.key.part === part && !x.l.closed);
  const firsts = Array.from({ length: head.count }, (_, i) => parts(i + 1, 1));
  if (firsts.some((f) => f === undefined)) return null;
  const first = firsts as { l: ErpSalesOrderLine; key: ComponentKey }[];
  const group: ItemGroup = {
    sku: head.groupSku,
    members: first.map((f) => ({
      sku: f.l.sku,
      quantity: f.key.perKit,
      basePrice: basePrices.get(f.l.sku) ?? null,
    })),
  };
  const target = explodeGroupLine(
    { lineKey: kitKey, sku: head.groupSku, quantity: kits, rate, location: first[0]!.l.location },
    group,
    currency,
  );
  const set: ComponentLineChange[] = [];
  const add: ErpSalesOrderLineInput[] = [];
  const close: string[] = [];
  first.forEach((f, i) => {
    const index = i + 1;
    const mineOf = (part: number) =>
      target.find((t) => {
        const k = parseComponentKey(t.lineKey);
        return k?.index === index && k.part === part;
      });
    const t1 = mineOf(1) as ErpSalesOrderLineInput;
    const t2 = mineOf(2);
    const e2 = parts(index, 2);
    if (t2) {
      set.push({ lineKey: f.l.lineKey, quantity: t1.quantity, rate: t1.rate });
      if (e2) set.push({ lineKey: e2.l.lineKey, quantity: t2.quantity, rate: t2.rate });
      else add.push({ ...t2, location: f.l.location });
    } else if (e2 && t1.quantity >= 2) {
      // The share divides evenly now: the second part keeps one unit, at the same rate.
      set.push({ lineKey: f.l.lineKey, quantity: t1.quantity - 1, rate: t1.rate });
      set.push({ lineKey: e2.l.lineKey, quantity: 1, rate: t1.rate });
    } else {
      set.push({ lineKey: f.l.lineKey, quantity: t1.quantity, rate: t1.rate });
      if (e2) {
        set.push({ lineKey: e2.l.lineKey, quantity: e2.l.quantity, rate: Money.zero(currency).toString() });
        close.push(e2.l.lineKey);
      }
    }
  });
  return { set, add, close };
}

/** Every component line key of these kit lines on the ERP order (`so`, unfolded); other keys as they are. */
export function componentLineKeys(so: ErpSalesOrder, lineKeys: readonly string[]): string[] {
  return lineKeys.flatMap((k) => {
    const parts = so.lines.filter((l) => parseComponentKey(l.lineKey)?.kitKey === k).map((l) => l.lineKey);
    return parts.length ? parts : [k];
  });
}

/** Kits of one kit line as units of its component lines, each component's first part filled first. */
function fillComponents<L extends { lineKey: string; sku: string; quantity: number }>(
  lines: readonly L[],
  kitKey: string,
  kits: number,
): { line: L; quantity: number }[] {
  const mine = lines
    .map((l) => ({ l, key: parseComponentKey(l.lineKey) }))
    .filter((x): x is { l: L; key: ComponentKey } => x.key?.kitKey === kitKey)
    .sort((a, b) => a.key.index - b.key.index || a.key.part - b.key.part);
  const left = new Map<number, number>();
  const out: { line: L; quantity: number }[] = [];
  for (const { l, key } of mine) {
    const want = left.get(key.index) ?? kits * key.perKit;
    const q = Math.min(l.quantity, want);
    left.set(key.index, want - q);
    if (q > 0) out.push({ line: l, quantity: q });
  }
  return out;
}

/** Return lines on the store's kit lines as lines of their components on the ERP order (`so`, unfolded). */
export function componentReturnLines(
  so: ErpSalesOrder,
  lines: readonly { lineKey: string; sku: string; quantity: number }[],
): { lineKey: string; sku: string; quantity: number }[] {
  return lines.flatMap((r) => {
    const parts = fillComponents(
      so.lines.map((l) => ({ ...l, quantity: l.quantityFulfilled > 0 ? l.quantityFulfilled : l.quantity })),
      r.lineKey,
      r.quantity,
    );
    return parts.length
      ? parts.map((p) => ({ lineKey: p.line.lineKey, sku: p.line.sku, quantity: p.quantity }))
      : [r];
  });
}

/** A return authorization as the store's lines: component lines back on their kit line, in whole kits. */
export function foldReturnAuthorization(ra: ErpReturnAuthorization): ErpReturnAuthorization {
  if (!ra.lines.some((l) => parseComponentKey(l.lineKey))) return ra;
  const lines = gather(ra.lines).map((g): ErpReturnAuthorization['lines'][number] => {
    if ('plain' in g) return g.plain;
    return {
      lineKey: g.kit,
      sku: g.head.groupSku,
      quantity: kitsOf(g.head, g.parts, (l) => l.quantity),
      quantityReceived: kitsOf(g.head, g.parts, (l) => l.quantityReceived),
      location: (g.parts[0] as { line: ErpReturnAuthorization['lines'][number] }).line.location,
    };
  });
  return { ...ra, lines };
}

/** The currency-free scale of a decimal text: a stand-in currency with as many decimals. */
const SCALE_CURRENCY: Record<number, string> = { 0: 'JPY', 1: 'USD', 2: 'USD', 3: 'KWD', 4: 'CLF' };

/**
 * Credit memo lines on the store's kit lines as lines of the return authorization's components
 * (`ra`, unfolded): the kits' units over the component lines, and each kit line's amount split over
 * them exactly, by units.
 */
export function componentCreditLines(
  ra: ErpReturnAuthorization,
  lines: readonly { lineKey: string; sku: string; quantity: number; amount: string }[],
): { lineKey: string; sku: string; quantity: number; amount: string }[] {
  return lines.flatMap((c) => {
    const parts = fillComponents(ra.lines, c.lineKey, c.quantity);
    if (!parts.length) return [c];
    const currency = SCALE_CURRENCY[c.amount.split('.')[1]?.length ?? 0] ?? 'CLF';
    const shares = Money.of(c.amount, currency, 'halfUp').allocate(parts.map((p) => p.quantity));
    return parts.map((p, i) => ({
      lineKey: p.line.lineKey,
      sku: p.line.sku,
      quantity: p.quantity,
      amount: (shares[i] as Money).toString(),
    }));
  });
}
