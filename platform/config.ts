import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const timeZone = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be an IANA time zone such as America/Los_Angeles' },
    );

/** A storefront besides the primary one (QUAYSIDE_MORE_STORES): its own shop, token and webhook secret. */
const MoreStore = z.strictObject({
  /** The store's name in workflow ids, task queues and every store-keyed row. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes (at most 40)'),
  shopDomain: z.string().min(1),
  adminUrl: z.url(),
  accessToken: z.string().min(1),
  apiSecret: z.string().min(1),
  apiSecretPrevious: z.string().min(1).optional(),
  apiVersion: z
    .string()
    .regex(/^\d{4}-\d{2}$|^unstable$/)
    .optional(),
});

const defaultCacheDir = path.join(
  process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
  'quayside',
);

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_PRETTY: bool(process.stdout.isTTY === true),

  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/quayside'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port(3000),
  API_PUBLIC_URL: optionalString,
  /** Where /metrics is served without authentication (e.g. 127.0.0.1:9465, for Prometheus); on the API port it needs an operator. */
  API_METRICS_ADDRESS: optionalString,

  /** Signs the browser session cookie; comma-separated, newest first, to rotate. Required in production. */
  SESSION_SECRET: optionalString,
  /** A signed-in browser session ends after this long without a request ... */
  SESSION_IDLE_MINUTES: z.coerce.number().min(1).max(1440).default(30),
  /** ... and this long after sign-in, however active. */
  SESSION_MAX_HOURS: z.coerce.number().min(0.1).max(720).default(12),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: bool(false),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_UI_URL: optionalString,
  TEMPORAL_TASK_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]*$/, 'lowercase letters, digits and dashes')
    .default(''),

  QUAYSIDE_DATA_DIR: z.string().default(path.resolve('.quayside')),
  QUAYSIDE_CACHE_DIR: z.string().default(defaultCacheDir),
  QUAYSIDE_STORE: z.string().min(1).default('sandbox-store'),
  /**
   * The storefronts this deployment serves besides QUAYSIDE_STORE (whose connection is SHOPIFY_*), as a
   * JSON array: `[{"name":"dtc","shopDomain":"…","adminUrl":"…","accessToken":"…","apiSecret":"…"}]`.
   */
  QUAYSIDE_MORE_STORES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return [];
      let json: unknown;
      try {
        json = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of stores' });
        return z.NEVER;
      }
      const parsed = z.array(MoreStore).safeParse(json);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', message: `[${issue.path.join('.')}] ${issue.message}` });
        return z.NEVER;
      }
      return parsed.data;
    }),
  /** Comma-separated base64 AES-256 keys, newest first: workflow payloads are encrypted with them. */
  QUAYSIDE_PAYLOAD_KEYS: optionalString,

  SANDBOX_HOST: z.string().default('127.0.0.1'),
  SANDBOX_ERP_PORT: port(4001),
  SANDBOX_STORE_PORT: port(4002),
  SANDBOX_ENABLED: bool(true),
  /**
   * `npm start` runs a second sandbox shop beside the primary one, as the store of this name (a DTC shop
   * beside the B2B one), while QUAYSIDE_MORE_STORES names no store of its own; empty: one shop only.
   */
  SANDBOX_SECOND_STORE: z
    .string()
    .regex(/^$|^[a-z0-9][a-z0-9-]{0,39}$/, 'empty, or lowercase letters, digits and dashes (at most 40)')
    .default('sandbox-dtc'),
  SANDBOX_SECOND_STORE_PORT: port(4003),
  /** The second sandbox shop sells the first this many ERP items, to this many customers. */
  SANDBOX_SECOND_STORE_SKUS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  SANDBOX_SECOND_STORE_CUSTOMERS: z.coerce.number().int().min(1).max(100_000).default(20),

  /** Where the worker serves Temporal SDK metrics for Prometheus (e.g. 127.0.0.1:9464); off when unset. */
  WORKER_METRICS_ADDRESS: optionalString,
  /** How long `npm start` waits for the worker to poll its task queue before it gives up and stops. */
  WORKER_START_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(90),
  /**
   * Temporal worker tuning, per task queue's worker; unset = the SDK's defaults (40 concurrent
   * workflow tasks, a workflow cache sized from memory, one reused V8 context). Measured before
   * changing: docs/performance.md.
   */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).optional(),
  WORKER_REUSE_V8_CONTEXT: bool(true),

  /** Standing processes the worker keeps running: ERP change polling and the syncs. */
  STANDING_PROCESSES: bool(true),
  ERP_EVENTS_POLL_SECONDS: z.coerce.number().min(0.2).max(3600).default(2),
  SYNC_INVENTORY_POLL_SECONDS: z.coerce.number().min(0.2).max(3600).default(5),
  SYNC_PAGE_SIZE: z.coerce.number().int().min(10).max(5000).default(1000),
  SYNC_CATALOG_REFRESH_MINUTES: z.coerce.number().min(1).max(10_080).default(60),
  RECONCILE_INTERVAL_MINUTES: z.coerce.number().min(0.1).max(1440).default(10),
  RECONCILE_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
  /** How far back each reconciliation pass compares store orders and stock changes. */
  RECONCILE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(43_200).default(1440),
  /** SKUs whose store quantities each pass reads and compares (changed ones first, then a rotating slice). */
  RECONCILE_STOCK_BATCH: z.coerce.number().int().min(0).max(100_000).default(500),

  // NetSuite (SuiteTalk REST, token-based authentication). Defaults: the sandbox ERP's development account.
  NETSUITE_BASE_URL: z.url().default('http://127.0.0.1:4001'),
  NETSUITE_ACCOUNT_ID: z.string().min(1).default('QUAYSIDE_SB1'),
  NETSUITE_CONSUMER_KEY: z.string().min(1).default('sandbox-consumer-key'),
  NETSUITE_CONSUMER_SECRET: z.string().min(1).default('sandbox-consumer-secret'),
  NETSUITE_TOKEN_ID: z.string().min(1).default('sandbox-token-id'),
  NETSUITE_TOKEN_SECRET: z.string().min(1).default('sandbox-token-secret'),
  /** Requests Quayside keeps in flight against the account at most (keep it under the account's limit). */
  NETSUITE_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * `cluster`: every worker process shares the NETSUITE_CONCURRENCY slots through PostgreSQL, so
   * more replicas never exceed the account's limit; `process`: each process has its own.
   */
  NETSUITE_BUDGET_SCOPE: z.enum(['cluster', 'process']).default('cluster'),
  NETSUITE_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(6),
  NETSUITE_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /** The account's time zone preference (Setup > Company > Preferences): SuiteQL dates are in it. */
  NETSUITE_TIME_ZONE: timeZone('America/Los_Angeles'),
  /**
   * The custom item fields that hold matrix option values, as `Option name:field id`, comma-separated,
   * in the order the store shows the options (at most 3, Shopify's limit).
   */
  NETSUITE_MATRIX_OPTIONS: z
    .string()
    .default('Color:custitem_quayside_color,Size:custitem_quayside_size,Finish:custitem_quayside_finish')
    .transform((v, ctx) => {
      const out = v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => {
          const [name, field] = p.split(':').map((x) => x.trim());
          return { name: name ?? '', field: field ?? '' };
        });
      if (out.length > 3 || out.some((o) => !o.name || !/^custitem[a-z0-9_]+$/.test(o.field)))
        ctx.addIssue({
          code: 'custom',
          message:
            'up to 3 entries "Option name:custitem_field", e.g. "Color:custitem_color,Size:custitem_size"',
        });
      return out;
    }),

  // Sandbox ERP knobs (fault injection and seed size).
  SANDBOX_ERP_CONCURRENCY_LIMIT: z.coerce.number().int().min(0).default(5),
  SANDBOX_ERP_LATENCY_MIN_MS: z.coerce.number().min(0).default(0),
  SANDBOX_ERP_LATENCY_MAX_MS: z.coerce.number().min(0).default(0),
  SANDBOX_ERP_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  /** The sandbox account's time zone, in which its SuiteQL dates are rendered and read. */
  SANDBOX_ERP_TIME_ZONE: timeZone('America/Los_Angeles'),
  /** The account preference "Make Locations Mandatory": sales order lines must name a location. */
  SANDBOX_ERP_LOCATIONS_MANDATORY: bool(false),
  SANDBOX_ERP_SKUS: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
  SANDBOX_ERP_CUSTOMERS: z.coerce.number().int().min(1).max(100_000).default(520),
  SANDBOX_ERP_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('sandbox_erp'),

  // Shopify (or the sandbox store). Defaults are the sandbox's documented development credentials.
  SHOPIFY_API_SECRET: z.string().min(1).default('quayside-sandbox-webhook-secret'),
  SHOPIFY_API_SECRET_PREVIOUS: optionalString,
  SHOPIFY_SHOP_DOMAIN: z.string().min(1).default('quayside-sandbox.myshopify.com'),
  SHOPIFY_ADMIN_URL: z.url().default('http://127.0.0.1:4002'),
  SHOPIFY_ACCESS_TOKEN: z.string().min(1).default('shpat_quayside_sandbox_dev_token'),
  SHOPIFY_API_VERSION: z
    .string()
    .regex(/^\d{4}-\d{2}$|^unstable$/, 'a version such as 2026-04')
    .default('2026-04'),
  SHOPIFY_REGISTER_WEBHOOKS: bool(true),
  /** The sandbox store's schema: a second sandbox store (another shop) runs in a schema and on a port of its own. */
  SANDBOX_STORE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('sandbox_store'),
  SANDBOX_STORE_BUCKET_SIZE: z.coerce.number().int().min(1).default(10_000),
  SANDBOX_STORE_RESTORE_RATE: z.coerce.number().positive().default(1000),
  SANDBOX_STORE_WEBHOOK_RETRY_SCALE: z.coerce.number().positive().max(1).default(1),
  SANDBOX_STORE_DUPLICATE_RATE: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_STORE_REORDER_RATE: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_STORE_REORDER_DELAY_MS: z.coerce.number().int().min(0).default(500),
  /** The sandbox store's development token's access scopes, comma-separated (default: what Quayside needs). */
  SANDBOX_STORE_ACCESS_SCOPES: z
    .string()
    .regex(
      /^\s*((read|write)_[a-z_]+\s*(,\s*|$))*$/,
      'comma-separated scopes such as read_orders,write_orders',
    )
    .optional()
    .transform((v) =>
      v?.trim()
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    ),
  /** Buyer/applicant/approver notifications: an HTTP endpoint receiving signed JSON (a mail relay, chat hook …). */
  NOTIFY_WEBHOOK_URL: optionalString,
  NOTIFY_WEBHOOK_SECRET: optionalString,
  /** Operators' alerts: a Slack-compatible incoming webhook (secret: the URL is the credential). */
  ALERT_SLACK_WEBHOOK_URL: optionalString,
  /** Operators' alerts by email: smtp(s)://user:password@host:port (secret). */
  ALERT_SMTP_URL: optionalString,
  ALERT_EMAIL_FROM: z.string().min(3).default('Quayside alerts <quayside@localhost>'),
  /** How often the worker's dispatcher sends what the alert outbox holds. */
  ALERT_DISPATCH_SECONDS: z.coerce.number().min(0.05).max(3600).default(2),
  /** First retry of a failed delivery; doubles up to ALERT_RETRY_MAX_SECONDS, given up after ALERT_MAX_ATTEMPTS. */
  ALERT_RETRY_BASE_SECONDS: z.coerce.number().min(0.01).max(3600).default(5),
  ALERT_RETRY_MAX_SECONDS: z.coerce.number().min(0.01).max(86_400).default(900),
  ALERT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /** The worker runs the alert dispatcher and the SLA checker. */
  ALERTS_ENABLED: bool(true),
});

