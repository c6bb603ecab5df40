import { heartbeat } from '@temporalio/activity';
import { refusalsOf } from '../connectors/shopify/errors';
import type { AlertRepository } from '../db/alerts';
import type { Db } from '../db/pool';
import { syncRepository } from '../db/sync';
import { storeRefusalWords } from '../domain/failures';
import type { FlowSnapshot } from '../domain/flow-switches';
import { flowGate, type FlowGate } from './flows';
import type { ErpChangeFeed, ErpCustomer, ErpPort } from '../domain/erp';
import {
  parentsFirst,
  placementOf,
  termsTemplateFor,
  type StoreCompaniesPort,
} from '../domain/store-companies';

export interface StoreCompanyDeps {
  db: Db;
  erp: ErpPort & ErpChangeFeed;
  companies: StoreCompaniesPort;
  alerts: AlertRepository;
}

export interface CompanyPageResult {
  customers: number;
  companiesCreated: number;
  locationsCreated: number;
  contactsCreated: number;
  locationsUpdated: number;
  /** Children whose parent account the ERP does not return (they wait for it). */
  skipped: number;
  hasMore: boolean;
  /** Set when the page did nothing because of the run's flow switches (see activities/flows.ts). */
  flowGate?: Exclude<FlowGate, 'run'>;
}

const companiesCursor = (store: string) => `store-companies:${store}`;

/**
 * ERP customers into the store's B2B companies (domain/store-companies.ts places them), by the ERP's
 * change cursor. Every write first reads the company by its external id and writes only what differs,
 * so a retried page or a second run creates nothing twice. Credit headroom and catalog assignment are
 * the store pricing sync's (activities/store-pricing.ts), which finds these locations by the same ids.
 */
