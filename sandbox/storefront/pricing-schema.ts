/** Shopify's B2B pricing objects and mutations (catalogs, price lists, fixed prices, volume pricing), as SDL extensions. */
export const PRICING_SDL = /* GraphQL */ `
  enum CatalogStatus {
    ACTIVE
    ARCHIVED
    DRAFT
  }
  enum PriceListAdjustmentType {
    PERCENTAGE_DECREASE
    PERCENTAGE_INCREASE
  }
  enum PriceListPriceOriginType {
    FIXED
    RELATIVE
  }
  type PriceListAdjustment {
    type: PriceListAdjustmentType!
    value: Float!
  }
  type PriceListParent {
    adjustment: PriceListAdjustment!
  }
  type QuantityPriceBreak {
    id: ID!
    minimumQuantity: Int!
    price: MoneyV2!
    variant: ProductVariant!
  }
  type QuantityPriceBreakConnection {
    nodes: [QuantityPriceBreak!]!
    pageInfo: PageInfo!
  }
  type PriceListPrice {
    variant: ProductVariant!
    price: MoneyV2!
    originType: PriceListPriceOriginType!
    quantityPriceBreaks(first: Int!): QuantityPriceBreakConnection!
  }
  type PriceListPriceConnection {
    nodes: [PriceListPrice!]!
    pageInfo: PageInfo!
  }
  extend type PriceList {
    parent: PriceListParent
    catalog: Catalog
    prices(first: Int!, after: String, originType: PriceListPriceOriginType): PriceListPriceConnection!
  }
  extend type Catalog {
    status: CatalogStatus!
  }

  input MoneyInput {
    amount: Decimal!
    currencyCode: String!
  }
  input PriceListAdjustmentInput {
    type: PriceListAdjustmentType!
    value: Float!
  }
  input PriceListParentCreateInput {
    adjustment: PriceListAdjustmentInput!
  }
  input PriceListParentUpdateInput {
    adjustment: PriceListAdjustmentInput!
  }
  input PriceListCreateInput {
    name: String!
    currency: String!
    parent: PriceListParentCreateInput!
    catalogId: ID
  }
  input PriceListUpdateInput {
    name: String
    currency: String
    parent: PriceListParentUpdateInput
    catalogId: ID
  }
  type PriceListUserError {
    field: [String!]
    message: String!
    code: String
  }
  type PriceListCreatePayload {
    priceList: PriceList
    userErrors: [PriceListUserError!]!
  }
  type PriceListUpdatePayload {
    priceList: PriceList
    userErrors: [PriceListUserError!]!
  }
  type PriceListDeletePayload {
    deletedId: ID
    userErrors: [PriceListUserError!]!
  }
  input PriceListPriceInput {
    variantId: ID!
    price: MoneyInput!
    compareAtPrice: MoneyInput
  }
  type PriceListPriceUserError {
    field: [String!]
    message: String!
    code: String
  }
  type PriceListFixedPricesAddPayload {
    prices: [PriceListPrice!]
    userErrors: [PriceListPriceUserError!]!
  }
  type PriceListFixedPricesDeletePayload {
    deletedFixedPriceVariantIds: [ID!]
    userErrors: [PriceListPriceUserError!]!
  }
  type PriceListFixedPricesUpdatePayload {
    priceList: PriceList
    pricesAdded: [PriceListPrice!]
    deletedFixedPriceVariantIds: [ID!]
    userErrors: [PriceListPriceUserError!]!
  }
  input QuantityPriceBreakInput {
    variantId: ID!
    minimumQuantity: Int!
    price: MoneyInput!
  }
  input QuantityRuleInput {
    variantId: ID!
    minimum: Int!
    maximum: Int
    increment: Int!
  }
  input QuantityPricingByVariantUpdateInput {
    pricesToAdd: [PriceListPriceInput!]!
    pricesToDeleteByVariantId: [ID!]!
    quantityPriceBreaksToAdd: [QuantityPriceBreakInput!]!
    quantityPriceBreaksToDelete: [ID!]!
    quantityPriceBreaksToDeleteByVariantId: [ID!]
    quantityRulesToAdd: [QuantityRuleInput!]!
    quantityRulesToDeleteByVariantId: [ID!]!
  }
  type QuantityPricingByVariantUserError {
    field: [String!]
    message: String!
    code: String
  }
  type QuantityPricingByVariantUpdatePayload {
    productVariants: [ProductVariant!]
    userErrors: [QuantityPricingByVariantUserError!]!
  }
  input CatalogCreateInput {
    title: String!
    status: CatalogStatus!
    context: CatalogContextInput!
    priceListId: ID
    publicationId: ID
  }
  type CatalogUserError {
    field: [String!]
    message: String!
    code: String
  }
  type CatalogCreatePayload {
    catalog: Catalog
    userErrors: [CatalogUserError!]!
  }

  input MetafieldIdentifierInput {
    ownerId: ID!
    namespace: String!
    key: String!
  }
  type MetafieldIdentifier {
    ownerId: ID!
    namespace: String!
    key: String!
  }
  type MetafieldsDeletePayload {
    deletedMetafields: [MetafieldIdentifier]
    userErrors: [UserError!]!
  }

  extend type Query {
    priceList(id: ID!): PriceList
    catalog(id: ID!): Catalog
  }
  extend type Mutation {
    priceListCreate(input: PriceListCreateInput!): PriceListCreatePayload
    priceListUpdate(id: ID!, input: PriceListUpdateInput!): PriceListUpdatePayload
    priceListDelete(id: ID!): PriceListDeletePayload
    priceListFixedPricesAdd(priceListId: ID!, prices: [PriceListPriceInput!]!): PriceListFixedPricesAddPayload
    priceListFixedPricesDelete(priceListId: ID!, variantIds: [ID!]!): PriceListFixedPricesDeletePayload
    priceListFixedPricesUpdate(
      priceListId: ID!
      pricesToAdd: [PriceListPriceInput!]!
      variantIdsToDelete: [ID!]!
    ): PriceListFixedPricesUpdatePayload
    quantityPricingByVariantUpdate(
      priceListId: ID!
      input: QuantityPricingByVariantUpdateInput!
    ): QuantityPricingByVariantUpdatePayload
    catalogCreate(input: CatalogCreateInput!): CatalogCreatePayload
    metafieldsDelete(metafields: [MetafieldIdentifierInput!]!): MetafieldsDeletePayload
  }
`;
