import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createApprovalActivities } from '../../activities/approvals';
import { createNotifyActivities } from '../../activities/notify';
import { principalRepository } from '../../db/principals';
import { APPROVAL_FAILURE, type DecisionInput } from '../../domain/approvals';
import { workflowBundle } from '../../workers/worker';
import { decideUpdate, orderStatusQuery, type OrderStatus } from '../../domain/contracts';
import { deliver, event, makeOrder, scenario, waitFor } from '../orders/harness';
import { startApi, type TestApi } from '../security/api';

let quiet = false;
function quietRuntime() {
  if (quiet) return;
  quiet = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
}

/**
 * Held orders decided through the approver API against a real Temporal dev server, real workers and
 * Postgres: limits are checked against what the decision commits to, and of two decisions sent at
 * once exactly one wins.
 */
describe('order approvals: limits that hold, and exactly one decision wins', () => {
  let api: TestApi;
  let s: Awaited<ReturnType<typeof scenario>>;
  const keys: Record<'small' | 'ann' | 'bob', string> = {} as never;

  beforeAll(async () => {
    api = await startApi({ store: 'race-store', taskQueuePrefix: `race${Date.now().toString(36)}` });
    // The customer's credit limit is 10.00, so every order here is held for an approver.
    s = await scenario(api.db, { creditLimit: '10.00' });
    const principals = principalRepository(api.db);
    keys.small = (
      await principals.create({ name: 'Sid Small', role: 'approver', approvalLimit: '10.00' })
    ).apiKey;
    keys.ann = (await principals.create({ name: 'Ann', role: 'approver', approvalLimit: '5000.00' })).apiKey;
    keys.bob = (await principals.create({ name: 'Bob', role: 'approver', approvalLimit: '5000.00' })).apiKey;
  });
  afterAll(async () => api?.close());

  const activities = () => ({
    ...s.activities,
    ...createApprovalActivities({ db: api.db }),
    ...createNotifyActivities({ db: api.db }),
  });

  async function startWorker() {
    quietRuntime();
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const worker = await Worker.create({
      connection,
      taskQueue: s.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: activities(),
      // A paused worker's workflows move to the next worker at once instead of waiting on its sticky queue.
      stickyQueueScheduleToStartTimeout: '1s',
    });
    const running = worker.run();
    return {
      async stop() {
        worker.shutdown();
        await running;
        await connection.close();
      },
    };
  }

  /** A held order of 450.00 (10 × 45.00), waiting for its approval record to be open in Postgres. */
  async function heldOrder(orderId: string) {
    // On payment terms: an order paid at checkout takes no credit and is never held for it.
    const order = makeOrder(s.store, orderId, {
      financialStatus: 'pending',
      lines: [{ lineId: '1', sku: 'BOLT-1', quantity: 10, unitPrice: '45.00' }],
    });
    const handle = await deliver(api.temporal, s.taskQueue, event(order));
    const held = await waitFor(handle, (x) => x.pendingApproval !== null, `the credit hold on ${orderId}`);
    const approvalId = held.pendingApproval?.approvalId as string;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      const r = await api.call('GET', `/approvals/${encodeURIComponent(approvalId)}`, keys.ann);
      if (r.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { handle, approvalId, amount: held.pendingApproval?.amount };
  }

  const decide = (approvalId: string, key: string, body: unknown) =>
    api.call('POST', `/approvals/${encodeURIComponent(approvalId)}/decision`, key, body);

  it('an approver with a 10.00 limit cannot approve a 450.00 hold by naming a smaller amount, in the API or the workflow', async () => {
    const worker = await startWorker();
    try {
      const { handle, approvalId, amount } = await heldOrder('limit-1');
      expect(amount).toBe('450.00');
      for (const body of [
        { outcome: 'approve' },
        { outcome: 'approve', amount: '1.00' },
        { outcome: 'adjust', amount: '1.00', creditLimit: '2.00' },
      ]) {
        const r = await decide(approvalId, keys.small, body);
        expect(r.status, JSON.stringify(body)).toBe(403);
        expect(r.body).toMatchObject({ code: 'APPROVAL.LIMIT_EXCEEDED' });
        expect(r.body.message).toContain('450.00');
      }
      // The workflow's own validator holds too, for an update sent without the API.
      const direct: DecisionInput = {
        approvalId,
        outcome: 'approve',
        amount: '1.00',
        decidedAt: new Date().toISOString(),
        decidedBy: { userId: 'u-small', name: 'Sid Small', role: 'approver', approvalLimit: '10.00' },
      };
      const refused = await handle.executeUpdate(decideUpdate, { args: [direct] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(
        APPROVAL_FAILURE.limitExceeded,
      );
      // A larger figure set by the decision counts when it is above the pending amount.
      const over = await decide(approvalId, keys.ann, { outcome: 'adjust', creditLimit: '9000.00' });
      expect(over).toMatchObject({ status: 403, body: { code: 'APPROVAL.LIMIT_EXCEEDED' } });
      expect(over.body.message).toContain('9000.00');
      const status: OrderStatus = await handle.query(orderStatusQuery);
      expect(status.step).toBe('awaitingApproval');
      expect(status.approvals).toEqual([]);
      // Within the limit it goes through.
      const ok = await decide(approvalId, keys.ann, { outcome: 'approve', amount: '1.00' });
      expect(ok).toMatchObject({ status: 200, body: { accepted: true } });
    } finally {
      await worker.stop();
    }
  });

  it('two decisions at once: exactly one is accepted and the other is 409, in 20 rounds', async () => {
    const ROUNDS = 20;
    let worker = await startWorker();
    const orders: Awaited<ReturnType<typeof heldOrder>>[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) orders.push(await heldOrder(`race-${i}`));
    } finally {
      // With the worker stopped, both decisions of a round reach the workflow in the same workflow task.
      await worker.stop();
    }
    const races = orders.map(({ approvalId }) =>
      Promise.all([
        decide(approvalId, keys.ann, { outcome: 'approve', reason: 'Ann says yes' }),
        decide(approvalId, keys.bob, { outcome: 'reject', reason: 'Bob says no' }),
      ]),
    );
    worker = await startWorker();
    try {
      const results = await Promise.all(races);
      for (const [i, [ann, bob]] of results.entries()) {
        const statuses = [ann.status, bob.status].sort();
        expect(statuses, `round ${i}`).toEqual([200, 409]);
        const loser = ann.status === 409 ? ann : bob;
        expect(loser.body.code).toBe('APPROVAL.NOT_PENDING');
        // The order did what the accepted decision said, and records only that decision.
        const winner = ann.status === 200 ? 'Ann' : 'Bob';
        const status = await waitFor(
          orders[i]!.handle,
          (x) => x.approvals.length > 0 && x.step !== 'awaitingApproval',
          `round ${i} decided`,
        );
        expect(status.approvals.map((a) => a.decidedBy)).toEqual([winner]);
        expect(status.step === 'cancelled' || status.step === 'cancelling').toBe(winner === 'Bob');
      }
    } finally {
      await worker.stop();
    }
  });
});