export type Config = z.infer<typeof EnvSchema>;

/** One storefront this deployment serves: its name and its Shopify connection. */
export interface StoreConnection {
  name: string;
  shopDomain: string;
  adminUrl: string;
  accessToken: string;
  apiVersion: string;
  /** Webhook signature keys: the app's client secret, and during a rotation the previous one. */
  apiSecret: string;
  apiSecretPrevious?: string;
}

/** Every store of this deployment, the primary one (QUAYSIDE_STORE, SHOPIFY_*) first. */
export function storesOf(config: Config): StoreConnection[] {
  return [
    {
      name: config.QUAYSIDE_STORE,
      shopDomain: config.SHOPIFY_SHOP_DOMAIN,
      adminUrl: config.SHOPIFY_ADMIN_URL,
      accessToken: config.SHOPIFY_ACCESS_TOKEN,
      apiVersion: config.SHOPIFY_API_VERSION,
      apiSecret: config.SHOPIFY_API_SECRET,
      ...(config.SHOPIFY_API_SECRET_PREVIOUS
        ? { apiSecretPrevious: config.SHOPIFY_API_SECRET_PREVIOUS }
        : {}),
    },
    ...config.QUAYSIDE_MORE_STORES.map((s) => ({
      name: s.name,
      shopDomain: s.shopDomain,
      adminUrl: s.adminUrl,
      accessToken: s.accessToken,
      apiVersion: s.apiVersion ?? config.SHOPIFY_API_VERSION,
      apiSecret: s.apiSecret,
      ...(s.apiSecretPrevious ? { apiSecretPrevious: s.apiSecretPrevious } : {}),
    })),
  ];
}

