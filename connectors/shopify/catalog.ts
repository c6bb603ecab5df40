import {
  metafieldChanges,
  type MetafieldRemoval,
  type MetafieldWrite,
  type StoreCatalogPort,
  type StoreProductInput,
  type StoreProductRef,
} from '../../domain/catalog';
import type { ShopifyAdminClient } from './client';
import { ShopifyUserError, type ShopifyUserErrorDetail } from './errors';
import { inParallel } from './storefront';

/** SKUs looked up per productVariants query (Shopify's page maximum). */
const SKU_BATCH = 250;
/** Metafields per metafieldsSet call (Shopify's maximum). */
const METAFIELDS_SET_BATCH = 25;
/** Metafield identifiers per metafieldsDelete call (Shopify's input array maximum). */
const METAFIELDS_DELETE_BATCH = 250;

interface SetResult {
  productSet: {
    product: {
      id: string;
      handle: string;
      variants: { nodes: { id: string; sku: string | null }[] };
    } | null;
    userErrors: ShopifyUserErrorDetail[];
  };
}

const PRODUCT_SET = `mutation ProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id handle variants(first: 100) { nodes { id sku } } }
    userErrors { field message code }
  }
}`;

/**
 * The store's catalog through the Admin GraphQL API: `productSet` writes a whole product in one call
 * (title, description, type, tags, status, options, variants with price, weight and inventory policy)
 * and is an upsert by identifier, so the same write twice leaves one product. It carries no metafields:
 * productSet replaces a product's (and each variant's) whole metafield list with the one it is given,
 * which would delete every metafield a merchant, another app or another Quayside flow set. The
 * catalog's own metafields go with `metafieldsSet` (25 a call, atomic per call), changed ones only,
 * and the catalog-owned keys an item no longer has with `metafieldsDelete`.
 */
export class ShopifyCatalog implements StoreCatalogPort {
  private publications?: string[];

  constructor(
    private readonly client: ShopifyAdminClient,
    private readonly concurrency = 4,
  ) {}

  async productsBySku(skus: string[]): Promise<Map<string, { productId: string; variantId: string }>> {
    const out = new Map<string, { productId: string; variantId: string }>();
    const unique = [...new Set(skus)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += SKU_BATCH) chunks.push(unique.slice(i, i + SKU_BATCH));
    await inParallel(chunks, this.concurrency, async (chunk) => {
      const data = await this.client.request<{
        productVariants: { nodes: { id: string; sku: string | null; product: { id: string } }[] };
      }>(
        `query VariantsBySku($first: Int!, $query: String!) { productVariants(first: $first, query: $query) { nodes { id sku product { id } } } }`,
        { first: chunk.length, query: chunk.map((s) => `sku:${JSON.stringify(s)}`).join(' OR ') },
      );
      const wanted = new Set(chunk);
      for (const v of data.productVariants.nodes)
        if (v.sku && wanted.has(v.sku)) out.set(v.sku, { productId: v.product.id, variantId: v.id });
    });
    return out;
  }

  async setProduct(input: StoreProductInput, target: StoreProductRef | null): Promise<StoreProductRef> {
    const variantIds = new Map(target?.variants.map((v) => [v.sku, v.variantId]) ?? []);
    const body = {
      title: input.title,
      descriptionHtml: input.descriptionHtml,
      productType: input.productType,
      tags: input.tags,
      status: input.status,
      productOptions: input.options.map((o, i) => ({
        name: o.name,
        position: i + 1,
        values: o.values.map((name) => ({ name })),
      })),
      variants: input.variants.map((v, i) => ({
        ...(variantIds.has(v.sku) ? { id: variantIds.get(v.sku) } : {}),
        optionValues: Object.entries(v.options).map(([optionName, name]) => ({ optionName, name })),
        position: i + 1,
        sku: v.sku,
        price: v.price,
        inventoryPolicy: v.inventoryPolicy,
        inventoryItem: {
          tracked: v.tracked,
          requiresShipping: true,
          ...(v.weight ? { measurement: { weight: v.weight } } : {}),
        },
      })),
    };
    // A known product is written by its id (its handle stays as the merchant may have changed it);
    // a new one by the handle, which a retried write finds again.
    let data = target
      ? await this.client.request<SetResult>(PRODUCT_SET, {
          input: body,
          identifier: { id: target.productId },
        })
      : undefined;
    if (data?.productSet.userErrors.some((e) => e.code === 'NOT_FOUND')) data = undefined;
    data ??= await this.client.request<SetResult>(PRODUCT_SET, {
      input: { ...body, handle: input.handle },
      identifier: { handle: input.handle },
    });
    const r = data.productSet;
    if (r.userErrors.length || !r.product) throw new ShopifyUserError('productSet', r.userErrors);
    const ref: StoreProductRef = {
      productId: r.product.id,
      handle: r.product.handle,
      variants: r.product.variants.nodes.flatMap((v) => (v.sku ? [{ sku: v.sku, variantId: v.id }] : [])),
    };
    // Written onto a product it did not know (or by a retry of a write whose record was not saved):
    // what it wrote before is unknown, so every metafield is set again.
    const known = target && target.productId === ref.productId ? target.metafields : undefined;
    const changes = metafieldChanges(input, ref, known, !target);
    await this.setMetafields(changes.set);
    await this.deleteMetafields(changes.remove);
    return { ...ref, metafields: changes.written };
  }

  private async setMetafields(list: MetafieldWrite[]): Promise<void> {
    for (let i = 0; i < list.length; i += METAFIELDS_SET_BATCH) {
      const data = await this.client.request<{
        metafieldsSet: { userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation CatalogMetafields($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { metafields { key } userErrors { field message code } } }`,
        { metafields: list.slice(i, i + METAFIELDS_SET_BATCH) },
      );
      if (data.metafieldsSet.userErrors.length)
        throw new ShopifyUserError('metafieldsSet', data.metafieldsSet.userErrors);
    }
  }

  private async deleteMetafields(list: MetafieldRemoval[]): Promise<void> {
    for (let i = 0; i < list.length; i += METAFIELDS_DELETE_BATCH) {
      const data = await this.client.request<{
        metafieldsDelete: { userErrors: ShopifyUserErrorDetail[] };
      }>(
        `mutation CatalogMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $metafields) { deletedMetafields { key } userErrors { field message } } }`,
        { metafields: list.slice(i, i + METAFIELDS_DELETE_BATCH) },
      );
      if (data.metafieldsDelete.userErrors.length)
        throw new ShopifyUserError('metafieldsDelete', data.metafieldsDelete.userErrors);
    }
  }

  async publish(productId: string): Promise<void> {
    if (!this.publications) {
      const data = await this.client.request<{ publications: { nodes: { id: string }[] } }>(
        'query Publications { publications(first: 50) { nodes { id } } }',
      );
      this.publications = data.publications.nodes.map((p) => p.id);
    }
    const res = await this.client.request<{ publishablePublish: { userErrors: ShopifyUserErrorDetail[] } }>(
      `mutation PublishProduct($id: ID!, $input: [PublicationInput!]!) { publishablePublish(id: $id, input: $input) { userErrors { field message } } }`,
      { id: productId, input: this.publications.map((publicationId) => ({ publicationId })) },
    );
    if (res.publishablePublish.userErrors.length) {
      // A sales channel removed since they were read: the next product reads the store's channels again.
      this.publications = undefined;
      throw new ShopifyUserError('publishablePublish', res.publishablePublish.userErrors);
    }
  }
}
