import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  developmentSecrets,
  loadConfig,
  sandboxSecondStore,
  SANDBOX_SECOND_STORE_SECRETS,
  storesOf,
} from '../../platform/config';

describe('configuration', () => {
  it('applies the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.API_PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/quayside');
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.TEMPORAL_UI_PORT).toBe(8233);
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('API_PORT');
    expect(problems).toContain('DATABASE_URL');
    expect(problems).toContain('LOG_LEVEL');
  });

  describe('several stores', () => {
    const dtc = {
      name: 'dtc',
      shopDomain: 'acme.myshopify.com',
      adminUrl: 'https://acme.myshopify.com',
      accessToken: 'shpat_dtc',
      apiSecret: 'dtc-secret',
    };
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };

    it('lists the primary store first, then each of QUAYSIDE_MORE_STORES with its own connection', () => {
      const config = loadConfig({ QUAYSIDE_STORE: 'b2b', QUAYSIDE_MORE_STORES: JSON.stringify([dtc]) });
      expect(
        storesOf(config).map((s) => [s.name, s.shopDomain, s.accessToken, s.apiSecret, s.apiVersion]),
      ).toEqual([
        [
          'b2b',
          'quayside-sandbox.myshopify.com',
          'shpat_quayside_sandbox_dev_token',
          'quayside-sandbox-webhook-secret',
          '2026-04',
        ],
        ['dtc', 'acme.myshopify.com', 'shpat_dtc', 'dtc-secret', '2026-04'],
      ]);
    });

    it('refuses stores that would mix: a name or a shop domain twice, a bad name, JSON that is not a list of stores', () => {
      expect(problemsOf({ QUAYSIDE_STORE: 'dtc', QUAYSIDE_MORE_STORES: JSON.stringify([dtc]) })).toEqual([
        'QUAYSIDE_MORE_STORES: the store name dtc is used twice',
      ]);
      expect(
        problemsOf({
          QUAYSIDE_MORE_STORES: JSON.stringify([
            dtc,
            { ...dtc, name: 'eu', shopDomain: 'ACME.myshopify.com' },
          ]),
        }),
      ).toEqual(['QUAYSIDE_MORE_STORES: the shop domain ACME.myshopify.com is used by two stores']);
      expect(
        problemsOf({ QUAYSIDE_MORE_STORES: JSON.stringify([{ ...dtc, name: 'Our DTC:shop' }]) }).join(),
      ).toContain('lowercase letters, digits and dashes');
      expect(problemsOf({ QUAYSIDE_MORE_STORES: '{not json' })).toEqual([
        'QUAYSIDE_MORE_STORES: must be a JSON array of stores',
      ]);
    });

    it('npm start’s second sandbox shop: its own port, domain, token and secret; none when stores are configured, switched off or in production', () => {
      expect(sandboxSecondStore(loadConfig({}))).toEqual({
        name: 'sandbox-dtc',
        shopDomain: 'quayside-sandbox-dtc.myshopify.com',
        adminUrl: 'http://127.0.0.1:4003',
        ...SANDBOX_SECOND_STORE_SECRETS,
      });
      expect(sandboxSecondStore(loadConfig({ QUAYSIDE_MORE_STORES: JSON.stringify([dtc]) }))).toBeNull();
      expect(sandboxSecondStore(loadConfig({ SANDBOX_SECOND_STORE: '' }))).toBeNull();
      expect(sandboxSecondStore(loadConfig({ SANDBOX_ENABLED: 'false' }))).toBeNull();
      expect(sandboxSecondStore(loadConfig({ NODE_ENV: 'production' }))).toBeNull();
      // Its published token and secret are refused in production like the first shop's.
      const config = loadConfig({
        QUAYSIDE_MORE_STORES: JSON.stringify([{ ...dtc, ...SANDBOX_SECOND_STORE_SECRETS }]),
      });
      expect(developmentSecrets(config)).toEqual(
        expect.arrayContaining([
          'QUAYSIDE_MORE_STORES[dtc].accessToken',
          'QUAYSIDE_MORE_STORES[dtc].apiSecret',
        ]),
      );
    });

    it("names another store's token or secret left at the sandbox's published value", () => {
      const config = loadConfig({
        QUAYSIDE_MORE_STORES: JSON.stringify([{ ...dtc, apiSecret: 'quayside-sandbox-webhook-secret' }]),
      });
      expect(developmentSecrets(config)).toContain('QUAYSIDE_MORE_STORES[dtc].apiSecret');
      expect(developmentSecrets(config)).not.toContain('QUAYSIDE_MORE_STORES[dtc].accessToken');
    });
  });

  it('bounds the worker start-up limit and the worker tuning like every other number', () => {
    expect(loadConfig({}).WORKER_START_TIMEOUT_SECONDS).toBe(90);
    expect(loadConfig({ WORKER_START_TIMEOUT_SECONDS: '300' }).WORKER_START_TIMEOUT_SECONDS).toBe(300);
    let error: unknown;
    try {
      loadConfig({ WORKER_START_TIMEOUT_SECONDS: '2', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 'many' });
    } catch (err) {
      error = err;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('WORKER_START_TIMEOUT_SECONDS');
    expect(problems).toContain('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS');
  });
});
