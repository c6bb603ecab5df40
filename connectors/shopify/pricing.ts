import type { PlannedPrice, StoreCatalogRef, StorePricingPort } from '../../domain/store-pricing';
import type { Logger } from '../../platform/logger';
import type { ShopifyAdminClient } from './client';
import { ShopifyUserError, type ShopifyUserErrorDetail } from './errors';
import { inParallel, LruCache, QUAYSIDE_NAMESPACE } from './storefront';

/** Shopify's maximum for any input array. */
export const INPUT_LIMIT = 250;
/** Companies looked up per query (each with its first location: ~3 points a company). */
const COMPANY_BATCH = 100;
export const CREDIT_HEADROOM_KEY = 'credit_headroom';

function check(operation: string, payload: { userErrors?: ShopifyUserErrorDetail[] } | null | undefined) {
  if (payload?.userErrors?.length) throw new ShopifyUserError(operation, payload.userErrors);
}

/** Packs entries into calls whose every input array stays within the limit. */
export function packPrices(set: PlannedPrice[], limit = INPUT_LIMIT): PlannedPrice[][] {
  const calls: PlannedPrice[][] = [];
  let call: PlannedPrice[] = [];
  let breaks = 0;
  for (const p of set) {
    if (p.breaks.length > limit) throw new Error(`${p.sku} has more than ${limit} quantity breaks`);
    if (call.length + 1 > limit || breaks + p.breaks.length > limit) {
      calls.push(call);
      call = [];
      breaks = 0;
    }
    call.push(p);
    breaks += p.breaks.length;
  }
  if (call.length) calls.push(call);
  return calls;
}

const chunk = <T>(list: T[], size: number) =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

export interface ShopifyPricingOptions {
  /** Calls in flight at once (default 4); the client paces them to the cost bucket. */
  concurrency?: number;
  variantCacheSize?: number;
}

/** B2B catalogs, price lists, fixed prices and volume pricing through the Admin GraphQL API. */
export class ShopifyPricing implements StorePricingPort {
  private readonly variants: LruCache<string, string>;
  private readonly concurrency: number;

  constructor(
    private readonly client: ShopifyAdminClient,
    opts: ShopifyPricingOptions = {},
    private readonly log?: Logger,
  ) {
    this.variants = new LruCache(opts.variantCacheSize ?? 250_000);
    this.concurrency = opts.concurrency ?? 4;
  }

