import express, { type Express } from 'express';

/** Sandbox ERP: an HTTP service speaking NetSuite's SuiteTalk REST dialect. */
export function createErpSandboxApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'sandbox-erp' });
  });
  return app;
}
