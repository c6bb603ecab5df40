import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/** The five secrets, each set to a value of this installation's own. */
const ownSecrets = {
  SHOPIFY_API_SECRET: randomBytes(24).toString('hex'),
  SHOPIFY_ACCESS_TOKEN: `shpat_${randomBytes(16).toString('hex')}`,
  NETSUITE_CONSUMER_SECRET: randomBytes(24).toString('hex'),
  NETSUITE_TOKEN_SECRET: randomBytes(24).toString('hex'),
  QUAYSIDE_PAYLOAD_KEYS: randomBytes(32).toString('base64'),
};

/** Starts an entry point with a clean environment (no secrets inherited from the test run). */
async function start(entry: string, env: Record<string, string>) {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  try {
    await run(process.execPath, ['--import', 'tsx', entry], {
      cwd: root,
      // Nothing listens on port 1, so a process that gets past the check fails on its first connection.
      env: {
        ...base,
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/quayside',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        LOG_LEVEL: 'silent',
        ...env,
      },
      timeout: 60_000,
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('a production start with development secrets', () => {
  for (const [name, entry] of [
    ['api', 'api/main.ts'],
    ['worker', 'workers/main.ts'],
  ] as const) {
    it(`the ${name} refuses to start and names every development default in one sentence`, async () => {
      const { code, stderr } = await start(entry, { NODE_ENV: 'production' });
      expect(code).not.toBe(0);
      const line = stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      for (const variable of Object.keys(ownSecrets)) expect(line).toContain(variable);
      expect(line).toMatch(new RegExp(`^${name}: NODE_ENV=production but .*development default.*\\.$`));
    });
  }

  it('names a secret set explicitly to the sandbox’s published value, and only that one', async () => {
    const { code, stderr } = await start('api/main.ts', {
      NODE_ENV: 'production',
      ...ownSecrets,
      SHOPIFY_API_SECRET: 'quayside-sandbox-webhook-secret',
    });
    expect(code).not.toBe(0);
    expect(stderr).toContain('SHOPIFY_API_SECRET');
    for (const other of Object.keys(ownSecrets).filter((v) => v !== 'SHOPIFY_API_SECRET'))
      expect(stderr).not.toContain(other);
  });

  it('gets past the check once every secret is its own (and then fails only on the unreachable database)', async () => {
    const { code, stderr } = await start('api/main.ts', { NODE_ENV: 'production', ...ownSecrets });
    expect(code).not.toBe(0);
    expect(stderr).not.toContain('development default');
  });

  it('development keeps the sandbox defaults', async () => {
    const { stderr } = await start('api/main.ts', { NODE_ENV: 'development' });
    expect(stderr).not.toContain('development default');
  });
});