export function createStoreCompanyActivities(deps: StoreCompanyDeps) {
  const { db, erp, companies, alerts } = deps;
  const syncs = syncRepository(db);

  async function syncAccount(
    store: string,
    c: ErpCustomer,
    out: CompanyPageResult,
    depth = 0,
  ): Promise<boolean> {
    const place = placementOf(c);
    const templates = await companies.paymentTermsTemplates();
    const termsId = termsTemplateFor(c.terms, templates);
    if (c.terms && !termsId)
      await alerts.raise({
        severity: 'warning',
        kind: 'sync.termsNotInStore',
        subject: `ERP payment terms "${c.terms}" have no payment terms template in the store`,
        message: `Customer ${c.companyName} keeps its current terms in the store until a template named "${c.terms}" exists.`,
        dedupeKey: `sync.termsNotInStore:${store}:${c.terms}`,
        details: { customer: c.erpId },
      });
    let company = await companies.findCompany(place.companyExternalId);
    if (!company && place.isChild) {
      const parent = depth < 3 ? await erp.getCustomer(place.companyExternalId) : null;
      if (parent && (await syncAccount(store, parent, out, depth + 1)))
        company = await companies.findCompany(place.companyExternalId);
      if (!company) {
        await alerts.raise({
          severity: 'warning',
          kind: 'sync.parentNotInStore',
          subject: `Child account ${c.companyName} waits for its parent account in the store`,
          message: `ERP customer ${c.erpId} belongs to parent ${place.companyExternalId}, which has no company in the store yet.`,
          dedupeKey: `sync.parentNotInStore:${store}:${c.erpId}`,
          details: { customer: c.erpId, parent: place.companyExternalId },
        });
        out.skipped += 1;
        return false;
      }
    }
    if (!company) {
      company = await companies.createCompany({
        externalId: place.companyExternalId,
        name: c.companyName,
        contactEmail: c.email,
        location: {
          externalId: place.locationExternalId,
          name: c.companyName,
          paymentTermsTemplateId: termsId,
        },
      });
      out.companiesCreated += 1;
      if (c.email) out.contactsCreated += 1;
    } else if (!place.isChild && company.name !== c.companyName) {
      await companies.updateCompanyName(company.id, c.companyName);
    }

    let location = company.locations.find((l) => l.externalId === place.locationExternalId);
    if (!location && !place.isChild) {
      // A company made before Quayside kept location ids (or by hand): its first unclaimed location is the account's own.
      location = company.locations.find((l) => l.externalId === null);
      if (location) {
        await companies.updateLocation(location.id, { externalId: place.locationExternalId });
        location = { ...location, externalId: place.locationExternalId };
      }
    }
    if (!location) {
      location = await companies.createLocation(company.id, {
        externalId: place.locationExternalId,
        name: c.companyName,
        paymentTermsTemplateId: termsId,
      });
      out.locationsCreated += 1;
    } else {
      const change: { name?: string; paymentTermsTemplateId?: string } = {};
      if (location.name !== c.companyName) change.name = c.companyName;
      if (termsId && location.paymentTermsTemplateId !== termsId) change.paymentTermsTemplateId = termsId;
      if (Object.keys(change).length) {
        await companies.updateLocation(location.id, change);
        out.locationsUpdated += 1;
      }
    }
    const taxRegistrationId = c.taxId ?? null;
    if (location.taxExempt !== c.taxExempt || (location.taxRegistrationId ?? null) !== taxRegistrationId) {
      await companies.setLocationTax(location.id, { taxExempt: c.taxExempt, taxRegistrationId });
      out.locationsUpdated += 1;
    }
    const email = c.email?.trim().toLowerCase();
    if (email && !company.contactEmails.includes(email)) {
      await companies.createContact(company.id, c.email!.trim());
      company.contactEmails.push(email);
      out.contactsCreated += 1;
    }
    return true;
  }

  return {
    /** One page of ERP customer changes into the store's companies, locations, terms, tax settings and contacts. */
    async syncCompanyChanges(input: {
      store: string;
      pageSize: number;
      /** The run's flow switches: with customers not flowing ERP → store, nothing is read and no cursor moves. */
      flows?: FlowSnapshot;
    }): Promise<CompanyPageResult> {
      const gate = await flowGate(db, input.store, input.flows, 'customers', 'erpToStore');
      if (gate !== 'run')
        return {
          customers: 0,
          companiesCreated: 0,
          locationsCreated: 0,
          contactsCreated: 0,
          locationsUpdated: 0,
          skipped: 0,
          hasMore: false,
          flowGate: gate,
        };
      const cursor = await syncs.cursor(companiesCursor(input.store));
      const page = await erp.customersChangedSince(cursor, input.pageSize);
      const out: CompanyPageResult = {
        customers: page.items.length,
        companiesCreated: 0,
        locationsCreated: 0,
        contactsCreated: 0,
        locationsUpdated: 0,
        skipped: 0,
        hasMore: page.hasMore,
      };
      for (const c of parentsFirst(page.items)) {
        // The store refusing one account (Shopify userErrors) is that account's alert; the page goes on.
        const refusedKey = `sync.companyRefused:${input.store}:${c.erpId}`;
        try {
          if (await syncAccount(input.store, c, out)) await alerts.resolve(refusedKey);
        } catch (err) {
          const refused = refusalsOf(err);
          if (!refused) throw err;
          out.skipped += 1;
          await alerts.raise({
            severity: 'warning',
            kind: 'sync.companyRefused',
            subject: `The store refused the company of ERP customer ${c.companyName}`,
            message: `ERP customer ${c.erpId} was not brought to the store, which refused: ${storeRefusalWords(refused, (err as Error).message)}. Correct the customer in the ERP; its next change brings it again.`,
            dedupeKey: refusedKey,
            details: { customer: c.erpId, fields: refused.map((r) => r.field) },
          });
        }
        heartbeat({ customer: c.erpId });
      }
      if (page.items.length) await syncs.saveCursor(companiesCursor(input.store), page.nextCursor);
      return out;
    },
  };
}

export type StoreCompanyActivities = ReturnType<typeof createStoreCompanyActivities>;
