import express, { type Express } from 'express';

/** Sandbox storefront: an HTTP service speaking Shopify's Admin GraphQL and webhook dialect. */
export function createStoreSandboxApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'sandbox-storefront' });
  });
  return app;
}
