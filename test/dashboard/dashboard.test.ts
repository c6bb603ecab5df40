import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { alertRepository } from '../../db/alerts';
import { principalRepository } from '../../db/principals';
import type { Db } from '../../db/pool';
import { launchBrowser, signIn } from '../support/browser';
import { testDb, testLog } from '../support/env';

describe('operations dashboard in a real browser', () => {
  let db: Db;
  let server: Server;
  let browser: Browser;
  let base: string;
  let operatorKey: string;

  beforeAll(async () => {
    db = testDb();
    operatorKey = (await principalRepository(db).create({ name: 'Dash operator', role: 'operator' })).apiKey;
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    server = createApp({
      temporal,
      db,
      log: testLog,
      store: 'dash',
      taskQueuePrefix: 'dash',
      temporalUiUrl: 'http://ui.example',
      namespace: 'default',
    }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await db?.end();
  });

  it('shows an open alert in words, with a link to the process history, and hides it once resolved', async () => {
    const key = `dash-${Date.now()}`;
    await alertRepository(db).raise({
      severity: 'critical',
      kind: 'order.parked',
      subject: `Order #${key} needs attention`,
      message: 'SKU PROD-999 has no ERP item mapped',
      workflowId: `order:dash:${key}`,
      dedupeKey: key,
    });
    const page = await browser.newPage();
    await signIn(page, base, operatorKey);
    const row = page.locator('#alerts tr', { hasText: `Order #${key} needs attention` });
    await expect(row.textContent()).resolves.toContain('SKU PROD-999 has no ERP item mapped');
    expect(await row.locator('a').getAttribute('href')).toBe(
      `http://ui.example/namespaces/default/workflows/${encodeURIComponent(`order:dash:${key}`)}`,
    );

    // What waits for people, how the syncs are doing, and parked webhooks, in words.
    await db.query(
      `INSERT INTO approvals (approval_id, kind, workflow_id, summary, requested_at, escalated) VALUES ($1, 'order.creditHold', $2, 'Credit hold', now() - interval '90 minutes', true)`,
      [`${key}:approval`, `order:dash:${key}`],
    );
    await db.query(
      `INSERT INTO sync_runs (sync, workflow_id, changed, pushed, unmapped, stale, lag_ms) VALUES ($1, 'sync', 120, 118, 2, 0, 2400)`,
      [`inventory:${key}`],
    );
    await page.reload();
    expect(await page.locator('#approvals tr', { hasText: 'order.creditHold' }).textContent()).toMatch(
      /order\.creditHold\d+\d+(9\d|1\d\d) min ago/,
    );
    expect(await page.locator('#syncs tr', { hasText: `inventory:${key}` }).textContent()).toContain(
      'just now1201182.4 s',
    );

    await alertRepository(db).resolve(key);
    await page.reload();
    expect(await page.locator('#alerts tr', { hasText: `Order #${key} needs attention` }).count()).toBe(0);
    await page.close();
  });
});
