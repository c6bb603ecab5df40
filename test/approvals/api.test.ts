import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createApprovalActivities } from '../../activities/approvals';
import { createNotifyActivities } from '../../activities/notify';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { RETURN_TASK_QUEUE, taskQueue } from '../../domain/contracts';
import { testClient, testDb, testLog } from '../support/env';
import { recordHistory } from '../support/histories';
import { orderFacts, returnWorld } from '../returns/world';
import { approvalWorkflowsBundle, eventually, runWorker } from './harness';

const STORE = 'api-store';

describe('approver API', () => {
  let db: Db;
  let client: Client;
  let server: Server;
  let base: string;
  const prefix = `appr${Date.now().toString(36)}`;
  const keys: Record<'operator' | 'small' | 'big' | 'customersOnly' | 'otherStore', string> = {} as never;

  beforeAll(async () => {
    db = testDb();
    client = await testClient();
    await approvalWorkflowsBundle();
    server = createApp({ temporal: client, db, log: testLog, store: STORE, taskQueuePrefix: prefix }).listen(
      0,
    );
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const principals = principalRepository(db);
    keys.operator = (await principals.create({ name: 'Otto Operator', role: 'operator' })).apiKey;
    keys.small = (
      await principals.create({
        name: 'Sam Smalllimit',
        role: 'approver',
        approvalLimit: '10000.00',
        approvalKinds: ['return'],
      })
    ).apiKey;
    keys.big = (
      await principals.create({
        name: 'Bea Biglimit',
        role: 'approver',
        approvalLimit: '100000.00',
        email: 'bea@example.com',
      })
    ).apiKey;
    keys.customersOnly = (
      await principals.create({
        name: 'Cory Credit',
        role: 'approver',
        approvalLimit: '500000.00',
        approvalKinds: ['customer'],
      })
    ).apiKey;
    keys.otherStore = (
      await principals.create({ name: 'Olga Otherstore', role: 'admin', stores: ['another-store'] })
    ).apiKey;
  });
  afterAll(async () => {
    server.close();
    await client.connection.close();
    await db.end();
  });

  const call = async (method: string, path: string, key?: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { code?: string; message?: string },
    };
  };

  it('answers 401 without a valid key: none, malformed, unknown, tampered or revoked', async () => {
    expect((await call('GET', '/approvals')).status).toBe(401);
    expect((await call('GET', '/approvals', 'not-a-key')).status).toBe(401);
    const forged = await call('GET', '/approvals', `qk_${'0'.repeat(16)}_${'A'.repeat(43)}`);
    expect(forged).toMatchObject({ status: 401, body: { code: 'AUTH.UNAUTHENTICATED' } });
    const tampered = keys.big.slice(0, -2) + (keys.big.endsWith('AA') ? 'BB' : 'AA');
    expect((await call('GET', '/approvals', tampered)).status).toBe(401);
    expect(
      (
        await call('POST', '/returns', undefined, {
          returnId: 'x',
          orderId: '1',
          lines: [{ lineId: 'L1', quantity: 1 }],
        })
      ).status,
    ).toBe(401);

    const principals = principalRepository(db);
    const { principal, apiKey } = await principals.create({ name: 'Temp', role: 'operator' });
    expect((await call('GET', '/approvals', apiKey)).status).toBe(200);
    await principals.revokeKeys(principal.id);
    expect((await call('GET', '/approvals', apiKey)).status).toBe(401);
    const stored = await db.query('SELECT secret_hash FROM api_keys WHERE principal_id = $1', [principal.id]);
    expect(apiKey).not.toContain(stored.rows[0].secret_hash);
    expect(stored.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('scopes, limits and records every decision on a return that needs approval (403, 404, 409)', async () => {
    const world = returnWorld({
      facts: orderFacts([{ lineId: 'L1', sku: 'COMPRESSOR', unitPrice: '25000.00', shipped: 2 }]),
    });
    const activities = {
      ...world.activities,
      ...createApprovalActivities({ db }),
      ...createNotifyActivities({ db }),
    };
    await runWorker({ taskQueue: taskQueue(RETURN_TASK_QUEUE, prefix), activities }, async () => {
      const returnId = `r-${randomUUID().slice(0, 8)}`;
      const started = await call('POST', '/returns', keys.operator, {
        returnId,
        orderId: '5001',
        customerId: 'C-77',
        lines: [{ lineId: 'L1', quantity: 2 }],
      });
      expect(started).toMatchObject({ status: 202, body: { workflowId: `return:${STORE}:${returnId}` } });
      const approvalId = `return:${STORE}:${returnId}:approval`;

      const listed = await eventually(async () => {
        const r = await call('GET', '/approvals', keys.small);
        return (
          r.body.approvals as { approvalId: string; mayApprove: boolean; mayNotApproveBecause?: string }[]
        ).find((a) => a.approvalId === approvalId);
      }, 'the approval in the small approver’s list');
      expect(listed).toMatchObject({
        mayApprove: false,
        mayNotApproveBecause: expect.stringContaining('above your approval limit of 10000.00'),
      });

      // 403: above the approver's limit, with the reason.
      const tooBig = await call('POST', `/approvals/${approvalId}/decision`, keys.small, {
        outcome: 'approve',
        reason: 'fine by me',
      });
      expect(tooBig).toMatchObject({ status: 403, body: { code: 'APPROVAL.LIMIT_EXCEEDED' } });
      expect(tooBig.body.message).toBe('The amount 50000.00 USD is above your approval limit of 10000.00.');
      const byOperator = await call('POST', `/approvals/${approvalId}/decision`, keys.operator, {
        outcome: 'approve',
      });
      expect(byOperator).toMatchObject({ status: 403, body: { code: 'APPROVAL.ROLE_NOT_ALLOWED' } });

      // 404: outside the caller's scope looks exactly like an approval that does not exist.
      const unknown = await call('GET', `/approvals/return:${STORE}:nope:approval`, keys.customersOnly);
      const hidden = await call('GET', `/approvals/${approvalId}`, keys.customersOnly);
      expect(hidden.status).toBe(404);
      expect(hidden.body.code).toBe(unknown.body.code);
      expect(hidden.body.message).toBe(`No approval ${approvalId}.`);
      expect(unknown.body.message).toBe(`No approval return:${STORE}:nope:approval.`);
      expect(
        (await call('POST', `/approvals/${approvalId}/decision`, keys.customersOnly, { outcome: 'approve' }))
          .status,
      ).toBe(404);
      expect((await call('GET', `/approvals/${approvalId}`, keys.otherStore)).status).toBe(404);
      expect((await call('GET', `/returns/${returnId}`, keys.otherStore)).status).toBe(404);
      const customersList = await call('GET', '/approvals', keys.customersOnly);
      expect(
        (customersList.body.approvals as { approvalId: string }[]).map((a) => a.approvalId),
      ).not.toContain(approvalId);

      // The context an approver needs, then the decision as a Temporal update.
      const context = await call('GET', `/approvals/${approvalId}`, keys.big);
      expect(context).toMatchObject({
        status: 200,
        body: {
          kind: 'return',
          amount: '50000.00',
          status: 'pending',
          mayApprove: true,
          context: { returnId, orderId: '5001', lines: [{ lineId: 'L1', quantity: 2 }] },
        },
      });
      const invalid = await call('POST', `/approvals/${approvalId}/decision`, keys.big, { outcome: 'maybe' });
      expect(invalid.status).toBe(400);

      const ok = await call('POST', `/approvals/${approvalId}/decision`, keys.big, {
        outcome: 'approve',
        reason: 'Unit failed on arrival, photos checked.',
      });
      expect(ok).toMatchObject({
        status: 200,
        body: { approvalId, outcome: 'approve', accepted: true, decidedBy: { name: 'Bea Biglimit' } },
      });

      // 409: deciding again.
      const again = await call('POST', `/approvals/${approvalId}/decision`, keys.big, {
        outcome: 'reject',
        reason: 'changed my mind',
      });
      expect(again).toMatchObject({ status: 409, body: { code: 'APPROVAL.NOT_PENDING' } });

      const status = await eventually(async () => {
        const r = await call('GET', `/returns/${returnId}`, keys.operator);
        return r.body.step === 'awaitingGoods' ? r.body : undefined;
      }, 'the return to await goods');
      expect(status).toMatchObject({
        approval: { outcome: 'approve', decidedBy: 'Bea Biglimit' },
        rma: { erpId: 'RMA101' },
      });

      // Postgres: the approval is closed and the audit trail has who, when, what and why — refusals included.
      const decisions = await eventually(async () => {
        const r = await db.query(
          `SELECT principal_name, outcome, reason, accepted, refusal_code FROM approval_decisions WHERE approval_id = $1 ORDER BY id`,
          [approvalId],
        );
        return r.rows.length === 4 ? r.rows : undefined;
      }, 'four audit rows');
      expect(decisions).toEqual([
        {
          principal_name: 'Sam Smalllimit',
          outcome: 'approve',
          reason: 'fine by me',
          accepted: false,
          refusal_code: 'APPROVAL.LIMIT_EXCEEDED',
        },
        {
          principal_name: 'Otto Operator',
          outcome: 'approve',
          reason: null,
          accepted: false,
          refusal_code: 'APPROVAL.ROLE_NOT_ALLOWED',
        },
        {
          principal_name: 'Bea Biglimit',
          outcome: 'approve',
          reason: 'Unit failed on arrival, photos checked.',
          accepted: true,
          refusal_code: null,
        },
        {
          principal_name: 'Bea Biglimit',
          outcome: 'reject',
          reason: 'changed my mind',
          accepted: false,
          refusal_code: 'APPROVAL.NOT_PENDING',
        },
      ]);
      const row = await db.query('SELECT status, store FROM approvals WHERE approval_id = $1', [approvalId]);
      expect(row.rows).toEqual([{ status: 'approve', store: STORE }]);
      const notified = await db.query(
        `SELECT recipient->>'name' AS name FROM notifications WHERE id LIKE $1 ORDER BY 1`,
        [`${approvalId}:requested:%`],
      );
      expect(notified.rows.map((r) => r.name)).toEqual(['Bea Biglimit']);

      // The workflow history carries the decision, too.
      const handle = client.workflow.getHandle(`return:${STORE}:${returnId}`);
      const history = await handle.fetchHistory();
      const accepted = history.events?.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(accepted?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name).toBe(
        'decide',
      );
      await recordHistory(client, handle.workflowId, 'returnRefund-approver-decisions');
      await handle.terminate('test finished');
    });
  });
});
