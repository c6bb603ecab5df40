/**
 * Shopify's webhooks, beside its client: the signature and headers of a delivery (verify), the bodies
 * Quayside reads (schemas, privacy) parsed without losing digits (json), their mapping to the canonical
 * events and the process each starts (map), and the subscriptions registered through the Admin API.
 * The route that receives them is api/routes/webhooks.ts with its ingress in api/webhooks/.
 */
export * from './json';
export * from './map';
export * from './privacy';
export * from './schemas';
export * from './subscriptions';
export * from './verify';