/**
 * The configured store a command names (`--store <name>`), or the primary store when it names none.
 * A name no configured store has is refused with the names there are.
 */
export function storeNamed(config: Config, name?: string): StoreConnection {
  const stores = storesOf(config);
  if (name === undefined) return stores[0]!;
  const found = stores.find((s) => s.name === name);
  if (!found)
    throw new Error(
      `--store ${name}: no such store; the configured stores are ${stores.map((s) => s.name).join(', ')} (QUAYSIDE_STORE and QUAYSIDE_MORE_STORES)`,
    );
  return found;
}

/**
 * The schema of a store's sandbox shop: SANDBOX_STORE_SCHEMA for the primary store, and for another
 * store that schema followed by the store's name (`sandbox_store_dtc`), as `npm start` runs it.
 */
export function sandboxStoreSchemaOf(config: Config, store: string): string {
  return store === config.QUAYSIDE_STORE
    ? config.SANDBOX_STORE_SCHEMA
    : `${config.SANDBOX_STORE_SCHEMA}_${store.replace(/-/g, '_')}`;
}

/** The second sandbox shop's published development token and webhook secret (never a real shop's). */
export const SANDBOX_SECOND_STORE_SECRETS = {
  accessToken: 'shpat_quayside_sandbox_second_store_token',
  apiSecret: 'quayside-sandbox-second-store-webhook-secret',
} as const;

