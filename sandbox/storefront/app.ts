import { stringify } from 'lossless-json';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import {
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type OperationDefinitionNode,
} from 'graphql';
import type { Logger } from '../../platform/logger';
import { createBulkRunner } from './bulk';
import { pagingFieldResolver } from './connections';
import { CostBucket, requestedCost } from './cost';
import type { StoreDb } from './db';
import { createJobRunner } from './jobs';
import { createRootValue } from './resolvers';
import { orderJson } from './rest';
import { adminSchema } from './schema';
import { QUAYSIDE_SCOPES, scopesOf, withScopes } from './scopes';
import { simulatorRouter } from './simulator';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhooks';

/** The sandbox's documented development credentials (override them with the SHOPIFY_* / SANDBOX_STORE_* settings). */
export const SANDBOX_DEV_ACCESS_TOKEN = 'shpat_quayside_sandbox_dev_token';
export const SANDBOX_DEV_WEBHOOK_SECRET = 'quayside-sandbox-webhook-secret';
export const SANDBOX_SHOP_DOMAIN = 'quayside-sandbox.myshopify.com';

export interface StoreSandboxOptions {
  db: StoreDb;
  log?: Logger;
  accessToken?: string;
  /** The development token's access scopes (default: the ones Quayside needs, QUAYSIDE_SCOPES). */
  accessScopes?: readonly string[];
  /** The app's client secret: webhooks are signed with it. */
  webhookSecret?: string;
  shopDomain?: string;
  /** Leaky bucket of query cost points: size and points restored per second. */
  bucketSize?: number;
  restoreRate?: number;
  retryScale?: number;
  duplicateRate?: number;
  reorderRate?: number;
  reorderDelayMs?: number;
  /** How long an asynchronous job (orderCancel) takes to finish (default 300 ms). */
  jobDelayMs?: number;
  /** How long a bulk operation stays CREATED before it runs (default 0). */
  bulkStartDelayMs?: number;
}

export interface StoreSandbox {
  app: Express;
  webhooks: WebhookDispatcher;
  close(): Promise<void>;
}

const MAX_SINGLE_QUERY_COST = 1000;

