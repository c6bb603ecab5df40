import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Db } from '../db/pool';
import type { Logger } from '../platform/logger';
import { refuseDeclaredOversize } from './body';
import { guardFor, type AuthFailureLimits } from './brute-force';
import { errorHandler, notFound } from './errors';
import { createMetrics, type ApiMetrics } from './metrics';
import { authenticate, requireRole } from './auth';
import { openApiDocument } from './openapi';
import { codecRouter } from './routes/codec';
import { dashboardRouter } from './routes/dashboard';
import { healthRouter } from './routes/health';
import { ordersRouter } from './routes/orders';
import { quoteRouter } from './routes/quote';
import { settingsRouter } from './routes/settings';
import { templatesRouter } from './routes/templates';
import { flowsRouter } from './routes/flows';
import { alertsRouter } from './routes/alerts';
import { reconcileRouter } from './routes/reconcile';
import { approvalsRouter } from './routes/approvals';
import { customersRouter } from './routes/customers';
import { privacyRouter } from './routes/privacy';
import { returnsRouter } from './routes/returns';
import { webhooksRouter } from './routes/webhooks';
import type { IngressShop } from './webhooks/ingress';
import { requireSignIn, sessionSettingsFrom, webSessions, type SessionSettings } from './session';

export interface ApiDeps {
  temporal: Client;
  db: Db;
  log: Logger;
  store: string;
  taskQueuePrefix: string;
  temporalUiUrl?: string;
  namespace?: string;
  /** Shopify app client secret for webhook HMAC (and the previous one during a rotation). */
  shopifySecret?: string;
  shopifySecretPrevious?: string;
  /**
   * Every store this API serves (the primary `store` among them), by shop domain, each with its own
   * webhook secrets. Absent: the primary store alone.
   */
  shops?: IngressShop[];
  /** The payload codec workflows use; exposes the authorized /codec endpoint when set. */
  payloadCodec?: PayloadCodec;
  /** Browser sign-in sessions; development defaults (a random cookie secret) when absent. */
  sessions?: SessionSettings;
  /** The process's metrics (api/main.ts also serves them on API_METRICS_ADDRESS); a new set when absent. */
  metrics?: ApiMetrics;
  /** Failed authentications allowed per key id and per address before 429 (defaults in api/brute-force.ts). */
  authFailureLimits?: AuthFailureLimits;
}

const JSON_LIMIT_BYTES = 2 * 1024 * 1024;

/** The HTTP API: routers are built from their dependencies; one error middleware shapes every error. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  guardFor(deps.db, deps.authFailureLimits);
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: deps.log,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
    }),
  );
  const metrics = deps.metrics ?? createMetrics();
  app.use(metrics.middleware);
  // On the API's port, metrics (routes, volumes, latencies) are for operators only.
  app.use(metrics.router(authenticate(deps.db), requireRole('operator', 'admin')));
  app.use(healthRouter(deps));
  // Checkout quotes are asked by the storefront's checkout with an API key, hundreds a second: they
  // come before the browser sessions, the body parsers and the other routers, which they do not use.
  app.use(quoteRouter(deps));
  const sessions = webSessions({
    db: deps.db,
    log: deps.log,
    settings:
      deps.sessions ??
      sessionSettingsFrom({
        NODE_ENV: 'development',
        SESSION_SECRET: undefined,
        SESSION_IDLE_MINUTES: 30,
        SESSION_MAX_HOURS: 12,
        API_PUBLIC_URL: undefined,
      }),
  });
  // Webhooks need the raw body for their signature, so they come before the JSON parser.
  if (deps.payloadCodec)
    app.use(
      codecRouter({
        db: deps.db,
        codec: deps.payloadCodec,
        session: sessions.identify,
        namespace: deps.namespace ?? 'default',
        uiOrigin: deps.temporalUiUrl ? new URL(deps.temporalUiUrl).origin : undefined,
      }),
    );
  app.use(webhooksRouter(deps));
  app.use(refuseDeclaredOversize(JSON_LIMIT_BYTES));
  app.use(express.json({ limit: JSON_LIMIT_BYTES }));
  // The dashboard's forms post url-encoded; the CSRF check reads their `_csrf` field, so it is parsed first.
  app.use('/dashboard', express.urlencoded({ extended: false, limit: '3mb', parameterLimit: 20 }));
  app.use(...sessions.middleware);
  app.use(sessions.router);
  app.use(ordersRouter(deps));
  app.use(settingsRouter(deps));
  app.use(templatesRouter(deps));
  app.use(flowsRouter(deps));
  app.use(alertsRouter(deps));
  app.use(reconcileRouter(deps));
  app.use(approvalsRouter(deps));
  app.use(returnsRouter(deps));
  app.use(customersRouter(deps));
  app.use(privacyRouter(deps));
  // Every page with business data needs a signed-in session.
  app.use('/dashboard', requireSignIn);
  app.use(
    dashboardRouter({
      db: deps.db,
      temporal: deps.temporal,
      log: deps.log,
      temporalUiUrl: deps.temporalUiUrl,
      namespace: deps.namespace ?? 'default',
      store: deps.store,
      taskQueuePrefix: deps.taskQueuePrefix,
      ...(deps.shops ? { shops: deps.shops } : {}),
    }),
  );
  let openapi: Record<string, unknown> | undefined;
  app.get('/openapi.json', (_req, res) => {
    openapi ??= openApiDocument(app);
    res.json(openapi);
  });
  app.use((req, _res, next) => next(notFound('ROUTE.NOT_FOUND', `No route for ${req.method} ${req.path}.`)));
  app.use(errorHandler);
  return app;
}
