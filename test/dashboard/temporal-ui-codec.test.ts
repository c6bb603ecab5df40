import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { EncryptionCodec } from '../../platform/codec';
import { loadConfig } from '../../platform/config';
import { ensureTemporalCli, freePort, startDevServer, type DevServer } from '../../platform/temporal-server';
import { inventorySync } from '../../workflows/inventorySync';
import { launchBrowser, signIn } from '../support/browser';
import { testDb, testLog, uniqueTaskQueue } from '../support/env';
import { DEFAULT_RULES } from '../../domain/schemas/rules';

describe('decoded payloads in the local Temporal UI for a signed-in operator', () => {
  let db: Db;
  let temporal: DevServer;
  let connection: Connection;
  let server: Server;
  let browser: Browser;
  let base: string;
  let ui: string;
  const codec = new EncryptionCodec([randomBytes(32)]);
  const workflowId = `ui-codec-${Date.now()}`;
  const secret = `store-ORD-${Date.now()}`;

  beforeAll(async () => {
    db = testDb();
    // The API listens before the dev server starts: the dev server picks free ports of its own
    // for its internal services, and could take a port only reserved here and then released.
    let handler: RequestListener = (_req, res) => res.writeHead(503).end();
    server = createServer((req, res) => handler(req, res)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const uiPort = await freePort();
    temporal = await startDevServer({
      binary: await ensureTemporalCli(loadConfig(), testLog),
      port: await freePort(),
      uiPort,
      namespace: 'default',
      uiCodecEndpoint: `${base}/codec`,
    });
    ui = temporal.uiUrl!;
    connection = await Connection.connect({ address: temporal.address });
    handler = createApp({
      temporal: new Client({ connection }),
      db,
      log: testLog,
      store: 'ui-codec',
      taskQueuePrefix: 'ui-codec',
      payloadCodec: codec,
      temporalUiUrl: ui,
      namespace: 'default',
    });

    const taskQueue = uniqueTaskQueue('ui-codec');
    const workerConnection = await NativeConnection.connect({ address: temporal.address });
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowsPath: path.join(__dirname, '../../workflows/inventorySync.ts'),
      dataConverter: { payloadCodecs: [codec] },
      activities: {
        loadInventoryRules: async () => ({ version: 0, rules: DEFAULT_RULES.inventory }),
        resetSyncCursor: async () => undefined,
        syncInventoryPage: async () => ({
          changed: 0,
          pushed: 0,
          unmapped: 0,
          stale: 0,
          hasMore: false,
          lagMs: null,
        }),
      },
    });
    await worker.runUntil(
      new Client({ connection, dataConverter: { payloadCodecs: [codec] } }).workflow.execute(inventorySync, {
        taskQueue,
        workflowId,
        args: [{ store: secret, pollIntervalSeconds: 1, pageSize: 10, stopWhenCaughtUp: true }],
      }),
    );
    await workerConnection.close();
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await connection?.close();
    await temporal?.stop();
    await db?.end();
  });

  /** The UI sends the session cookie only with "include cross-origin credentials" on in its Data Encoder settings (stored in the browser). */
  const includeCredentials = () => `
    localStorage.setItem('endpoint', JSON.stringify('${base}/codec'));
    localStorage.setItem('includeCredentials', 'true');
    localStorage.setItem('overrideRemoteCodecConfiguration', 'true');`;

  it('shows the decoded input to a signed-in operator, and ciphertext to a browser without a session', async () => {
    const { apiKey } = await principalRepository(db).create({ name: 'UI reader', role: 'operator' });
    const page = `${ui}/namespaces/default/workflows/${workflowId}`;

    const signedIn = await browser.newContext();
    await signedIn.addInitScript(includeCredentials());
    const tab = await signedIn.newPage();
    await signIn(tab, base, apiKey);
    await tab.goto(page);
    await expect
      .poll(async () => (await tab.content()).includes(secret), { timeout: 60_000, interval: 1_000 })
      .toBe(true);
    await tab.screenshot({ path: 'test-results/dashboard/temporal-ui-decoded.png', fullPage: true });

    const stranger = await browser.newContext();
    await stranger.addInitScript(includeCredentials());
    const other = await stranger.newPage();
    const refused: number[] = [];
    other.on('response', (r) => {
      if (r.url().startsWith(`${base}/codec/`) && r.request().method() === 'POST') refused.push(r.status());
    });
    await other.goto(page);
    await expect.poll(() => refused.length, { timeout: 60_000, interval: 1_000 }).toBeGreaterThan(0);
    expect(refused.every((s) => s === 401)).toBe(true);
    expect(await other.content()).not.toContain(secret);
    await other.screenshot({ path: 'test-results/dashboard/temporal-ui-encoded.png', fullPage: true });
    await signedIn.close();
    await stranger.close();
  }, 150_000);
});
