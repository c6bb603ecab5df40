import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createStoreCompanyActivities, type CompanyPageResult } from '../../activities/store-companies';
import { ShopifyCompanies } from '../../connectors/shopify/companies';
import { ShopifyPricing } from '../../connectors/shopify/pricing';
import type { NetSuiteClient } from '../../connectors/netsuite';
import { alertRepository } from '../../db/alerts';
import { attentionSources } from '../../db/dashboard';
import { attentionQueue } from '../../domain/attention';
import { syncRepository } from '../../db/sync';
import type { ErpCustomer } from '../../domain/erp';
import { startErpSandbox, type RunningErpSandbox } from '../erp/harness';
import { startSandbox, type RunningSandbox } from '../storefront/sandbox-support';
import { testDb } from '../support/env';

const store = `companies-${randomUUID().slice(0, 6)}`;
const tag = randomUUID().slice(0, 6);
const db = testDb();
let erp: RunningErpSandbox;
let shop: RunningSandbox;
let netsuite: NetSuiteClient;
let acts: ReturnType<typeof createStoreCompanyActivities>;
const env = new MockActivityEnvironment();
let parent: ErpCustomer;
let east: ErpCustomer;
let west: ErpCustomer;

interface StoreCompanyView {
  id: string;
  externalId: string;
  locations: {
    nodes: {
      externalId: string | null;
      name: string;
      buyerExperienceConfiguration: { paymentTermsTemplate: { name: string } | null };
      taxSettings: { taxExempt: boolean; taxRegistrationId: string | null };
    }[];
  };
  contacts: { nodes: { customer: { email: string } }[] };
}

/** What a merchant sees in the store's admin: every company with its locations and contacts. */
async function storeCompanies(): Promise<StoreCompanyView[]> {
  const data = await shop.client.request<{ companies: { nodes: StoreCompanyView[] } }>(
    `{ companies(first: 20) { nodes { id externalId
        locations(first: 10) { nodes { externalId name buyerExperienceConfiguration { paymentTermsTemplate { name } } taxSettings { taxExempt taxRegistrationId } } }
        contacts(first: 10) { nodes { customer { email } } } } } }`,
  );
  return data.companies.nodes;
}

async function syncAll(): Promise<CompanyPageResult[]> {
  const pages: CompanyPageResult[] = [];
  for (;;) {
    const page = (await env.run(acts.syncCompanyChanges, { store, pageSize: 50 })) as CompanyPageResult;
    pages.push(page);
    if (!page.hasMore) return pages;
  }
}

beforeAll(async () => {
  erp = await startErpSandbox({ skus: 3, customers: 2 });
  shop = await startSandbox(`sandbox_store_co${randomUUID().slice(0, 6)}`);
  netsuite = erp.client();
  acts = createStoreCompanyActivities({
    db,
    erp: netsuite,
    companies: new ShopifyCompanies(shop.client),
    alerts: alertRepository(db),
  });
  parent = await netsuite.upsertCustomer({
    externalId: `hq-${tag}`,
    companyName: `Harbor Supply ${tag}`,
    email: `ap-${tag}@harbor.example`,
    terms: 'Net 30',
  });
  east = await netsuite.upsertCustomer({
    externalId: `east-${tag}`,
    companyName: `Harbor Supply East ${tag}`,
    email: `east-${tag}@harbor.example`,
    terms: 'Net 30',
    parentErpId: parent.erpId,
  });
  west = await netsuite.upsertCustomer({
    externalId: `west-${tag}`,
    companyName: `Harbor Supply West ${tag}`,
    email: `west-${tag}@harbor.example`,
    terms: 'Net 15',
    parentErpId: parent.erpId,
  });
  await syncAll();
}, 120_000);

afterAll(async () => {
  await shop?.stop();
  await erp?.close();
});

