import { buildASTSchema } from 'graphql';
import { BULK_SDL } from './bulk';
import { withConnections } from './connections';
import { COMPANIES_SDL } from './companies';
import { PRICING_SDL } from './pricing-schema';
import { PRODUCTS_SDL } from './products';
import { RETURNS_SDL } from './returns';

/** The subset of Shopify's Admin GraphQL schema that Quayside uses, with Shopify's names and shapes. */
export const ADMIN_SDL = /* GraphQL */ `
  directive @idempotent(key: String!) on FIELD

  scalar DateTime
  scalar Decimal
  scalar URL

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    endCursor: String
    startCursor: String
  }
  type MoneyV2 {
    amount: Decimal!
    currencyCode: String!
  }
  type MoneyBag {
    shopMoney: MoneyV2!
    presentmentMoney: MoneyV2!
  }
  type UserError {
    field: [String!]
    message: String!
    code: String
  }

  type Shop {
    id: ID!
    name: String!
    myshopifyDomain: String!
    currencyCode: String!
  }

  type Metafield {
    id: ID!
    namespace: String!
    key: String!
    type: String!
    value: String!
  }
  type MetafieldConnection {
    nodes: [Metafield!]!
    pageInfo: PageInfo!
  }

  type Location {
    id: ID!
    name: String!
  }
  type LocationConnection {
    nodes: [Location!]!
    pageInfo: PageInfo!
  }
  type Publication {
    id: ID!
    name: String!
  }
  type PublicationConnection {
    nodes: [Publication!]!
    pageInfo: PageInfo!
  }

  type InventoryLevel {
    id: ID!
    location: Location!
    updatedAt: DateTime!
    quantities(names: [String!]!): [InventoryQuantity!]!
  }
  type InventoryQuantity {
    name: String!
    quantity: Int!
  }
  type InventoryLevelConnection {
    nodes: [InventoryLevel!]!
    pageInfo: PageInfo!
  }
  type InventoryItem {
    id: ID!
    sku: String
    tracked: Boolean!
    createdAt: DateTime!
    updatedAt: DateTime!
    variant: ProductVariant!
    inventoryLevels(first: Int!): InventoryLevelConnection!
  }
  type InventoryItemConnection {
    nodes: [InventoryItem!]!
    pageInfo: PageInfo!
  }

  type Product {
    id: ID!
    title: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    publishedOnPublication(publicationId: ID!): Boolean!
    publishedOnCurrentPublication: Boolean!
    variants(first: Int!): ProductVariantConnection!
  }
  type ProductVariant {
    id: ID!
    sku: String
    title: String!
    price: Decimal!
    product: Product!
    inventoryItem: InventoryItem!
  }
  type ProductVariantConnection {
    nodes: [ProductVariant!]!
    pageInfo: PageInfo!
  }
  type ProductConnection {
    nodes: [Product!]!
    pageInfo: PageInfo!
  }
  enum ProductSortKeys {
    ID
    TITLE
    CREATED_AT
    UPDATED_AT
  }
  enum ProductVariantSortKeys {
    ID
    SKU
  }

  type Customer {
    id: ID!
    email: String
    firstName: String
    lastName: String
    taxExempt: Boolean!
    tags: [String!]!
    metafield(namespace: String!, key: String!): Metafield
    metafields(first: Int!, namespace: String): MetafieldConnection!
  }
  type CustomerConnection {
    nodes: [Customer!]!
    pageInfo: PageInfo!
  }

  type PriceList {
    id: ID!
    name: String!
    currency: String!
  }
  type Catalog {
    id: ID!
    title: String!
    priceList: PriceList
  }
  type CatalogConnection {
    nodes: [Catalog!]!
    pageInfo: PageInfo!
  }
  type PaymentTermsTemplate {
    id: ID!
    name: String!
    paymentTermsType: String!
    dueInDays: Int
  }
  type BuyerExperienceConfiguration {
    paymentTermsTemplate: PaymentTermsTemplate
  }
  type CompanyLocation {
    id: ID!
    name: String!
    company: Company!
    buyerExperienceConfiguration: BuyerExperienceConfiguration
    catalogs(first: Int!): CatalogConnection!
    metafield(namespace: String!, key: String!): Metafield
  }
  type CompanyLocationConnection {
    nodes: [CompanyLocation!]!
    pageInfo: PageInfo!
  }
  type CompanyContact {
    id: ID!
    customer: Customer!
  }
  type CompanyContactConnection {
    nodes: [CompanyContact!]!
    pageInfo: PageInfo!
  }
  type Company {
    id: ID!
    name: String!
    externalId: String
    locations(first: Int!): CompanyLocationConnection!
    contacts(first: Int!): CompanyContactConnection!
    metafield(namespace: String!, key: String!): Metafield
  }
  type CompanyConnection {
    nodes: [Company!]!
    pageInfo: PageInfo!
  }

  type LineItem {
    id: ID!
    sku: String
    title: String!
    quantity: Int!
    currentQuantity: Int!
    unfulfilledQuantity: Int!
    originalUnitPriceSet: MoneyBag!
  }
  type LineItemConnection {
    nodes: [LineItem!]!
    pageInfo: PageInfo!
  }
  type FulfillmentOrderLineItem {
    id: ID!
    remainingQuantity: Int!
    totalQuantity: Int!
    lineItem: LineItem!
  }
  type FulfillmentOrderLineItemConnection {
    nodes: [FulfillmentOrderLineItem!]!
    pageInfo: PageInfo!
  }
  type FulfillmentOrder {
    id: ID!
    status: String!
    lineItems(first: Int!): FulfillmentOrderLineItemConnection!
  }
  type FulfillmentOrderConnection {
    nodes: [FulfillmentOrder!]!
    pageInfo: PageInfo!
  }
  type TrackingInfo {
    company: String
    number: String
    url: URL
  }
  type Fulfillment {
    id: ID!
    status: String!
    createdAt: DateTime!
    trackingInfo(first: Int): [TrackingInfo!]!
  }
  enum OrderTransactionKind {
    AUTHORIZATION
    CAPTURE
    SALE
    VOID
    REFUND
    CHANGE
    EMV_AUTHORIZATION
    SUGGESTED_REFUND
  }
  enum OrderTransactionStatus {
    SUCCESS
    FAILURE
    PENDING
    ERROR
    AWAITING_RESPONSE
    UNKNOWN
  }
  type OrderTransaction {
    id: ID!
    kind: OrderTransactionKind!
    status: OrderTransactionStatus!
    gateway: String
    amountSet: MoneyBag!
    maximumRefundableV2: MoneyV2
    parentTransaction: OrderTransaction
    createdAt: DateTime!
    processedAt: DateTime
  }
  type OrderTransactionConnection {
    nodes: [OrderTransaction!]!
    pageInfo: PageInfo!
  }
  type Refund {
    id: ID!
    note: String
    createdAt: DateTime!
    totalRefundedSet: MoneyBag!
    transactions(first: Int): OrderTransactionConnection!
  }
  type Order {
    id: ID!
    name: String!
    email: String
    poNumber: String
    note: String
    tags: [String!]!
    displayFinancialStatus: String
    cancelledAt: DateTime
    cancelReason: String
    createdAt: DateTime!
    updatedAt: DateTime!
    customer: Customer
    lineItems(first: Int!): LineItemConnection!
    fulfillmentOrders(first: Int!): FulfillmentOrderConnection!
    fulfillments(first: Int): [Fulfillment!]!
    refunds(first: Int): [Refund!]!
    transactions(first: Int): [OrderTransaction!]!
    totalReceivedSet: MoneyBag!
    totalRefundedSet: MoneyBag!
    metafield(namespace: String!, key: String!): Metafield
    metafields(first: Int!, namespace: String): MetafieldConnection!
  }
  type OrderConnection {
    nodes: [Order!]!
    pageInfo: PageInfo!
  }
  enum OrderSortKeys {
    ID
    UPDATED_AT
    CREATED_AT
    ORDER_NUMBER
  }
  enum CustomerSortKeys {
    ID
    UPDATED_AT
    CREATED_AT
  }
  type Return {
    id: ID!
    status: String!
    order: Order!
    declineReason: String
    returnLineItems(first: Int): ReturnLineItemTypeConnection!
  }

  enum WebhookSubscriptionTopic {
    ORDERS_CREATE
    ORDERS_UPDATED
    ORDERS_CANCELLED
    ORDERS_FULFILLED
    ORDERS_PAID
    CUSTOMERS_CREATE
    CUSTOMERS_UPDATE
    RETURNS_REQUEST
    RETURNS_APPROVE
    RETURNS_DECLINE
    RETURNS_CLOSE
    REFUNDS_CREATE
    FULFILLMENTS_CREATE
    INVENTORY_LEVELS_UPDATE
    PRODUCTS_UPDATE
  }
  type WebhookHttpEndpoint {
    callbackUrl: URL!
  }
  type WebhookSubscription {
    id: ID!
    topic: WebhookSubscriptionTopic!
    uri: String!
    callbackUrl: URL!
    endpoint: WebhookHttpEndpoint!
    format: String!
    createdAt: DateTime!
  }
  type WebhookSubscriptionConnection {
    nodes: [WebhookSubscription!]!
    pageInfo: PageInfo!
  }

  type AccessScope {
    handle: String!
    description: String!
  }
  type AppInstallation {
    id: ID!
    accessScopes: [AccessScope!]!
  }

  type Query {
    shop: Shop!
    currentAppInstallation: AppInstallation!
    job(id: ID!): Job
    order(id: ID!): Order
    orders(first: Int!, query: String, sortKey: OrderSortKeys, reverse: Boolean): OrderConnection!
    product(id: ID!): Product
    products(first: Int, query: String, sortKey: ProductSortKeys): ProductConnection!
    productVariant(id: ID!): ProductVariant
    productVariants(first: Int!, query: String, sortKey: ProductVariantSortKeys): ProductVariantConnection!
    inventoryItem(id: ID!): InventoryItem
    inventoryItems(first: Int, query: String): InventoryItemConnection!
    locations(first: Int!): LocationConnection!
    publications(first: Int!): PublicationConnection!
    customer(id: ID!): Customer
    customers(first: Int!, query: String, sortKey: CustomerSortKeys): CustomerConnection!
    company(id: ID!): Company
    companies(first: Int!, query: String): CompanyConnection!
    catalogs(first: Int!, query: String): CatalogConnection!
    paymentTermsTemplates: [PaymentTermsTemplate!]!
    return(id: ID!): Return
    webhookSubscriptions(
      first: Int!
      topics: [WebhookSubscriptionTopic!]
      uri: String
      callbackUrl: URL
    ): WebhookSubscriptionConnection!
  }

  input FulfillmentOrderLineItemInput {
    id: ID!
    quantity: Int!
  }
  input FulfillmentOrderLineItemsInput {
    fulfillmentOrderId: ID!
    fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]
  }
  input FulfillmentTrackingInput {
    company: String
    number: String
    numbers: [String!]
    url: URL
    urls: [URL!]
  }
  input FulfillmentInput {
    lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]!
    notifyCustomer: Boolean
    trackingInfo: FulfillmentTrackingInput
  }
  type FulfillmentCreatePayload {
    fulfillment: Fulfillment
    userErrors: [UserError!]!
  }

  input InventoryQuantityInput {
    inventoryItemId: ID!
    locationId: ID!
    quantity: Int!
    changeFromQuantity: Int
    compareQuantity: Int
  }
  input InventorySetQuantitiesInput {
    name: String!
    reason: String!
    referenceDocumentUri: String
    ignoreCompareQuantity: Boolean
    quantities: [InventoryQuantityInput!]!
  }
  type InventoryChange {
    name: String!
    delta: Int!
    quantityAfterChange: Int
  }
  type InventoryAdjustmentGroup {
    id: ID!
    reason: String!
    changes: [InventoryChange!]!
  }
  type InventorySetQuantitiesPayload {
    inventoryAdjustmentGroup: InventoryAdjustmentGroup
    userErrors: [UserError!]!
  }

  input PublicationInput {
    publicationId: ID
  }
  type PublishablePayload {
    userErrors: [UserError!]!
  }

  type TagsAddPayload {
    node: Order
    userErrors: [UserError!]!
  }
  input MetafieldInput {
    namespace: String
    key: String
    type: String
    value: String
  }
  input OrderInput {
    id: ID!
    note: String
    tags: [String!]
    poNumber: String
    metafields: [MetafieldInput!]
  }
  type OrderUpdatePayload {
    order: Order
    userErrors: [UserError!]!
  }
  input MetafieldsSetInput {
    ownerId: ID!
    namespace: String!
    key: String!
    type: String!
    value: String!
  }
  type MetafieldsSetPayload {
    metafields: [Metafield!]
    userErrors: [UserError!]!
  }

  enum OrderCancelReason {
    CUSTOMER
    DECLINED
    FRAUD
    INVENTORY
    STAFF
    OTHER
  }
  type Job {
    id: ID!
    done: Boolean!
  }
  type OrderCancelPayload {
    job: Job
    orderCancelUserErrors: [UserError!]!
    userErrors: [UserError!]!
  }

  input RefundLineItemInput {
    lineItemId: ID!
    quantity: Int!
    restockType: String
    locationId: ID
  }
  input OrderTransactionInput {
    amount: Decimal!
    gateway: String!
    kind: OrderTransactionKind!
    orderId: ID!
    parentId: ID
  }
  input RefundInput {
    orderId: ID!
    note: String
    notify: Boolean
    currency: String
    refundLineItems: [RefundLineItemInput!]
    transactions: [OrderTransactionInput!]
  }
  type RefundCreatePayload {
    refund: Refund
    order: Order
    userErrors: [UserError!]!
  }

  input ReturnApproveRequestInput {
    id: ID!
    notifyCustomer: Boolean
  }
  enum ReturnDeclineReason {
    RETURN_PERIOD_ENDED
    FINAL_SALE
    OTHER
  }
  input ReturnDeclineRequestInput {
    id: ID!
    declineReason: ReturnDeclineReason!
    declineNote: String
    notifyCustomer: Boolean
  }
  type ReturnPayload {
    return: Return
    userErrors: [UserError!]!
  }

  input CustomerInput {
    id: ID
    email: String
    firstName: String
    lastName: String
    phone: String
    note: String
    taxExempt: Boolean
    tags: [String!]
    metafields: [MetafieldInput!]
  }
  type CustomerPayload {
    customer: Customer
    userErrors: [UserError!]!
  }

  input CompanyInput {
    name: String
    externalId: String
    note: String
  }
  input CompanyContactInput {
    email: String
    firstName: String
    lastName: String
  }
  input BuyerExperienceConfigurationInput {
    paymentTermsTemplateId: ID
  }
  input CompanyLocationInput {
    name: String
    buyerExperienceConfiguration: BuyerExperienceConfigurationInput
  }
  input CompanyCreateInput {
    company: CompanyInput!
    companyContact: CompanyContactInput
    companyLocation: CompanyLocationInput
  }
  type CompanyPayload {
    company: Company
    userErrors: [UserError!]!
  }
  type CompanyContactPayload {
    companyContact: CompanyContact
    userErrors: [UserError!]!
  }
  input CompanyLocationUpdateInput {
    name: String
    buyerExperienceConfiguration: BuyerExperienceConfigurationInput
  }
  type CompanyLocationPayload {
    companyLocation: CompanyLocation
    userErrors: [UserError!]!
  }
  input CatalogContextInput {
    companyLocationIds: [ID!]
  }
  type CatalogContextUpdatePayload {
    catalog: Catalog
    userErrors: [UserError!]!
  }

  input WebhookSubscriptionInput {
    uri: String
    callbackUrl: URL
    format: String
  }
  type WebhookSubscriptionCreatePayload {
    webhookSubscription: WebhookSubscription
    userErrors: [UserError!]!
  }
  type WebhookSubscriptionDeletePayload {
    deletedWebhookSubscriptionId: ID
    userErrors: [UserError!]!
  }

  type Mutation {
    fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
    inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
    publishablePublish(id: ID!, input: [PublicationInput!]!): PublishablePayload
    publishableUnpublish(id: ID!, input: [PublicationInput!]!): PublishablePayload
    tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
    orderUpdate(input: OrderInput!): OrderUpdatePayload
    metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
    orderCancel(
      orderId: ID!
      reason: OrderCancelReason!
      notifyCustomer: Boolean
      refund: Boolean
      restock: Boolean!
      staffNote: String
    ): OrderCancelPayload
    refundCreate(input: RefundInput!): RefundCreatePayload
    returnApproveRequest(input: ReturnApproveRequestInput!): ReturnPayload
    returnDeclineRequest(input: ReturnDeclineRequestInput!): ReturnPayload
    returnClose(id: ID!): ReturnPayload
    customerCreate(input: CustomerInput!): CustomerPayload
    customerUpdate(input: CustomerInput!): CustomerPayload
    companyCreate(input: CompanyCreateInput!): CompanyPayload
    companyUpdate(companyId: ID!, input: CompanyInput!): CompanyPayload
    companyAssignCustomerAsContact(companyId: ID!, customerId: ID!): CompanyContactPayload
    companyLocationUpdate(companyLocationId: ID!, input: CompanyLocationUpdateInput!): CompanyLocationPayload
    catalogContextUpdate(
      catalogId: ID!
      contextsToAdd: CatalogContextInput
      contextsToRemove: CatalogContextInput
    ): CatalogContextUpdatePayload
    webhookSubscriptionCreate(
      topic: WebhookSubscriptionTopic!
      webhookSubscription: WebhookSubscriptionInput!
    ): WebhookSubscriptionCreatePayload
    webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
  }
`;

/** Every connection gets `edges`, a complete `pageInfo` and `first/after/last/before/reverse` (connections.ts). */
export const adminSchema = buildASTSchema(
  withConnections(ADMIN_SDL + PRICING_SDL + RETURNS_SDL + COMPANIES_SDL + PRODUCTS_SDL + BULK_SDL),
);
