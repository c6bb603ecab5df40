import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createCustomerActivities } from '../../activities/customers';
import { ShopifyStorefront } from '../../connectors/shopify/storefront';
import { attentionSources } from '../../db/dashboard';
import type { Db } from '../../db/pool';
import { attentionQueue } from '../../domain/attention';
import { DECIDE_UPDATE, PENDING_APPROVAL_QUERY, type PendingApproval } from '../../domain/approvals';
import { CUSTOMER_EVENT_SIGNAL, type StorefrontCustomerEvent } from '../../domain/customer';
import {
  customerStatusQuery,
  customerWorkflowId,
  retryStorefrontAccountSignal,
  type CustomerApprovalStatus,
} from '../../domain/contracts';
import type { ErpCustomerInput } from '../../domain/erp';
import { CustomerApprovalPolicy } from '../../domain/schemas/customer-rules';
import { CustomerApplication } from '../../domain/schemas/customer';
import {
  approvalWorkflowsBundle,
  approverInput,
  eventually,
  memoryApprovals,
  runWorker,
} from '../approvals/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { testClient, testDb, uniqueTaskQueue } from '../support/env';

/**
 * The store refusing an approved customer's account (Shopify userErrors over the real connector,
 * from the sandbox store) parks the approval with the store's words and an alert; a retry after the
 * fix opens the account. Another applicant is approved meanwhile.
 */
describe('customer approval when the store refuses the account', () => {
  let db: Db;
  let client: Client;
  let shop: RunningSandbox;
  const store = `cust-refusal-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    db = testDb();
    client = await testClient();
    shop = await startSandbox(`customer_refusal_${Date.now()}`);
    await approvalWorkflowsBundle();
  });
  afterAll(async () => {
    await shop.stop();
    await client.connection.close();
    await db.end();
  });

  const openAlerts = async (workflowId: string) =>
    (
      await db.query<{ kind: string; message: string }>(
        'SELECT kind, message FROM alerts WHERE workflow_id = $1 AND resolved_at IS NULL',
        [workflowId],
      )
    ).rows;

  async function apply(taskQueue: string, priceLevel: string, companyName?: string) {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const event: StorefrontCustomerEvent = {
      topic: 'registration',
      eventId: `ev-${customerId}`,
      triggeredAt: new Date().toISOString(),
      application: CustomerApplication.parse({
        store,
        customerId,
        email: `${customerId}@example.com`,
        firstName: 'Pat',
        lastName: 'Buyer',
        ...(companyName ? { companyName } : {}),
      }),
    };
    const policy = CustomerApprovalPolicy.parse({
      priceLists: { Gold: 'B2B Gold', Silver: 'B2B Silver' },
    });
    const handle = await client.workflow.signalWithStart('customerApproval', {
      workflowId: customerWorkflowId(store, customerId),
      taskQueue,
      args: [{ store, customerId, policy }],
      signal: CUSTOMER_EVENT_SIGNAL,
      signalArgs: [event],
    });
    const pending = await eventually(
      () => handle.query<PendingApproval | null>(PENDING_APPROVAL_QUERY).then((p) => p ?? undefined),
      'the approval',
    );
    await handle.executeUpdate(DECIDE_UPDATE, {
      args: [approverInput(pending.approvalId, { outcome: 'approve', terms: 'Net 30', priceLevel })],
    });
    return handle;
  }

  it('parks with the store words and an alert, retries when told, and others are approved meanwhile', async () => {
    const approvals = memoryApprovals();
    let erpIds = 0;
    const storefront = new ShopifyStorefront(shop.client);
    const real = createCustomerActivities({ db, erp: undefined as never, storefront });
    const activities = {
      ...approvals.activities,
      ...real,
      async upsertErpCustomer(input: ErpCustomerInput) {
        erpIds += 1;
        return {
          erpId: `CUST-${store}-${erpIds}`,
          externalId: input.externalId,
          companyName: input.companyName,
          email: input.email ?? null,
          creditLimit: input.creditLimit ?? null,
          balance: '0.00',
          terms: input.terms ?? null,
          priceLevel: input.priceLevel ?? null,
          taxExempt: false,
          parentErpId: null,
          lastModified: new Date().toISOString(),
        };
      },
    };
    const taskQueue = uniqueTaskQueue('customer-refusal');
    await runWorker({ taskQueue, activities }, async () => {
      // The store has no catalog "B2B Gold" for the approved price level yet.
      const refused = await apply(taskQueue, 'Gold', 'Gold Fasteners');
      const parked = await eventually(
        () =>
          refused
            .query(customerStatusQuery)
            .then((s) => (s.attention?.kind === 'storeRefused' ? s : undefined)),
        'parked on the store refusal',
      );
      expect(parked.step).toBe('provisioning');
      expect(parked.attention?.reason).toBe(
        `Gold Fasteners is approved and ERP customer CUST-${store}-1 is made, but the store refused their account: No catalog or price list named B2B Gold (priceList). Fix that in the store (or the approved terms and price list), then retry.`,
      );
      // The process parks first and raises its alert in its next step, so the alert may come a moment later.
      const alerts = await eventually(
        () => openAlerts(refused.workflowId).then((a) => (a.length > 0 ? a : undefined)),
        'the store-refusal alert',
      );
      expect(alerts).toEqual([{ kind: 'customer.storeRefused', message: parked.attention?.reason }]);

      // The dashboard's needs-attention queue shows it in those words, with a retry.
      const queue = attentionQueue(await attentionSources(db, { stores: [store], homeStore: store }));
      const group = queue.find((g) => g.cause === 'customer.storeRefused');
      expect(group?.title).toBe('Approved customers the store refused an account');
      expect(group?.items).toMatchObject([
        {
          workflowId: refused.workflowId,
          title: 'The store refused the account of Gold Fasteners',
          what: parked.attention?.reason,
          actions: [{ kind: 'retryAccount' }, { kind: 'acknowledgeAlert' }],
        },
      ]);

      // Another applicant, a person buying without a company (so no catalog), is approved meanwhile.
      const other = await apply(taskQueue, 'Silver');
      expect(((await other.result()) as CustomerApprovalStatus).step).toBe('approved');

      // The operator makes the catalog in the store for the company the first attempt made, then retries.
      const company = await shop.client.request<{
        companies: { nodes: { locations: { nodes: { id: string }[] } }[] };
      }>(
        `query($q: String!) { companies(first: 1, query: $q) { nodes { locations(first: 1) { nodes { id } } } } }`,
        {
          q: `external_id:"CUST-${store}-1"`,
        },
      );
      const locationId = company.companies.nodes[0]!.locations.nodes[0]!.id;
      await shop.client.request(
        `mutation($input: CatalogCreateInput!) { catalogCreate(input: $input) { catalog { id } userErrors { field message } } }`,
        { input: { title: 'B2B Gold', status: 'ACTIVE', context: { companyLocationIds: [locationId] } } },
      );
      await refused.signal(retryStorefrontAccountSignal);
      const done = (await refused.result()) as CustomerApprovalStatus;
      expect(done.step).toBe('approved');
      expect(done.attention).toBeNull();
      expect(done.companyId).toBeTruthy();
      expect(await openAlerts(refused.workflowId)).toEqual([]);
    });
  });
});