  async ensureCatalog(input: {
    title: string;
    currency: string;
    adjustmentPercent: string | null;
    companyLocationIds: string[];
  }): Promise<StoreCatalogRef> {
    type Catalog = {
      id: string;
      title: string;
      priceList: { id: string; parent: { adjustment: { type: string; value: number } } | null } | null;
    };
    const fields = 'id title priceList { id parent { adjustment { type value } } }';
    const found = await this.client.request<{ catalogs: { nodes: Catalog[] } }>(
      `query CatalogByTitle($query: String!) { catalogs(first: 5, query: $query) { nodes { ${fields} } } }`,
      { query: `title:${JSON.stringify(input.title)}` },
    );
    let catalog = found.catalogs.nodes.find((c) => c.title === input.title);
    const [first = [], ...rest] = chunk(input.companyLocationIds, INPUT_LIMIT);
    if (!catalog) {
      if (first.length === 0)
        throw new ShopifyUserError('catalogCreate', [
          {
            field: ['context'],
            message: `Catalog ${input.title} has no company location to be created for.`,
          },
        ]);
      const data = await this.client.request<{
        catalogCreate: { catalog: Catalog | null; userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation CatalogCreate($input: CatalogCreateInput!) { catalogCreate(input: $input) { catalog { ${fields} } userErrors { field message code } } }`,
        { input: { title: input.title, status: 'ACTIVE', context: { companyLocationIds: first } } },
      );
      check('catalogCreate', data.catalogCreate);
      catalog = data.catalogCreate.catalog!;
      for (const ids of rest) await this.assignCatalog({ catalogId: catalog.id, add: ids, remove: [] });
    }
    const adjustment = { type: 'PERCENTAGE_DECREASE', value: Number(input.adjustmentPercent ?? '0') };
    let priceListId = catalog.priceList?.id;
    if (!priceListId) {
      const data = await this.client.request<{
        priceListCreate: { priceList: { id: string } | null; userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation PriceListCreate($input: PriceListCreateInput!) { priceListCreate(input: $input) { priceList { id } userErrors { field message code } } }`,
        {
          input: {
            name: input.title,
            currency: input.currency,
            parent: { adjustment },
            catalogId: catalog.id,
          },
        },
      );
      check('priceListCreate', data.priceListCreate);
      priceListId = data.priceListCreate.priceList!.id;
    } else {
      const current = catalog.priceList?.parent?.adjustment;
      if (!current || current.type !== adjustment.type || current.value !== adjustment.value) {
        const data = await this.client.request<{ priceListUpdate: { userErrors: ShopifyUserErrorDetail[] } }>(
          `mutation PriceListUpdate($id: ID!, $input: PriceListUpdateInput!) { priceListUpdate(id: $id, input: $input) { priceList { id } userErrors { field message code } } }`,
          { id: priceListId, input: { parent: { adjustment } } },
        );
        check('priceListUpdate', data.priceListUpdate);
      }
    }
    return { catalogId: catalog.id, priceListId };
  }

  async writePrices(input: {
    priceListId: string;
    currency: string;
    set: PlannedPrice[];
    remove: string[];
  }): Promise<{ written: number; removed: number; unknownSkus: string[] }> {
    const ids = await this.variantIds([...input.set.map((p) => p.sku), ...input.remove]);
    const unknownSkus = [...input.set.map((p) => p.sku), ...input.remove].filter((s) => !ids.has(s));
    const set = input.set.filter((p) => ids.has(p.sku));
    const remove = input.remove.filter((s) => ids.has(s));
    const money = (amount: string) => ({ amount, currencyCode: input.currency });
    const mutation = `mutation QuantityPricing($priceListId: ID!, $input: QuantityPricingByVariantUpdateInput!) {
      quantityPricingByVariantUpdate(priceListId: $priceListId, input: $input) { userErrors { field message code } } }`;
    const empty = {
      pricesToAdd: [],
      pricesToDeleteByVariantId: [],
      quantityPriceBreaksToAdd: [],
      quantityPriceBreaksToDelete: [],
      quantityPriceBreaksToDeleteByVariantId: [],
      quantityRulesToAdd: [],
      quantityRulesToDeleteByVariantId: [],
    };
    const calls = [
      ...packPrices(set).map((entries) => ({
        ...empty,
        pricesToAdd: entries.map((p) => ({ variantId: ids.get(p.sku)!, price: money(p.price) })),
        quantityPriceBreaksToDeleteByVariantId: entries.map((p) => ids.get(p.sku)!),
        quantityPriceBreaksToAdd: entries.flatMap((p) =>
          p.breaks.map((b) => ({
            variantId: ids.get(p.sku)!,
            minimumQuantity: b.minimumQuantity,
            price: money(b.price),
          })),
        ),
      })),
      ...chunk(remove, INPUT_LIMIT).map((skus) => ({
        ...empty,
        pricesToDeleteByVariantId: skus.map((s) => ids.get(s)!),
      })),
    ];
    await inParallel(calls, this.concurrency, async (call) => {
      const data = await this.client.request<{
        quantityPricingByVariantUpdate: { userErrors: ShopifyUserErrorDetail[] };
      }>(mutation, { priceListId: input.priceListId, input: call });
      // A fixed price already gone is what a removal wants.
      const errors = (data.quantityPricingByVariantUpdate?.userErrors ?? []).filter(
        (e) => e.code !== 'PRICE_DELETE_VARIANT_NOT_FOUND',
      );
      check('quantityPricingByVariantUpdate', { userErrors: errors });
    });
    if (unknownSkus.length)
      this.log?.warn({ examples: unknownSkus.slice(0, 5) }, 'prices for SKUs the store does not have');
    return { written: set.length, removed: remove.length, unknownSkus };
  }

  async assignCatalog(input: { catalogId: string; add: string[]; remove: string[] }): Promise<void> {
    const calls = [
      ...chunk(input.add, INPUT_LIMIT).map((ids) => ({ add: { companyLocationIds: ids }, remove: null })),
      ...chunk(input.remove, INPUT_LIMIT).map((ids) => ({ add: null, remove: { companyLocationIds: ids } })),
    ];
    for (const call of calls) {
      const data = await this.client.request<{
        catalogContextUpdate: { userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation CatalogContext($catalogId: ID!, $add: CatalogContextInput, $remove: CatalogContextInput) {
          catalogContextUpdate(catalogId: $catalogId, contextsToAdd: $add, contextsToRemove: $remove) { catalog { id } userErrors { field message code } } }`,
        { catalogId: input.catalogId, add: call.add, remove: call.remove },
      );
      check('catalogContextUpdate', data.catalogContextUpdate);
    }
  }

  /**
   * The company location of each ERP customer: the location whose external id is the customer's ERP id
   * (a child account is a location of its parent's company), else the first location of the company
   * with that external id (companies made before locations carried ERP ids).
   */
  async companyLocations(erpCustomerIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await inParallel(chunk([...new Set(erpCustomerIds)], COMPANY_BATCH), this.concurrency, async (all) => {
      const byLocation = await this.client.request<{
        companyLocations: { nodes: { id: string; externalId: string | null }[] };
      }>(
        `query LocationsByExternalId($first: Int!, $query: String!) { companyLocations(first: $first, query: $query) { nodes { id externalId } } }`,
        { first: all.length, query: all.map((id) => `external_id:${JSON.stringify(id)}`).join(' OR ') },
      );
      for (const l of byLocation.companyLocations.nodes)
        if (l.externalId && all.includes(l.externalId)) out.set(l.externalId, l.id);
      const ids = all.filter((id) => !out.has(id));
      if (ids.length === 0) return;
      const data = await this.client.request<{
        companies: { nodes: { externalId: string | null; locations: { nodes: { id: string }[] } }[] };
      }>(
        `query CompanyLocations($first: Int!, $query: String!) { companies(first: $first, query: $query) { nodes { externalId locations(first: 1) { nodes { id } } } } }`,
        { first: ids.length, query: ids.map((id) => `external_id:${JSON.stringify(id)}`).join(' OR ') },
      );
      for (const c of data.companies.nodes) {
        const location = c.locations.nodes[0]?.id;
        if (c.externalId && location && ids.includes(c.externalId)) out.set(c.externalId, location);
      }
    });
    return out;
  }

  async setCreditHeadroom(
    companyLocationId: string,
    headroom: { amount: string; currency: string } | null,
  ): Promise<void> {
    if (headroom === null) {
      const data = await this.client.request<{ metafieldsDelete: { userErrors: ShopifyUserErrorDetail[] } }>(
        `mutation ClearHeadroom($metafields: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $metafields) { deletedMetafields { key } userErrors { field message } } }`,
        {
          metafields: [
            { ownerId: companyLocationId, namespace: QUAYSIDE_NAMESPACE, key: CREDIT_HEADROOM_KEY },
          ],
        },
      );
      check('metafieldsDelete', data.metafieldsDelete);
      return;
    }
    const data = await this.client.request<{ metafieldsSet: { userErrors: ShopifyUserErrorDetail[] } }>(
      `mutation SetHeadroom($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { metafields { key } userErrors { field message code } } }`,
      {
        metafields: [
          {
            ownerId: companyLocationId,
            namespace: QUAYSIDE_NAMESPACE,
            key: CREDIT_HEADROOM_KEY,
            type: 'money',
            value: JSON.stringify({ amount: headroom.amount, currency_code: headroom.currency }),
          },
        ],
      },
    );
    check('metafieldsSet', data.metafieldsSet);
  }

  /** Variant ids by storefront SKU: cached first, the rest 250 a query. */
  private async variantIds(skus: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const sku of new Set(skus)) {
      const id = this.variants.get(sku);
      if (id) out.set(sku, id);
      else missing.push(sku);
    }
    await inParallel(chunk(missing, INPUT_LIMIT), this.concurrency, async (batch) => {
      const data = await this.client.request<{
        productVariants: { nodes: { id: string; sku: string | null }[] };
      }>(
        `query VariantIds($first: Int!, $query: String!) { productVariants(first: $first, query: $query) { nodes { id sku } } }`,
        { first: batch.length, query: batch.map((s) => `sku:${JSON.stringify(s)}`).join(' OR ') },
      );
      const wanted = new Set(batch);
      for (const n of data.productVariants.nodes) {
        if (!n.sku || !wanted.has(n.sku)) continue;
        out.set(n.sku, n.id);
        this.variants.set(n.sku, n.id);
      }
    });
    return out;
  }
}