/**
 * The second sandbox shop `npm start` runs (SANDBOX_SECOND_STORE), as an entry of QUAYSIDE_MORE_STORES:
 * its own port, shop domain, token and webhook secret. None without the sandboxes, in production, when
 * it is switched off, when it would be the primary store, or when QUAYSIDE_MORE_STORES names stores of
 * its own.
 */
export function sandboxSecondStore(config: Config): Config['QUAYSIDE_MORE_STORES'][number] | null {
  const name = config.SANDBOX_SECOND_STORE;
  if (!config.SANDBOX_ENABLED || config.NODE_ENV === 'production') return null;
  if (name === '' || name === config.QUAYSIDE_STORE) return null;
  if (config.QUAYSIDE_MORE_STORES.length > 0) return null;
  return {
    name,
    shopDomain: `quayside-${name}.myshopify.com`,
    adminUrl: `http://${config.SANDBOX_HOST}:${config.SANDBOX_SECOND_STORE_PORT}`,
    ...SANDBOX_SECOND_STORE_SECRETS,
  };
}

/** The configuration as one store's processes see it: SHOPIFY_* and QUAYSIDE_STORE are that store's. */
export function configForStore(config: Config, store: StoreConnection): Config {
  return {
    ...config,
    QUAYSIDE_STORE: store.name,
    SHOPIFY_SHOP_DOMAIN: store.shopDomain,
    SHOPIFY_ADMIN_URL: store.adminUrl,
    SHOPIFY_ACCESS_TOKEN: store.accessToken,
    SHOPIFY_API_VERSION: store.apiVersion,
    SHOPIFY_API_SECRET: store.apiSecret,
    SHOPIFY_API_SECRET_PREVIOUS: store.apiSecretPrevious,
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; every bad variable is listed in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const clashes = storeClashes(result.data);
  if (clashes.length > 0) throw new ConfigError(clashes.map((c) => `QUAYSIDE_MORE_STORES: ${c}`));
  return result.data;
}

/** Two stores with one name or one shop domain would mix their data: each must be unique. */
function storeClashes(config: Config): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  const domains = new Set<string>();
  for (const s of storesOf(config)) {
    if (names.has(s.name)) out.push(`the store name ${s.name} is used twice`);
    const domain = s.shopDomain.toLowerCase();
    if (domains.has(domain)) out.push(`the shop domain ${s.shopDomain} is used by two stores`);
    names.add(s.name);
    domains.add(domain);
  }
  return out;
}

