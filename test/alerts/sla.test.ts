import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createSlaActivities } from '../../activities/sla';
import { createApp } from '../../api/app';
import { slackSender } from '../../connectors/alerts';
import { slaRulesConfig } from '../../db/alerts';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { slaElapsedMs } from '../../domain/alerting';
import { SLA_TASK_QUEUE, slaScheduleId, taskQueue } from '../../domain/contracts';
import { ensureSlaSchedule } from '../../platform/schedules';
import { alertDispatcher } from '../../workers/alert-dispatcher';
import { cancelUpdate, fixUpdate } from '../../domain/contracts';
import { deliver, event, makeOrder, scenario, waitFor } from '../orders/harness';
import { testClient, testDb, testLog, withWorker } from '../support/env';
import { eventually } from '../support/wait';
import { slackReceiver } from './receivers';

describe('SLA timers per step', () => {
  let db: Db;
  let client: Client;
  beforeAll(async () => {
    db = testDb();
    client = await testClient();
  });
  afterAll(async () => {
    await client.connection.close();
    await db.end();
  });

  it('counts business days without weekends', () => {
    const friday5pm = new Date('2025-01-03T17:00:00Z');
    expect(slaElapsedMs(friday5pm, new Date('2025-01-06T17:00:00Z'), 'calendar')).toBe(72 * 3_600_000);
    expect(slaElapsedMs(friday5pm, new Date('2025-01-06T17:00:00Z'), 'business')).toBe(24 * 3_600_000);
    expect(slaElapsedMs(friday5pm, new Date('2025-01-05T12:00:00Z'), 'business')).toBe(7 * 3_600_000);
  });

  it('an order with no ERP sales order past its SLA raises one breach alert, the process goes on, and the alert resolves when the order reaches the ERP', async () => {
    const slack = await slackReceiver();
    await slaRulesConfig.save(
      db,
      { checkEvery: '1s', erpOrder: { within: '2s' }, severity: 'warning' },
      'test admin',
      'a short ERP-order service level',
    );
    const dispatcher = alertDispatcher({
      db,
      senders: { slack: slackSender(slack.url) },
      links: {
        publicUrl: 'https://quayside.example',
        temporalUiUrl: 'http://ui.example',
        namespace: 'default',
      },
      intervalMs: 50,
      retryBaseMs: 50,
      retryMaxMs: 200,
      maxAttempts: 5,
    });
    dispatcher.start();
    const s = await scenario(db);
    // The SLA schedule's workflows and the order run on this store's own sync queue.
    const queue = taskQueue(SLA_TASK_QUEUE, s.store);
    const order = makeOrder(s.store, '3001', {
      lines: [{ lineId: '1', sku: 'GASKET-9', quantity: 2, unitPrice: '1.10' }],
    });
    const app = createApp({ temporal: client, db, log: testLog, store: s.store, taskQueuePrefix: s.store });
    const server: Server = app.listen(0);
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const principals = principalRepository(db);
    const operator = {
      authorization: `Bearer ${(await principals.create({ name: 'Sam Sla', role: 'operator' })).apiKey}`,
    };
    const elsewhere = {
      authorization: `Bearer ${(await principals.create({ name: 'Oz Other', role: 'operator', stores: ['elsewhere'] })).apiKey}`,
    };
    try {
      await withWorker(
        { taskQueue: queue, activities: { ...s.activities, ...createSlaActivities({ db }) } },
        async () => {
          const handle = await deliver(client, queue, event(order));
          const breachMessages = () =>
            slack.messages.filter(
              (m) =>
                m.text.includes('SLA breached') && m.text.includes(encodeURIComponent(handle.workflowId)),
            );
          await waitFor(handle, (x) => x.attention?.kind === 'unmappedSku', 'the parked order');
          expect(
            await ensureSlaSchedule(client, { store: s.store, taskQueuePrefix: s.store, every: '1s' }),
          ).toBe('created');
          expect(
            await ensureSlaSchedule(client, { store: s.store, taskQueuePrefix: s.store, every: '1s' }),
          ).toBe('unchanged');

          await eventually(() => breachMessages().length > 0, 'the SLA breach on Slack', 20_000);
          expect(breachMessages()[0]?.text).toContain('[warning] Needs attention: SLA breached: Order #3001');
          expect(breachMessages()[0]?.text).toContain('within 2s');
          // More passes run: still one breach and one message, and the process is untouched.
          const passes = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM sla_breaches WHERE rule = 'erpOrder' AND subject_key = $1`,
            [handle.workflowId],
          );
          expect(passes.rows[0]?.n).toBe(1);
          await new Promise((r) => setTimeout(r, 2_500));
          await dispatcher.drainOnce();
          expect(breachMessages()).toHaveLength(1);
          expect((await handle.describe()).status.name).toBe('RUNNING');
          const status = await waitFor(handle, () => true, 'the status');
          expect(status.attention?.kind).toBe('unmappedSku');
          expect(status.step).not.toBe('cancelled');

          // The dashboard lists the open breach; another store's operator sees none of it.
          const listed = (await (await fetch(`${base}/sla/breaches`, { headers: operator })).json()) as {
            breaches: { rule: string; workflowId: string; resolvedAt: string | null }[];
          };
          expect(listed.breaches).toEqual([
            expect.objectContaining({ rule: 'erpOrder', workflowId: handle.workflowId, resolvedAt: null }),
          ]);
          expect((await fetch(`${base}/sla/breaches`, { headers: elsewhere })).status).toBe(404);

          // The fix lets the order reach the ERP: the breach and its alert resolve.
          await handle.executeUpdate(fixUpdate, {
            args: [{ sku: 'GASKET-9', erpSku: `${s.store}-N2`, by: 'olga' }],
          });
          await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order after the fix');
          await eventually(
            () => slack.messages.some((m) => m.text.includes('Resolved: SLA breached: Order #3001')),
            'the resolved SLA message',
            20_000,
          );
          const after = (await (
            await fetch(`${base}/sla/breaches?status=all`, { headers: operator })
          ).json()) as { breaches: { resolvedAt: string | null }[] };
          expect(after.breaches).toHaveLength(1);
          expect(after.breaches[0]?.resolvedAt).not.toBeNull();
          expect(breachMessages()).toHaveLength(2);

          await client.schedule.getHandle(slaScheduleId(s.store)).delete();
          await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'test over', by: 'operator' }] });
          await handle.result();
        },
      );
    } finally {
      await client.schedule
        .getHandle(slaScheduleId(s.store))
        .delete()
        .catch(() => undefined);
      server.close();
      await dispatcher.stop();
      await slack.close();
    }
  });

  it('finds each step past its service level from the read models, once, and resolves a breach when its step moves on', async () => {
    const { checkSlas } = createSlaActivities({ db });
    await slaRulesConfig.save(db, {}, 'test admin', 'the default service levels');
    const store = `sla${Date.now().toString(36)}`;
    const ago = (h: number) => new Date(Date.now() - h * 3_600_000);
    await db.query(
      `INSERT INTO orders (store, order_id, workflow_id, order_number, status, step, erp_order_id,
                           shipped_units, invoiced_units, last_shipped_at, step_since)
       VALUES ($1, '1', $2, '#1', 'partiallyShipped', 'fulfilling', 'SO-1', 4, 0, $3, $4)`,
      [store, `order:${store}:1`, ago(50), ago(80)],
    );
    await db.query(
      `INSERT INTO approvals (approval_id, kind, workflow_id, store, summary, requested_at)
       VALUES ($1, 'order', $2, $3, 'Order #2 over its credit limit', $4)`,
      [`order:${store}:2:credit:1`, `order:${store}:2`, store, ago(5)],
    );
    await db.query(
      `INSERT INTO returns (store, return_id, workflow_id, order_id, status, step_since)
       VALUES ($1, 'R-1', $2, '1', 'awaitingInspection', $3)`,
      [store, `return:${store}:R-1`, ago(80)],
    );
    await db.query(
      `INSERT INTO sync_runs (sync, workflow_id, changed, pushed, unmapped, stale, lag_ms)
       VALUES ($1, $2, 3, 3, 0, 0, $3)`,
      [`inventory:${store}`, `sync:inventory:${store}`, 20 * 60_000],
    );

    const first = await checkSlas({ store });
    expect(first).toMatchObject({ breached: 5, raised: 5, resolved: 0 });
    const rules = async () =>
      (
        await db.query<{ rule: string; resolved: boolean }>(
          `SELECT rule, resolved_at IS NOT NULL AS resolved FROM sla_breaches WHERE store = $1 ORDER BY rule`,
          [store],
        )
      ).rows;
    expect((await rules()).map((r) => r.rule)).toEqual([
      'decision',
      'invoice',
      'returnInspection',
      'shipment',
      'syncLag',
    ]);
    const alerts = await db.query<{ kind: string }>(
      `SELECT kind FROM alerts WHERE dedupe_key LIKE 'sla:%' AND (workflow_id LIKE $1 OR workflow_id LIKE $2)
        AND resolved_at IS NULL ORDER BY kind`,
      [`%:${store}:%`, `%:${store}`],
    );
    expect(alerts.rows.map((a) => a.kind)).toEqual([
      'sla.decision',
      'sla.invoice',
      'sla.returnInspection',
      'sla.shipment',
      'sla.syncLag',
    ]);
    // Another pass finds the same waits: nothing new is raised.
    expect(await checkSlas({ store })).toMatchObject({ breached: 5, raised: 0, resolved: 0 });

    // The decision is made and the inspection rule switched off: both breaches resolve, with their alerts.
    await db.query(`UPDATE approvals SET status = 'approve', closed_at = now() WHERE store = $1`, [store]);
    await slaRulesConfig.save(
      db,
      { returnInspection: { enabled: false } },
      'test admin',
      'no inspection SLA',
    );
    expect(await checkSlas({ store })).toMatchObject({ breached: 3, raised: 0, resolved: 2 });
    expect((await rules()).filter((r) => r.resolved).map((r) => r.rule)).toEqual([
      'decision',
      'returnInspection',
    ]);
    const decisionAlert = await db.query<{ resolved: boolean }>(
      `SELECT resolved_at IS NOT NULL AS resolved FROM alerts WHERE dedupe_key = $1`,
      [`sla:decision:approval:order:${store}:2:credit:1`],
    );
    expect(decisionAlert.rows[0]?.resolved).toBe(true);
    await slaRulesConfig.save(db, {}, 'test admin', 'the default service levels');
  });

  it('a new customer waiting over a weekend is not late by business days until a working day has passed', async () => {
    const { checkSlas } = createSlaActivities({ db });
    await slaRulesConfig.save(db, {}, 'test admin', 'the default service levels');
    const store = `slab${Date.now().toString(36)}`;
    await db.query(
      `INSERT INTO approvals (approval_id, kind, workflow_id, store, summary, requested_at)
       VALUES ($1, 'customer', $2, $3, 'New customer Acme asks for 5000 credit', '2025-01-04T10:00:00Z')`,
      [`customer:${store}:c1:approval:1`, `customer:${store}:c1`, store],
    );
    // Saturday 10:00 → Monday 10:00: two calendar days, ten business hours.
    expect(await checkSlas({ store, now: '2025-01-06T10:00:00Z' })).toMatchObject({ breached: 0 });
    // → Tuesday 01:00: one working day and an hour.
    expect(await checkSlas({ store, now: '2025-01-07T01:00:00Z' })).toMatchObject({ breached: 1, raised: 1 });
  });
});
