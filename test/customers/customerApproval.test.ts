import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { CustomerActivities } from '../../activities/customers';
import {
  DECIDE_UPDATE,
  PENDING_APPROVAL_QUERY,
  type DecisionInput,
  type DecisionResult,
  type PendingApproval,
} from '../../domain/approvals';
import { CUSTOMER_EVENT_SIGNAL, type StorefrontCustomerEvent } from '../../domain/customer';
import type { ErpCustomerInput } from '../../domain/erp';
import { customerWorkflowId, type CustomerApprovalStatus } from '../../domain/contracts';
import type { StorefrontCustomerInput } from '../../domain/storefront';
import {
  approvalWorkflowsBundle,
  approverInput,
  eventually,
  memoryApprovals,
  runWorker,
  stepOf,
} from '../approvals/harness';
import { testClient, uniqueTaskQueue } from '../support/env';
import { recordHistory } from '../support/histories';
import { CustomerApprovalPolicy } from '../../domain/schemas/customer-rules';
import { CustomerApplication } from '../../domain/schemas/customer';

const STORE = 'cust-store';

function customerWorld() {
  const approvals = memoryApprovals();
  const erpUpserts: ErpCustomerInput[] = [];
  const storefrontUpserts: StorefrontCustomerInput[] = [];
  const mapped: { storeCustomerId: string; erpCustomerId: string }[] = [];
  const activities: CustomerActivities & typeof approvals.activities = {
    ...approvals.activities,
    async loadCustomerPolicy() {
      return CustomerApprovalPolicy.parse({});
    },
    async upsertErpCustomer(input) {
      erpUpserts.push(input);
      return {
        erpId: 'CUST-812',
        externalId: input.externalId,
        companyName: input.companyName,
        email: input.email ?? null,
        creditLimit: input.creditLimit ?? null,
        balance: '0.00',
        terms: input.terms ?? null,
        priceLevel: input.priceLevel ?? null,
        taxExempt: input.taxExempt ?? false,
        parentErpId: input.parentErpId ?? null,
        lastModified: new Date().toISOString(),
      };
    },
    async mapCustomer(input) {
      mapped.push({ storeCustomerId: input.storeCustomerId, erpCustomerId: input.erpCustomerId });
    },
    async upsertStorefrontCustomer(input) {
      storefrontUpserts.push(input);
      return { customerId: input.customerId ?? 'new-1', companyId: 'CO-9' };
    },
    // The store never refuses here (test/customers/store-refusal.test.ts has it refuse), so no alert is raised.
    async raiseCustomerAlert() {
      throw new Error('no alert expected');
    },
    async resolveCustomerAlert() {},
  };
  return { approvals, erpUpserts, storefrontUpserts, mapped, activities };
}

