import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { dropDatabase } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { freePort, portInUse } from '../../platform/temporal-server';
import { eventually } from '../support/wait';

const root = path.resolve(__dirname, '../..');

describe('npm start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quayside-start-'));
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_start`;
  const databaseUrl = url.toString();

  afterAll(async () => {
    await dropDatabase(databaseUrl);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings up every process on its own ports, prints the URL block, answers /health, and stops everything on Ctrl-C', async () => {
    const [api, erp, store, temporal, ui, metrics, apiMetrics, secondStore] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      QUAYSIDE_DATA_DIR: dataDir,
      API_PORT: String(api),
      SANDBOX_ERP_PORT: String(erp),
      SANDBOX_STORE_PORT: String(store),
      // The second sandbox shop, beside the first, selling 50 of the ERP's 200 items.
      SANDBOX_SECOND_STORE_PORT: String(secondStore),
      SANDBOX_SECOND_STORE_SKUS: '50',
      NETSUITE_BASE_URL: `http://127.0.0.1:${erp}`,
      SHOPIFY_ADMIN_URL: `http://127.0.0.1:${store}`,
      API_PUBLIC_URL: `http://127.0.0.1:${api}`,
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metrics}`,
      API_METRICS_ADDRESS: `127.0.0.1:${apiMetrics}`,
      // A development start on an empty database creates the first operator and prints its key.
      NODE_ENV: 'development',
      SANDBOX_ERP_SKUS: '200',
      SANDBOX_ERP_CUSTOMERS: '20',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
    };
    delete env.TEMPORAL_ADDRESS;
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => output.includes('Quayside is running.'), 'the URL block', 170_000).catch(
        (err: Error) => {
          throw new Error(`${err.message}; npm start printed:\n${output.slice(-3000)}`);
        },
      );
      expect(output).toContain(`API               http://127.0.0.1:${api}`);
      expect(output).toContain(`Temporal UI       http://127.0.0.1:${ui}`);

      const health = await fetch(`http://127.0.0.1:${api}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      expect((await fetch(`http://127.0.0.1:${ui}/`)).status).toBe(200);
      // Two sandbox shops, each a store of its own with its mappings seeded.
      expect(output).toContain(
        `Second store      http://127.0.0.1:${secondStore}   (Shopify dialect; store sandbox-dtc, 50 products`,
      );
      expect((await fetch(`http://127.0.0.1:${secondStore}/health`)).status).toBe(200);
      const db = createPool(databaseUrl, { max: 1 });
      try {
        const mapped = await db.query<{ store: string; n: number }>(
          `SELECT store, count(*)::int AS n FROM sku_map GROUP BY store ORDER BY store`,
        );
        expect(mapped.rows).toEqual([
          { store: 'sandbox-dtc', n: 50 },
          { store: 'sandbox-store', n: 200 },
        ]);
      } finally {
        await db.end();
      }

      // How to sign in is printed, with the first operator's key, which opens the dashboard.
      expect(output).toContain(`sign in at http://127.0.0.1:${api}/login`);
      const firstKey = /First operator +sign in with this key; it is shown only now: (qk_\S+)/.exec(
        output,
      )?.[1];
      expect(firstKey).toBeDefined();
      const form = await fetch(`http://127.0.0.1:${api}/login?next=/dashboard`);
      const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
      const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await form.text())?.[1] ?? '';
      const signedIn = await fetch(`http://127.0.0.1:${api}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, next: '/dashboard', apiKey: firstKey! }).toString(),
      });
      expect(signedIn.status).toBe(303);
      const session = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      const dashboard = await fetch(`http://127.0.0.1:${api}/dashboard`, { headers: { cookie: session } });
      expect(dashboard.status).toBe(200);
      const home = await dashboard.text();
      expect(home).toContain('Signed in as First operator');
      // The first operator sees both stores and chooses between them.
      expect(home).toContain('data-store="sandbox-store"');
      expect(home).toContain('data-store="sandbox-dtc"');
      const dtcMappings = await fetch(`http://127.0.0.1:${api}/dashboard/mappings/sku?store=sandbox-dtc`, {
        headers: { cookie: session },
      });
      expect(await dtcMappings.text()).toMatch(/id="mapping-count">\s*50\s+mappings/);

      // API metrics: open on their own address only.
      expect((await fetch(`http://127.0.0.1:${api}/metrics`)).status).toBe(401);
      expect(await (await fetch(`http://127.0.0.1:${apiMetrics}/metrics`)).text()).toContain(
        'quayside_http_request_duration_seconds',
      );
      expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);
      const workerMetrics = await eventually(async () => {
        const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
        return text.includes('temporal_') ? text : null;
      }, "the worker's metrics");
      expect(workerMetrics).toMatch(/temporal_\w+\{[^}]*task_queue="quayside-orders"/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    for (const port of [api, erp, store, secondStore, temporal]) expect(await portInUse(port)).toBe(false);
  }, 240_000);
});
