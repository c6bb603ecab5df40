import { GraphQLError } from 'graphql';
import { randomBytes } from 'node:crypto';
import type { StoreDb } from './db';

/**
 * Access scopes, as Shopify grants them to a custom app: each root field of the Admin API needs one of
 * a few scopes (`write_x` includes `read_x`), and a token without them gets `ACCESS_DENIED` for that
 * field: `{ message: 'Access denied for orders field. Required access: `read_orders` access scope.',
 * path, extensions: { code: 'ACCESS_DENIED', documentation, requiredAccess } }`, the field null.
 */

/** What Quayside's connector needs (docs/shopify.md): the sandbox's development token has exactly these. */
export const QUAYSIDE_SCOPES: readonly string[] = [
  'read_orders',
  'write_orders',
  'read_merchant_managed_fulfillment_orders',
  'write_merchant_managed_fulfillment_orders',
  'read_fulfillments',
  'write_fulfillments',
  'read_inventory',
  'write_inventory',
  'read_locations',
  'read_products',
  'write_products',
  'read_publications',
  'write_publications',
  'read_customers',
  'write_customers',
  'read_companies',
  'write_companies',
  'read_returns',
  'write_returns',
  'read_payment_terms',
];

const orders = { read: ['read_orders'], write: ['write_orders'] };
const products = { read: ['read_products'], write: ['write_products'] };
const customers = { read: ['read_customers'], write: ['write_customers'] };
const companies = {
  read: ['read_customers', 'read_companies'],
  write: ['write_customers', 'write_companies'],
};
const returns = { read: ['read_returns'], write: ['write_returns'] };

/** Root field → the scopes of which one is needed (none listed: any token may ask). */
export const FIELD_SCOPES: Record<string, readonly string[]> = {
  order: orders.read,
  orders: orders.read,
  job: [],
  product: products.read,
  products: products.read,
  productVariant: products.read,
  productVariants: products.read,
  productByIdentifier: products.read,
  productOperation: products.read,
  productSet: products.write,
  inventoryItem: ['read_inventory'],
  inventoryItems: ['read_inventory'],
  locations: ['read_locations'],
  publications: ['read_publications', 'read_products'],
  customer: customers.read,
  customers: customers.read,
  company: companies.read,
  companies: companies.read,
  companyLocation: companies.read,
  companyLocations: companies.read,
  catalogs: ['read_products', 'read_publications'],
  paymentTermsTemplates: ['read_payment_terms'],
  return: returns.read,
  fulfillmentCreate: ['write_merchant_managed_fulfillment_orders', 'write_assigned_fulfillment_orders'],
  inventorySetQuantities: ['write_inventory'],
  publishablePublish: ['write_publications'],
  publishableUnpublish: ['write_publications'],
  tagsAdd: [...orders.write, ...products.write, ...customers.write],
  orderUpdate: orders.write,
  orderCancel: orders.write,
  refundCreate: orders.write,
  returnApproveRequest: returns.write,
  returnDeclineRequest: returns.write,
  returnClose: returns.write,
  customerCreate: customers.write,
  customerUpdate: customers.write,
  companyCreate: companies.write,
  companyUpdate: companies.write,
  companyAssignCustomerAsContact: companies.write,
  companyLocationUpdate: companies.write,
  companyLocationCreate: companies.write,
  companyLocationTaxSettingsUpdate: companies.write,
  companyContactCreate: companies.write,
  catalogContextUpdate: products.write,
  metafieldsSet: [...orders.write, ...products.write, ...customers.write, ...companies.write],
  metafieldsDelete: [...orders.write, ...products.write, ...customers.write, ...companies.write],
  priceList: products.read,
  catalog: products.read,
  priceListCreate: products.write,
  priceListUpdate: products.write,
  priceListDelete: products.write,
  priceListFixedPricesAdd: products.write,
  priceListFixedPricesDelete: products.write,
  priceListFixedPricesUpdate: products.write,
  quantityPricingByVariantUpdate: products.write,
  catalogCreate: products.write,
  // Open to any token: the shop's own details, the app's installation and its webhook subscriptions.
  shop: [],
  currentAppInstallation: [],
  webhookSubscriptions: [],
  webhookSubscriptionCreate: [],
  webhookSubscriptionDelete: [],
  // Bulk operations need no scope of their own: the query a bulk operation runs is checked against
  // the token's scopes field by field when it runs, and a refused field fails it with ACCESS_DENIED.
  // `node` here resolves only the app's own bulk operations.
  bulkOperationRunQuery: [],
  bulkOperationCancel: [],
  currentBulkOperation: [],
  node: [],
};