describe('customerApproval workflow', () => {
  let client: Client;
  beforeAll(async () => {
    client = await testClient();
    await approvalWorkflowsBundle();
  });
  afterAll(async () => {
    await client.connection.close();
  });

  async function apply(
    taskQueue: string,
    application: Partial<CustomerApplication>,
    policy: Partial<CustomerApprovalPolicy> = {},
  ) {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const app = CustomerApplication.parse({
      store: STORE,
      customerId,
      email: 'buyer@acme-industrial.example',
      companyName: 'Acme Industrial',
      ...application,
    });
    const event: StorefrontCustomerEvent = {
      topic: 'customers/create',
      eventId: `ev-${customerId}`,
      triggeredAt: new Date().toISOString(),
      application: app,
    };
    await client.workflow.signalWithStart('customerApproval', {
      workflowId: customerWorkflowId(STORE, customerId),
      taskQueue,
      args: [{ store: STORE, customerId, policy: CustomerApprovalPolicy.parse(policy) }],
      signal: CUSTOMER_EVENT_SIGNAL,
      signalArgs: [event],
    });
    return { handle: client.workflow.getHandle(customerWorkflowId(STORE, customerId)), customerId };
  }
  const decide = (handle: ReturnType<Client['workflow']['getHandle']>, input: DecisionInput) =>
    handle.executeUpdate<DecisionResult, [DecisionInput]>(DECIDE_UPDATE, { args: [input] });
  const pendingOf = (handle: ReturnType<Client['workflow']['getHandle']>, round = 1) =>
    eventually(async () => {
      const p = await handle.query<PendingApproval | null>(PENDING_APPROVAL_QUERY);
      return p?.approvalId.endsWith(`:approval:${round}`) ? p : undefined;
    }, `approval round ${round}`);

  it('approves with credit limit, terms and price level; the ERP customer and the storefront account both get them', async () => {
    const world = customerWorld();
    const taskQueue = uniqueTaskQueue('customer-approve');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle, customerId } = await apply(
        taskQueue,
        {
          requestedCreditLimit: '20000.00',
          requestedTerms: 'Net 45',
          taxExempt: true,
          taxId: 'EIN-12-345',
          parentErpCustomerId: 'CUST-100',
        },
        { priceLists: { 'Tier 2': 'B2B Tier 2' } },
      );
      const pending = await pendingOf(handle);
      expect(pending).toMatchObject({ kind: 'customer', amount: '20000.00' });
      await decide(
        handle,
        approverInput(pending.approvalId, {
          outcome: 'approve',
          creditLimit: '25000.00',
          terms: 'Net 30',
          priceLevel: 'Tier 2',
          reason: 'Good references',
        }),
      );

      const result = (await handle.result()) as CustomerApprovalStatus;
      expect(result.step).toBe('approved');
      expect(world.erpUpserts).toEqual([
        {
          externalId: `${STORE}:${customerId}`,
          companyName: 'Acme Industrial',
          email: 'buyer@acme-industrial.example',
          creditLimit: '25000.00',
          terms: 'Net 30',
          priceLevel: 'Tier 2',
          taxExempt: true,
          taxId: 'EIN-12-345',
          parentErpId: 'CUST-100',
        },
      ]);
      expect(world.storefrontUpserts).toEqual([
        expect.objectContaining({
          customerId,
          priceList: 'B2B Tier 2',
          paymentTermsName: 'Net 30',
          taxExempt: true,
          creditHeadroom: '25000.00',
          erpCustomerId: 'CUST-812',
        }),
      ]);
      expect(world.mapped).toEqual([{ storeCustomerId: customerId, erpCustomerId: 'CUST-812' }]);
      expect(result).toMatchObject({
        erpCustomerId: 'CUST-812',
        companyId: 'CO-9',
        decision: { outcome: 'approve', decidedBy: 'Ada Approver' },
      });
      expect(world.approvals.closed).toMatchObject([{ approvalId: pending.approvalId, outcome: 'approve' }]);
      expect(world.approvals.notifications.map((n) => n.kind)).toEqual(['customer.welcome']);
      await recordHistory(client, handle.workflowId, 'customerApproval-approved');
    });
  });

  it('asks the applicant for more information, then approves the corrected application', async () => {
    const world = customerWorld();
    const taskQueue = uniqueTaskQueue('customer-info');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle } = await apply(taskQueue, { requestedCreditLimit: '8000.00' });
      const first = await pendingOf(handle, 1);
      await decide(
        handle,
        approverInput(first.approvalId, {
          outcome: 'requestInfo',
          reason: 'Please send your resale certificate number.',
        }),
      );
      await stepOf<CustomerApprovalStatus>(handle, 'customerStatus', 'awaitingApplicant');
      // The step changes before the notification activity has finished: wait for the message itself.
      await eventually(() => world.approvals.notifications.length > 0, 'the applicant to be asked');
      expect(world.approvals.notifications.map((n) => [n.kind, n.text])).toEqual([
        ['customer.infoRequested.1', 'Please send your resale certificate number.'],
      ]);

      await handle.signal('applicantInfo', {
        message: 'Certificate RC-998877 attached.',
        changes: { taxId: 'RC-998877', taxExempt: true },
      });
      const second = await pendingOf(handle, 2);
      expect(second.context).toMatchObject({
        infoRequests: [
          {
            question: 'Please send your resale certificate number.',
            answer: 'Certificate RC-998877 attached.',
          },
        ],
      });
      await decide(handle, approverInput(second.approvalId, { outcome: 'approve' }));

      const result = (await handle.result()) as CustomerApprovalStatus;
      expect(result.step).toBe('approved');
      expect(result.round).toBe(2);
      expect(world.erpUpserts).toHaveLength(1);
      expect(world.erpUpserts[0]).toMatchObject({
        taxId: 'RC-998877',
        taxExempt: true,
        creditLimit: '8000.00',
        terms: 'Net 30',
        priceLevel: 'Wholesale',
      });
      expect(world.approvals.closed.map((c) => c.outcome)).toEqual(['requestInfo', 'approve']);
      await recordHistory(client, handle.workflowId, 'customerApproval-info-requested');
    });
  });

  it('reminds the approvers and then escalates when nobody decides in time', async () => {
    const world = customerWorld();
    const taskQueue = uniqueTaskQueue('customer-escalate');
    await runWorker({ taskQueue, activities: world.activities }, async () => {
      const { handle } = await apply(
        taskQueue,
        {},
        { reminderAfter: '1 second', escalateAfter: '2 seconds' },
      );
      const pending = await pendingOf(handle);
      expect(pending.escalated).toBe(false);
      const escalated = await eventually(async () => {
        const p = await handle.query<PendingApproval | null>(PENDING_APPROVAL_QUERY);
        return p?.escalated ? p : undefined;
      }, 'escalation');
      expect(escalated.approvalId).toBe(pending.approvalId);
      await eventually(async () => world.approvals.reminders.length === 2, 'the escalation notice');
      expect(world.approvals.reminders).toEqual([
        { approvalId: pending.approvalId, escalate: false },
        { approvalId: pending.approvalId, escalate: true },
      ]);
      expect((await handle.query<CustomerApprovalStatus>('customerStatus')).escalated).toBe(true);

      await decide(
        handle,
        approverInput(pending.approvalId, { outcome: 'reject', reason: 'Could not verify the business.' }),
      );
      const result = (await handle.result()) as CustomerApprovalStatus;
      expect(result.step).toBe('rejected');
      expect(world.erpUpserts).toHaveLength(0);
      expect(world.approvals.notifications.map((n) => n.kind)).toEqual(['customer.rejected']);
      await recordHistory(client, handle.workflowId, 'customerApproval-escalated-rejected');
    });
  });
});
