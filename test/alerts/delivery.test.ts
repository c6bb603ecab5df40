import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { emailSender, slackSender } from '../../connectors/alerts';
import { alertRoutingConfig } from '../../db/alerts';
import type { Db } from '../../db/pool';
import { fixUpdate, cancelUpdate } from '../../domain/contracts';
import { alertDispatcher } from '../../workers/alert-dispatcher';
import { deliver, event, makeOrder, scenario, waitFor } from '../orders/harness';
import { testClient, testDb, withWorker } from '../support/env';
import { eventually } from '../support/wait';
import { slackReceiver, smtpReceiver } from './receivers';

describe('alerts reach people', () => {
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

  it('a parked order sends one Slack message and one email however often it is raised, and one "resolved" on each after the fix', async () => {
    const slack = await slackReceiver({ failFirst: 1 });
    const smtp = await smtpReceiver();
    await alertRoutingConfig.save(
      db,
      {
        quietPeriod: '1h',
        channels: {
          slack: { severities: ['warning', 'critical'] },
          email: { severities: ['warning'], to: ['ops@example.com'] },
        },
      },
      'test admin',
      'warnings to both channels',
    );
    const dispatcher = alertDispatcher({
      db,
      senders: {
        slack: slackSender(slack.url),
        email: emailSender(smtp.url, 'Quayside <alerts@quayside.test>'),
      },
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
    const order = makeOrder(s.store, '2001', {
      lines: [
        { lineId: '1', sku: 'BOLT-1', quantity: 1, unitPrice: '2.50' },
        { lineId: '2', sku: 'GASKET-4', quantity: 2, unitPrice: '0.10' },
      ],
    });
    try {
      await withWorker({ taskQueue: s.taskQueue, activities: s.activities }, async () => {
        const handle = await deliver(client, s.taskQueue, event(order));
        const mine = (text: string) =>
          text.replace(/=\r?\n/g, '').includes(encodeURIComponent(handle.workflowId));
        await waitFor(handle, (x) => x.attention !== null, 'the parked order');
        const alert = await eventually(async () => {
          const r = await db.query<{ id: number; dedupe_key: string }>(
            'SELECT id, dedupe_key FROM alerts WHERE workflow_id = $1 AND resolved_at IS NULL',
            [handle.workflowId],
          );
          return r.rows[0];
        }, 'the operator alert');
        // The same problem raised again (as a retried park would) within the quiet period.
        for (let i = 0; i < 3; i++) {
          await s.activities.raiseOrderAlert({
            severity: 'warning',
            kind: 'order.unmappedSku',
            subject: `Order ${order.orderNumber}`,
            message: 'SKU GASKET-4 is not mapped to an ERP item',
            workflowId: handle.workflowId,
            dedupeKey: alert.dedupe_key,
          });
        }
        await eventually(() => slack.messages.some((m) => mine(m.text)), 'the Slack message');
        await eventually(() => smtp.mails.some((m) => mine(m.raw)), 'the email');
        // The dispatcher marks a delivery sent only after the receiver has it, so wait for that mark:
        // no delivery of this alert may stay pending or sending.
        await eventually(async () => {
          const open = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM alert_deliveries WHERE alert_id = $1 AND status IN ('pending', 'sending')`,
            [alert.id],
          );
          return open.rows[0]?.n === 0;
        }, 'every delivery of the alert marked done');
        await dispatcher.drainOnce();

        const slackOpen = slack.messages.filter((m) => mine(m.text));
        const mailOpen = smtp.mails.filter((m) => mine(m.raw));
        expect(slackOpen).toHaveLength(1);
        expect(mailOpen).toHaveLength(1);
        expect(slack.refused()).toBe(1); // the first attempt was refused and retried
        expect(slackOpen[0]?.text).toContain('Needs attention: Order #2001');
        expect(slackOpen[0]?.text).toContain('GASKET-4');
        expect(slackOpen[0]?.text).toContain(
          `https://quayside.example/dashboard/attention#alert-${alert.id}`,
        );
        expect(slackOpen[0]?.text).toContain(
          `http://ui.example/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`,
        );
        expect(slackOpen[0]?.blocks?.length).toBeGreaterThan(0);
        expect(mailOpen[0]?.to).toEqual(['ops@example.com']);
        expect(mailOpen[0]?.raw).toMatch(/Subject: \[warning\] Needs attention: Order #2001/);

        await handle.executeUpdate(fixUpdate, {
          args: [{ sku: 'GASKET-4', erpSku: `${s.store}-N2`, by: 'olga' }],
        });
        await waitFor(handle, (x) => x.step === 'fulfilling', 'the ERP order after the fix');
        await eventually(
          () => slack.messages.filter((m) => mine(m.text)).length === 2,
          'the resolved Slack message',
        );
        await eventually(() => smtp.mails.filter((m) => mine(m.raw)).length === 2, 'the resolved email');
        await dispatcher.drainOnce();
        const slackAll = slack.messages.filter((m) => mine(m.text));
        const mailAll = smtp.mails.filter((m) => mine(m.raw));
        expect(slackAll).toHaveLength(2);
        expect(mailAll).toHaveLength(2);
        expect(slackAll[1]?.text).toContain('Resolved: Order #2001');
        expect(mailAll[1]?.raw).toMatch(/Subject: \[warning\] Resolved: Order #2001/);

        await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'test over', by: 'operator' }] });
        await handle.result();
      });
    } finally {
      await dispatcher.stop();
      await slack.close();
      await smtp.close();
    }
  });
});
