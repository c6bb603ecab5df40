import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { mappingRepository } from '../../db/mappings';
import { policyRepository } from '../../db/policies';
import { principalRepository } from '../../db/principals';
import { DECIDE_UPDATE, PENDING_APPROVAL_QUERY, type PendingApproval } from '../../domain/approvals';
import {
  customerWorkflowId,
  type CustomerApprovalStatus,
  type CustomerSyncOutcome,
} from '../../domain/contracts';
import { approverInput } from '../approvals/harness';
import { recordHistory } from '../support/histories';
import { startStack, waitFor, type Stack } from '../e2e/stack';

/** Storefront customer events on the whole stack: sandbox store → API → Temporal → sandbox ERP. */
describe('customers from the store into the ERP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ customers: 12 });
    await policyRepository(stack.db).save(
      stack.store,
      'customer',
      { defaultPriceLevel: 'Tier 1', defaultTerms: 'Net 30', priceLists: { 'Tier 1': 'Tier A' } },
      'test',
    );
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** The customer-sync process the ingress started for a storefront customer's webhook of this topic. */
  const syncOutcome = async (topic: string, customerId: string): Promise<CustomerSyncOutcome> => {
    const workflowId = await waitFor(`the ${topic} delivery for customer ${customerId}`, async () => {
      const res = await stack.db.query<{ workflow_id: string }>(
        `SELECT workflow_id FROM webhook_deliveries WHERE topic = $1 AND workflow_id LIKE $2 AND status = 'processed'`,
        [topic, `customer-sync:${stack.store}:${customerId}:%`],
      );
      return res.rows[0]?.workflow_id;
    });
    const outcome = (await stack.client.workflow.getHandle(workflowId).result()) as CustomerSyncOutcome;
    await recordHistory(
      stack.client,
      workflowId,
      `customerSync-${topic.replace('/', '-')}-${outcome.outcome}`,
    );
    return outcome;
  };
  const approvalExists = async (customerId: string) =>
    stack.client.workflow
      .getHandle(customerWorkflowId(stack.store, customerId))
      .describe()
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        },
      );

  it('customers/update for a customer the ERP knows changes the ERP customer and opens no approval', async () => {
    const { shop, erp } = stack;
    const netsuite = erp.client();
    // An existing ERP account's buyer signs up in the store: the ERP knows the (verified) email.
    const buyer = await shop.sim<{ customerId: string }>('/sandbox/customers', {
      email: 'ap@customer3.example.com',
      company: 'Existing account 3',
    });
    expect(await syncOutcome('customers/create', buyer.customerId)).toMatchObject({
      outcome: 'erpUpdated',
      erpCustomerId: '3',
    });
    expect(await mappingRepository(stack.db).erpCustomer(stack.store, buyer.customerId)).toBe('3');

    const updated = await shop.client.request<{ customerUpdate: { userErrors: unknown[] } }>(
      `mutation U($input: CustomerInput!) { customerUpdate(input: $input) { customer { id } userErrors { field message } } }`,
      {
        input: {
          id: `gid://shopify/Customer/${buyer.customerId}`,
          email: 'payables@customer3.example.com',
        },
      },
    );
    expect(updated.customerUpdate.userErrors).toEqual([]);
    expect(await syncOutcome('customers/update', buyer.customerId)).toMatchObject({
      outcome: 'erpUpdated',
      erpCustomerId: '3',
      knownBy: 'mapping',
    });
    expect((await netsuite.getCustomer('3'))?.email).toBe('payables@customer3.example.com');
    expect(await approvalExists(buyer.customerId)).toBe(false);
  });

  it('a change the ERP refuses (a company name longer than NetSuite takes) is an alert in the ERP words, not a retried write; the next change in the store is tried again', async () => {
    const { shop, erp } = stack;
    const netsuite = erp.client();
    const before = (await netsuite.getCustomer('4'))?.companyName;
    const long =
      `Existing account 4 — ${'Northern Regional Industrial Supply and Maintenance '.repeat(2)}`.trim();
    expect(long.length).toBeGreaterThan(83);
    const buyer = await shop.sim<{ customerId: string }>('/sandbox/customers', {
      email: 'ap@customer4.example.com',
      address: { company: long, address1: '1 Quay Road', city: 'Portland', zip: '97201', country_code: 'US' },
    });
    const outcome = await syncOutcome('customers/create', buyer.customerId);
    expect(outcome).toMatchObject({ outcome: 'erpRefused', erpCustomerId: '4' });
    expect((await netsuite.getCustomer('4'))?.companyName).toBe(before);
    const alerts = await stack.db.query<{ kind: string; message: string }>(
      'SELECT kind, message FROM alerts WHERE dedupe_key = $1 AND resolved_at IS NULL',
      [`customer.erpRefused:${stack.store}:${buyer.customerId}`],
    );
    expect(alerts.rows).toEqual([
      {
        kind: 'customer.erpRefused',
        message:
          "The contact details of store customer ap@customer4.example.com were not written to ERP customer 4, which refused: The field companyName contained more than the maximum number ( 83 ) of characters allowed (companyName). Correct them in the store (or the ERP); the customer's next change in the store is applied again.",
      },
    ]);
    expect(await approvalExists(buyer.customerId)).toBe(false);

    // The buyer's next change in the store is tried again (and refused again while the address still
    // carries the long company name): the change was not used up by the refusal.
    const updated = await shop.client.request<{ customerUpdate: { userErrors: unknown[] } }>(
      `mutation U($input: CustomerInput!) { customerUpdate(input: $input) { customer { id } userErrors { field message } } }`,
      {
        input: { id: `gid://shopify/Customer/${buyer.customerId}`, email: 'payables@customer4.example.com' },
      },
    );
    expect(updated.customerUpdate.userErrors).toEqual([]);
    const next = await syncOutcome('customers/update', buyer.customerId);
    expect(next).toMatchObject({ outcome: 'erpRefused', erpCustomerId: '4' });
    expect((await netsuite.getCustomer('4'))?.email).not.toBe('payables@customer4.example.com');
  });

  it('a customer the ERP does not know opens the new-customer approval with its application', async () => {
    const stranger = await stack.shop.sim<{ customerId: string }>('/sandbox/customers', {
      email: 'buyer@unknown-newco.example.com',
      company: 'Newco',
    });
    expect(await syncOutcome('customers/create', stranger.customerId)).toMatchObject({
      outcome: 'approval',
      approvalWorkflowId: customerWorkflowId(stack.store, stranger.customerId),
    });
    const status = await stack.client.workflow
      .getHandle(customerWorkflowId(stack.store, stranger.customerId))
      .query<CustomerApprovalStatus>('customerStatus');
    expect(status.application?.email).toBe('buyer@unknown-newco.example.com');
  });

  it("an approved registration's own customers/create opens no second approval", async () => {
    const { apiKey } = await principalRepository(stack.db).create({ name: 'Ops', role: 'operator' });
    const res = await fetch(`${stack.api}/customers/registrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        store: stack.store,
        email: 'orders@harbour-fittings.example.com',
        firstName: 'Hana',
        lastName: 'Harbour',
        companyName: 'Harbour Fittings',
      }),
    });
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    const approval = stack.client.workflow.getHandle(workflowId);
    const pending = await waitFor('the registration approval', () =>
      approval.query<PendingApproval | null>(PENDING_APPROVAL_QUERY),
    );
    await approval.executeUpdate(DECIDE_UPDATE, {
      args: [approverInput(pending.approvalId, { outcome: 'approve', creditLimit: '8000.00' })],
    });
    const approved = await waitFor('the approved account', async () => {
      const s = await approval.query<CustomerApprovalStatus>('customerStatus');
      if (['rejected', 'expired', 'abandoned'].includes(s.step)) throw new Error(`approval ${s.step}`);
      return s.step === 'approved' ? s : null;
    });
    const storeCustomerId = approved.storefrontCustomerId!;

    // The store announced the customer Quayside created: recognised as this approval's, no second one.
    expect(await syncOutcome('customers/create', storeCustomerId)).toMatchObject({
      outcome: 'erpUpdated',
      erpCustomerId: approved.erpCustomerId,
    });
    expect(await approvalExists(storeCustomerId)).toBe(false);
    expect(await mappingRepository(stack.db).erpCustomer(stack.store, storeCustomerId)).toBe(
      approved.erpCustomerId,
    );
  });
});