/** Sandbox storefront: an HTTP service speaking Shopify's Admin GraphQL and webhook dialect. */
export function createStoreSandbox(opts: StoreSandboxOptions): StoreSandbox {
  const accessToken = opts.accessToken ?? SANDBOX_DEV_ACCESS_TOKEN;
  const shopDomain = opts.shopDomain ?? SANDBOX_SHOP_DOMAIN;
  const bucket = new CostBucket(opts.bucketSize ?? 2000, opts.restoreRate ?? 100);
  const webhooks = createWebhookDispatcher(opts.db, {
    secret: opts.webhookSecret ?? SANDBOX_DEV_WEBHOOK_SECRET,
    shopDomain,
    apiVersion: '2026-04',
    retryScale: opts.retryScale ?? 1,
    duplicateRate: opts.duplicateRate ?? 0,
    reorderRate: opts.reorderRate ?? 0,
    reorderDelayMs: opts.reorderDelayMs ?? 500,
    log: opts.log,
  });

  const jobs = createJobRunner(opts.db, webhooks, { delayMs: opts.jobDelayMs ?? 300, log: opts.log });
  /** The root resolvers a request with these scopes gets; bulk queries run their pages through the same. */
  const rootFor = (apiVersion: string, scopes: readonly string[], baseUrl = '') =>
    withScopes(
      {
        ...createRootValue({ db: opts.db, webhooks, shopDomain, apiVersion, jobs }),
        ...bulk.root({ baseUrl, apiVersion, scopes }),
      },
      scopes,
    );
  const bulk = createBulkRunner({
    db: opts.db,
    webhooks,
    schema: adminSchema,
    rootFor,
    secret: opts.webhookSecret ?? SANDBOX_DEV_WEBHOOK_SECRET,
    ...(opts.bulkStartDelayMs ? { startDelayMs: opts.bulkStartDelayMs } : {}),
    log: opts.log,
  });

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'sandbox-storefront' });
  });

  /** The token's scopes; without a known token, answers 401 as Shopify does and gives undefined. */
  const authorize = async (req: Request, res: Response) => {
    const scopes = await scopesOf(opts.db, req.get('x-shopify-access-token'), {
      token: accessToken,
      scopes: opts.accessScopes ?? QUAYSIDE_SCOPES,
    });
    if (!scopes)
      res
        .status(401)
        .json({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    return scopes;
  };

  app.post(
    '/admin/api/:version/graphql.json',
    express.json({ limit: '5mb' }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const scopes = await authorize(req, res);
        if (!scopes) return;
        const version = String(req.params.version);
        if (!/^\d{4}-\d{2}$|^unstable$/.test(version)) {
          res.status(404).json({ errors: 'Not Found' });
          return;
        }
        const { query, variables, operationName } = (req.body ?? {}) as {
          query?: string;
          variables?: Record<string, unknown>;
          operationName?: string;
        };
        if (typeof query !== 'string' || !query.trim()) {
          res.status(400).json({ errors: { query: 'Required parameter missing or invalid' } });
          return;
        }
        let doc: DocumentNode;
        try {
          doc = parse(query);
        } catch (err) {
          res.json({
            errors: [{ message: (err as GraphQLError).message, locations: (err as GraphQLError).locations }],
          });
          return;
        }
        const problems = validate(adminSchema, doc);
        if (problems.length) {
          res.json({
            errors: problems.map((p) => ({
              message: p.message,
              locations: p.locations,
              extensions: { code: 'undefinedField' },
            })),
          });
          return;
        }
        const operation = doc.definitions.find(
          (d): d is OperationDefinitionNode =>
            d.kind === 'OperationDefinition' && (!operationName || d.name?.value === operationName),
        );
        if (!operation) {
          res.json({ errors: [{ message: 'No operation to run' }] });
          return;
        }
        const cost = requestedCost(doc, operation, variables ?? {});
        if (cost > MAX_SINGLE_QUERY_COST) {
          res.json({
            errors: [
              {
                message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).`,
                extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: MAX_SINGLE_QUERY_COST },
              },
            ],
            extensions: {
              cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: bucket.status() },
            },
          });
          return;
        }
        if (!bucket.take(cost)) {
          res.json({
            errors: [
              {
                message: 'Throttled',
                extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
              },
            ],
            extensions: {
              cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: bucket.status() },
            },
          });
          return;
        }
        const result = await execute({
          schema: adminSchema,
          document: doc,
          rootValue: rootFor(version, scopes, `${req.protocol}://${req.get('host')}`),
          variableValues: variables ?? {},
          operationName,
          fieldResolver: pagingFieldResolver,
        });
        for (const err of result.errors ?? [])
          if (!err.path) opts.log?.warn({ err }, 'sandbox store query failed');
        const actual = Math.min(cost, requestedCost(doc, operation, variables ?? {}, result.data ?? null));
        bucket.refund(cost - actual);
        res.json({
          ...(result.errors ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
          data: result.data ?? null,
          extensions: {
            cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: bucket.status() },
          },
        });
      } catch (err) {
        next(err);
      }
    },
  );

  // The REST Admin API's order resource: the representation webhooks carry, read by id.
  app.get('/admin/api/:version/orders/:file', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const scopes = await authorize(req, res);
      if (!scopes) return;
      if (!scopes.includes('read_orders') && !scopes.includes('write_orders')) {
        res.status(403).json({
          errors: 'This action requires merchant approval for read_orders scope.',
        });
        return;
      }
      const m = /^(\d+)\.json$/.exec(String(req.params.file));
      const body =
        m && /^\d{4}-\d{2}$|^unstable$/.test(String(req.params.version))
          ? await orderJson(opts.db, m[1]!)
          : undefined;
      if (!body) {
        res.status(404).json({ errors: 'Not Found' });
        return;
      }
      res.type('application/json').send(stringify({ order: body }) ?? 'null');
    } catch (err) {
      next(err);
    }
  });

  // Bulk operation results, at the signed URLs the operations give (no access token, as on Shopify's storage).
  app.use(bulk.router());
  app.use(simulatorRouter({ db: opts.db, webhooks }));
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ errors: 'Not Found' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    opts.log?.error({ err }, 'sandbox store error');
    res.status(500).json({ errors: 'Internal Server Error' });
  });

  return {
    app,
    webhooks,
    close: async () => {
      jobs.close();
      await bulk.close();
      return webhooks.close();
    },
  };
}