/** The owner type of a metafield decides the scope metafieldsSet needs, as on Shopify. */
const OWNER_SCOPES: Record<string, readonly string[]> = {
  Order: orders.write,
  Product: products.write,
  ProductVariant: products.write,
  Customer: customers.write,
  Company: companies.write,
  CompanyLocation: companies.write,
};

function required(field: string, args: Record<string, unknown>): string[][] {
  if (field === 'metafieldsSet' || field === 'metafieldsDelete') {
    const owners = ((args.metafields as { ownerId?: string }[] | undefined) ?? []).map(
      (m) => /gid:\/\/shopify\/(\w+)\//.exec(m.ownerId ?? '')?.[1] ?? '',
    );
    return [...new Set(owners)].map((o) => [...(OWNER_SCOPES[o] ?? FIELD_SCOPES.metafieldsSet!)]);
  }
  if (field === 'tagsAdd') {
    const owner = /gid:\/\/shopify\/(\w+)\//.exec(String(args.id ?? ''))?.[1] ?? 'Order';
    return [[...(OWNER_SCOPES[owner] ?? orders.write)]];
  }
  const scopes = FIELD_SCOPES[field];
  return scopes?.length ? [[...scopes]] : [];
}

/** `write_x` grants `read_x` too. */
export function grants(scopes: readonly string[], scope: string): boolean {
  return scopes.includes(scope) || (scope.startsWith('read_') && scopes.includes(`write_${scope.slice(5)}`));
}

export function accessDenied(field: string, needed: string[]): GraphQLError {
  const requiredAccess = `${needed.map((s) => `\`${s}\``).join(' or ')} access scope${needed.length > 1 ? 's' : ''}.`;
  return new GraphQLError(`Access denied for ${field} field. Required access: ${requiredAccess}`, {
    extensions: {
      code: 'ACCESS_DENIED',
      documentation: 'https://shopify.dev/api/usage/access-scopes',
      requiredAccess,
    },
  });
}

type Root = Record<string, unknown>;

/**
 * Wraps the root resolvers so each checks the token's scopes first, and adds
 * `currentAppInstallation { accessScopes { handle } }`, which tells a client what its token may do.
 */
export function withScopes(root: Root, scopes: readonly string[]): Root {
  const out: Root = {};
  for (const [name, value] of Object.entries(root)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    const resolve = value as (...a: unknown[]) => unknown;
    out[name] = (args: Record<string, unknown>, ...rest: unknown[]) => {
      for (const anyOf of required(name, args ?? {}))
        if (!anyOf.some((s) => grants(scopes, s))) throw accessDenied(name, anyOf);
      return resolve(args, ...rest);
    };
  }
  out.currentAppInstallation = () => ({
    id: 'gid://shopify/AppInstallation/1',
    accessScopes: scopes.map((handle) => ({ handle, description: handle.replace('_', ' ') })),
  });
  return out;
}

// ---- tokens -----------------------------------------------------------------------------------------

/** The scopes of an access token: the development token's from the options, others from the store. */
export async function scopesOf(
  db: StoreDb,
  token: string | undefined,
  dev: { token: string; scopes: readonly string[] },
): Promise<readonly string[] | undefined> {
  if (!token) return undefined;
  if (token === dev.token) return dev.scopes;
  const row = await db.query<{ scopes: string[] }>('SELECT scopes FROM access_tokens WHERE token = $1', [
    token,
  ]);
  return row.rows[0]?.scopes;
}

/** A new token with the given scopes, as installing a custom app with them would give. */
export async function createAccessToken(db: StoreDb, scopes: string[]): Promise<string> {
  const token = `shpat_${randomBytes(16).toString('hex')}`;
  await db.query('INSERT INTO access_tokens (token, scopes) VALUES ($1, $2)', [token, scopes]);
  return token;
}