describe('ERP customers into the store as B2B companies', () => {
  it('an ERP parent with two child accounts becomes one company with three locations and their contacts', async () => {
    const all = await storeCompanies();
    const harbor = all.filter((c) => [parent.erpId, east.erpId, west.erpId].includes(c.externalId));
    expect(harbor).toHaveLength(1);
    expect(harbor[0]!.externalId).toBe(parent.erpId);
    const locations = Object.fromEntries(harbor[0]!.locations.nodes.map((l) => [l.externalId, l]));
    expect(Object.keys(locations).sort()).toEqual([parent.erpId, east.erpId, west.erpId].sort());
    expect(locations[east.erpId]!.name).toBe(`Harbor Supply East ${tag}`);
    expect(locations[parent.erpId]!.buyerExperienceConfiguration.paymentTermsTemplate?.name).toBe('Net 30');
    expect(locations[west.erpId]!.buyerExperienceConfiguration.paymentTermsTemplate?.name).toBe('Net 15');
    expect(harbor[0]!.contacts.nodes.map((c) => c.customer.email).sort()).toEqual(
      [`ap-${tag}@harbor.example`, `east-${tag}@harbor.example`, `west-${tag}@harbor.example`].sort(),
    );
    // The seeded ERP customers got companies of their own.
    expect(all.filter((c) => c.externalId === '1' || c.externalId === '2')).toHaveLength(2);
  });

  it('the pricing sync finds a child account at its location in the parent company', async () => {
    const found = await new ShopifyPricing(shop.client).companyLocations([east.erpId, parent.erpId]);
    const harbor = (await storeCompanies()).find((c) => c.externalId === parent.erpId)!;
    expect(found.size).toBe(2);
    expect(found.get(east.erpId)).not.toBe(found.get(parent.erpId));
    const ids = await shop.client.request<{ company: { locations: { nodes: { id: string }[] } } }>(
      `query ($id: ID!) { company(id: $id) { locations(first: 10) { nodes { id } } } }`,
      { id: harbor.id },
    );
    const inCompany = ids.company.locations.nodes.map((n) => n.id);
    expect(inCompany).toContain(found.get(east.erpId));
    expect(inCompany).toContain(found.get(parent.erpId));
  });

  it('a terms change and a tax exemption in the ERP reach the store location on the next sync', async () => {
    await netsuite.upsertCustomer({
      externalId: `hq-${tag}`,
      companyName: `Harbor Supply ${tag}`,
      terms: 'Net 60',
    });
    await netsuite.upsertCustomer({
      externalId: `east-${tag}`,
      companyName: `Harbor Supply East ${tag}`,
      taxExempt: true,
      taxId: `EX-${tag}`,
    });
    await syncAll();
    const harbor = (await storeCompanies()).find((c) => c.externalId === parent.erpId)!;
    const locations = Object.fromEntries(harbor.locations.nodes.map((l) => [l.externalId, l]));
    expect(locations[parent.erpId]!.buyerExperienceConfiguration.paymentTermsTemplate?.name).toBe('Net 60');
    expect(locations[east.erpId]!.taxSettings).toEqual({ taxExempt: true, taxRegistrationId: `EX-${tag}` });
    expect(locations[west.erpId]!.taxSettings.taxExempt).toBe(false);
  });

  it('an ERP customer the store refuses (two email addresses in one field) is an alert in the store words; the rest of the page reaches the store, and the corrected customer follows', async () => {
    const typo = await netsuite.upsertCustomer({
      externalId: `typo-${tag}`,
      companyName: `Typo Tools ${tag}`,
      email: `ap@typo-${tag}.example, orders@typo-${tag}.example`,
      terms: 'Net 30',
    });
    const fine = await netsuite.upsertCustomer({
      externalId: `fine-${tag}`,
      companyName: `Fine Fittings ${tag}`,
      email: `ap@fine-${tag}.example`,
      terms: 'Net 30',
    });
    const pages = await syncAll();
    expect(pages.reduce((n, p) => n + p.skipped, 0)).toBeGreaterThanOrEqual(1);
    const inStore = (await storeCompanies()).map((c) => c.externalId);
    expect(inStore).toContain(fine.erpId);
    expect(inStore).not.toContain(typo.erpId);
    const open = async () =>
      (
        await db.query<{ subject: string; message: string }>(
          'SELECT subject, message FROM alerts WHERE dedupe_key = $1 AND resolved_at IS NULL',
          [`sync.companyRefused:${store}:${typo.erpId}`],
        )
      ).rows;
    expect(await open()).toEqual([
      {
        subject: `The store refused the company of ERP customer Typo Tools ${tag}`,
        message: `ERP customer ${typo.erpId} was not brought to the store, which refused: Email is invalid (input.companyContact.email). Correct the customer in the ERP; its next change brings it again.`,
      },
    ]);
    const queue = attentionQueue(await attentionSources(db, { stores: null, homeStore: store }));
    expect(queue.find((g) => g.cause === 'sync.companyRefused')?.title).toBe(
      'ERP customers the store refused a company for',
    );

    await netsuite.upsertCustomer({
      externalId: `typo-${tag}`,
      companyName: `Typo Tools ${tag}`,
      email: `ap@typo-${tag}.example`,
    });
    await syncAll();
    expect((await storeCompanies()).map((c) => c.externalId)).toContain(typo.erpId);
    expect(await open()).toEqual([]);
  });

  it('running the whole sync again creates nothing twice', async () => {
    const before = await storeCompanies();
    await syncRepository(db).saveCursor(`store-companies:${store}`, null);
    const pages = await syncAll();
    const after = await storeCompanies();
    expect(pages.reduce((n, p) => n + p.customers, 0)).toBeGreaterThanOrEqual(5);
    expect(pages.every((p) => p.companiesCreated + p.locationsCreated + p.contactsCreated === 0)).toBe(true);
    expect(after.length).toBe(before.length);
    const count = (cs: StoreCompanyView[]) =>
      cs.map((c) => [c.externalId, c.locations.nodes.length, c.contacts.nodes.length]);
    expect(count(after)).toEqual(count(before));
  });
});