/**
 * The secrets whose defaults are the sandboxes' published development values (or, for the payload
 * keys, nothing at all). Anyone who has read the sandbox's docs knows them, so a production process
 * must never run with them.
 */
const DEVELOPMENT_SECRETS = [
  'SHOPIFY_API_SECRET',
  'SHOPIFY_ACCESS_TOKEN',
  'NETSUITE_CONSUMER_SECRET',
  'NETSUITE_TOKEN_SECRET',
  'QUAYSIDE_PAYLOAD_KEYS',
] as const satisfies readonly (keyof Config)[];

/** A refusal to start whose message is one sentence (shown as is by `runMain`). */
export class DevelopmentSecretsError extends Error {
  override name = 'StartupError';
  constructor(readonly variables: string[]) {
    super(
      `NODE_ENV=production but ${variables.join(', ')} ${variables.length === 1 ? 'is' : 'are'} unset or still at the published development default; set ${variables.length === 1 ? 'it' : 'each'} to this installation's own secret.`,
    );
  }
}

/** The development-default secrets in this configuration (unset, or equal to the sandbox's published value). */
export function developmentSecrets(config: Config): string[] {
  const defaults = EnvSchema.parse({});
  const published = new Set<string>([
    defaults.SHOPIFY_API_SECRET,
    defaults.SHOPIFY_ACCESS_TOKEN,
    SANDBOX_SECOND_STORE_SECRETS.accessToken,
    SANDBOX_SECOND_STORE_SECRETS.apiSecret,
  ]);
  return [
    ...DEVELOPMENT_SECRETS.filter((name) => config[name] === undefined || config[name] === defaults[name]),
    ...config.QUAYSIDE_MORE_STORES.flatMap((s) => [
      ...(published.has(s.accessToken) ? [`QUAYSIDE_MORE_STORES[${s.name}].accessToken`] : []),
      ...(published.has(s.apiSecret) ? [`QUAYSIDE_MORE_STORES[${s.name}].apiSecret`] : []),
    ]),
  ];
}

/** In production, refuses to start while any secret is still at its development default, naming every one. */
export function refuseDevelopmentSecretsInProduction(config: Config): void {
  if (config.NODE_ENV !== 'production') return;
  const found = developmentSecrets(config);
  if (found.length > 0) throw new DevelopmentSecretsError(found);
}

/** Where people reach Quayside (links in alerts and notifications). */
export function apiPublicUrl(config: Pick<Config, 'API_PUBLIC_URL' | 'API_HOST' | 'API_PORT'>): string {
  return (config.API_PUBLIC_URL ?? `http://${config.API_HOST}:${config.API_PORT}`).replace(/\/+$/, '');
}

export function temporalUiUrl(config: Config): string | undefined {
  if (config.TEMPORAL_UI_URL) return config.TEMPORAL_UI_URL;
  if (config.TEMPORAL_ADDRESS) return undefined;
  return `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
}
