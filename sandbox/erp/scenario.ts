/**
 * The acceptance scenario's ERP data, generated deterministically from an index so the sandbox
 * ERP, Quayside's mapping tables and the sandbox storefront all agree without sharing files.
 */

export const LOCATIONS = [
  { id: 1, name: 'Chicago DC' },
  { id: 2, name: 'Newark DC' },
  { id: 3, name: 'Reno DC' },
] as const;

export const PRICE_LEVELS = [
  { id: 1, name: 'Base Price', discountPct: 0 },
  { id: 2, name: 'Tier 1', discountPct: 5 },
  { id: 3, name: 'Tier 2', discountPct: 10 },
  { id: 4, name: 'Tier 3', discountPct: 15 },
  { id: 5, name: 'Distributor', discountPct: 20 },
] as const;

export const TERMS = [
  { id: 1, name: 'Net 30', days: 30 },
  { id: 2, name: 'Net 60', days: 60 },
  { id: 3, name: 'Net 15', days: 15 },
  { id: 4, name: 'Due on receipt', days: 0 },
  { id: 5, name: '1% 10 Net 30', days: 30 },
] as const;

/** ERP item name (`P123`) and the storefront SKU it maps to (`PROD-123`). */
export const erpSku = (i: number) => `P${i}`;
export const storeSku = (i: number) => `PROD-${i}`;

export type SeedItemType = 'InvtPart' | 'Kit' | 'Assembly' | 'NonInvtPart';

export interface SeedItem {
  id: number;
  itemId: string;
  name: string;
  type: SeedItemType;
  parentId: number | null;
  serialized: boolean;
  hazmat: boolean;
  inactive: boolean;
  basePriceCents: number;
  /** The item's category (custitem_quayside_category): its product family. */
  category: string;
  /** Shipping weight in pounds. */
  weightLb: number;
}

const FAMILIES = [
  'Hex bolt',
  'Flange nut',
  'Ball bearing',
  'Hydraulic hose',
  'Pipe fitting',
  'Safety valve',
  'Drive belt',
  'Solvent cleaner',
  'Gasket',
  'Relay',
];
const SIZES = ['M6', 'M8', 'M10'];

export function seedItem(i: number): SeedItem {
  const m = i % 10;
  const family = FAMILIES[Math.floor(i / 10) % FAMILIES.length]!;
  let type: SeedItemType = 'InvtPart';
  if (i % 199 === 0) type = 'NonInvtPart';
  else if (i % 97 === 0) type = 'Assembly';
  else if (i % 50 === 0) type = 'Kit';
  const variant = type === 'InvtPart' && m >= 2 && m <= 4;
  const parentId = variant ? i - m + 1 : null;
  return {
    id: i,
    itemId: erpSku(i),
    name: variant
      ? `${family} ${SIZES[m - 2]} (${erpSku(parentId!)})`
      : type === 'Kit'
        ? `${family} kit ${i}`
        : `${family} ${i}`,
    type,
    parentId,
    serialized: type === 'InvtPart' && i % 37 === 0,
    hazmat: i % 23 === 0 || family === 'Solvent cleaner',
    inactive: i % 1000 === 999,
    basePriceCents: ((i * 7919) % 49_900) + 100,
    category: family,
    weightLb: (((i * 131) % 2_000) + 5) / 100,
  };
}

export const stockedType = (t: SeedItemType) => t === 'InvtPart' || t === 'Assembly';

/** On-hand quantity of item i at location l (some out of stock on purpose). */
export const seedOnHand = (i: number, l: number) => {
  const v = (i * 31 + l * 17) % 250;
  return v < 20 ? 0 : v;
};

export interface SeedCustomer {
  id: number;
  companyName: string;
  email: string;
  priceLevel: string;
  creditLimit: number | null;
  balanceCents: number;
  terms: string;
  taxExempt: boolean;
  taxId: string | null;
  parentId: number | null;
}

const COMPANY_WORDS = [
  'Acme',
  'Northwind',
  'Harbor',
  'Summit',
  'Keystone',
  'Ironworks',
  'Delta',
  'Pioneer',
  'Granite',
  'Atlas',
  'Beacon',
  'Cobalt',
  'Frontier',
];
const COMPANY_KINDS = [
  'Industrial Supply',
  'Machining',
  'Fabrication',
  'Maintenance Co.',
  'Manufacturing',
  'Plant Services',
];

export function seedCustomer(n: number): SeedCustomer {
  const taxExempt = n % 7 === 0;
  return {
    id: n,
    companyName: `${COMPANY_WORDS[n % COMPANY_WORDS.length]} ${COMPANY_KINDS[n % COMPANY_KINDS.length]} ${n}`,
    email: `ap@customer${n}.example.com`,
    priceLevel: PRICE_LEVELS[n % PRICE_LEVELS.length]!.name,
    creditLimit: n % 25 === 0 ? null : 5_000 * (1 + (n % 10)),
    balanceCents: ((n * 137) % 4_000) * 100 + (n % 100),
    terms: TERMS[n % TERMS.length]!.name,
    taxExempt,
    taxId: taxExempt ? `EX-${String(n).padStart(6, '0')}` : null,
    // Customers 451+ are child accounts (branches) of customers 1–50.
    parentId: n > 450 ? ((n - 451) % 50) + 1 : null,
  };
}

/** The items with a customer contract price for customer n. */
export const contractItems = (n: number, skus: number) =>
  Array.from({ length: 20 }, (_, k) => ((n * 7919 + k * 104_729) % skus) + 1);
