import { erpRefusalOf, erpRefusalWords } from '../connectors/netsuite/errors';
import { storeWrite } from '../connectors/shopify/errors';
import { alertRepository, type AlertInput } from '../db/alerts';
import { customerSyncRepository } from '../db/customers';
import type { Db } from '../db/pool';
import { mappingRepository } from '../db/mappings';
import { policyRepository } from '../db/policies';
import type { CustomerApplication } from '../domain/customer';
import { customerExternalId, type CustomerApprovalPolicy } from '../domain/customer-rules';
import type { ErpCustomer, ErpCustomerContactChanges, ErpCustomerInput, ErpPort } from '../domain/erp';
import type { StorefrontCustomerInput, StorefrontPort } from '../domain/storefront';

export interface CustomerActivityDeps {
  db: Db;
  erp: ErpPort;
  storefront: StorefrontPort;
}

/** Activities of the new-customer process; every write is an upsert keyed by the application. */
export function createCustomerActivities({ db, erp, storefront }: CustomerActivityDeps) {
  const policies = policyRepository(db);
  const mappings = mappingRepository(db);
  const sync = customerSyncRepository(db);
  const alerts = alertRepository(db);
  return {
    async loadCustomerPolicy({ store }: { store: string }): Promise<CustomerApprovalPolicy> {
      return (await policies.current(store, 'customer')).policy;
    },

    /** The ERP customer, created or updated by external id (one customer however often this runs). */
    async upsertErpCustomer(input: ErpCustomerInput): Promise<ErpCustomer> {
      return erp.upsertCustomer(input);
    },

    async mapCustomer(input: {
      store: string;
      storeCustomerId: string;
      erpCustomerId: string;
      by: string;
    }): Promise<void> {
      await mappings.upsertCustomer(input.store, input.storeCustomerId, input.erpCustomerId, input.by);
    },

    /**
     * The storefront customer (and company) with its price list, payment terms and tax exemption.
     * With `store` and `workflowId`, the customer is first recorded as expected, so its own
     * customers/create webhook is recognised as this approval's and opens no second one.
     */
    async upsertStorefrontCustomer(
      input: StorefrontCustomerInput & { store?: string; workflowId?: string },
    ): Promise<{ customerId: string; companyId?: string }> {
      const { store, workflowId, ...customer } = input;
      if (store && workflowId && customer.erpCustomerId)
        await sync.expectStorefrontCustomer({
          store,
          email: customer.email,
          erpCustomerId: customer.erpCustomerId,
          workflowId,
        });
      // A refusal (Shopify userErrors) is the typed StoreRefused the approval parks on.
      return storeWrite('open the store account', () => storefront.upsertCustomer(customer));
    },

    /** The approval needs a person (the store refused its account): an alert the dashboard shows. */
    async raiseCustomerAlert(input: AlertInput): Promise<void> {
      await alerts.raise(input);
    },

    async resolveCustomerAlert(input: { dedupeKey: string }): Promise<void> {
      await alerts.resolve(input.dedupeKey);
    },
  };
}

export type CustomerActivities = ReturnType<typeof createCustomerActivities>;

export type KnownCustomer =
  | { known: true; erpCustomerId: string; by: 'mapping' | 'approval' | 'externalId' | 'email' }
  | { known: false };

/** The contact details a storefront customer event carries into the ERP customer. */
export function contactChanges(application: CustomerApplication): ErpCustomerContactChanges {
  const a = application.address;
  const person = [application.firstName, application.lastName].filter(Boolean).join(' ');
  const phone = application.phone ?? a?.phone ?? undefined;
  return {
    email: application.email,
    ...(phone ? { phone } : {}),
    ...(application.companyName ? { companyName: application.companyName } : {}),
    ...(a
      ? {
          address: {
            ...(a.name || person ? { addressee: a.name ?? person } : {}),
            ...(a.address1 ? { addr1: a.address1 } : {}),
            ...(a.address2 ? { addr2: a.address2 } : {}),
            ...(a.city ? { city: a.city } : {}),
            ...(a.province ? { state: a.province } : {}),
            ...(a.zip ? { zip: a.zip } : {}),
            ...(a.country ? { country: a.country } : {}),
          },
        }
      : {}),
  };
}

/** Activities of the customer-sync process: who the storefront customer is in the ERP, and its changes into the ERP. */
export function createCustomerSyncActivities({ db, erp }: Pick<CustomerActivityDeps, 'db' | 'erp'>) {
  const mappings = mappingRepository(db);
  const sync = customerSyncRepository(db);
  const alerts = alertRepository(db);
  return {
    /**
     * Whether the ERP knows this storefront customer: mapped already, being created by an approval,
     * or an ERP customer with its external id or (when the store verified it) its email address.
     * A customer found any way but the map is mapped now, so orders find it too.
     */
    async resolveStoreCustomer(input: {
      store: string;
      customerId: string;
      email: string;
      verifiedEmail: boolean;
    }): Promise<KnownCustomer> {
      const mapped = await mappings.erpCustomer(input.store, input.customerId);
      if (mapped) return { known: true, erpCustomerId: mapped, by: 'mapping' };
      const link = async (erpCustomerId: string, by: 'approval' | 'externalId' | 'email') => {
        await mappings.upsertCustomer(input.store, input.customerId, erpCustomerId, `customer-sync:${by}`);
        return { known: true as const, erpCustomerId, by };
      };
      const expected = await sync.expectedStorefrontCustomer(input.store, input.email);
      if (expected) return link(expected.erpCustomerId, 'approval');
      const byId = await erp.findCustomer({ externalId: customerExternalId(input.store, input.customerId) });
      if (byId) return link(byId.erpId, 'externalId');
      if (input.verifiedEmail) {
        const byEmail = await erp.findCustomer({ email: input.email });
        if (byEmail) return link(byEmail.erpId, 'email');
      }
      return { known: false };
    },

    /** The customer's contact details into the ERP customer, unless a newer change was applied already. */
    async applyStoreCustomerChange(input: {
      store: string;
      customerId: string;
      erpCustomerId: string;
      updatedAt: string;
      application: CustomerApplication;
    }): Promise<{ applied: boolean; refused?: string }> {
      if (!(await sync.claimChange(input.store, input.customerId, input.updatedAt)))
        return { applied: false };
      // The ERP refusing the change on validation grounds (a field too long, a bad value) fails the
      // same way on every retry: it is the customer's alert in the ERP's words, and the next change
      // in the store is applied again.
      const refusedKey = `customer.erpRefused:${input.store}:${input.customerId}`;
      try {
        await erp.updateCustomerContact(input.erpCustomerId, contactChanges(input.application));
      } catch (err) {
        const refused = erpRefusalOf(err);
        if (!refused) throw err;
        const words = erpRefusalWords(refused);
        await alerts.raise({
          severity: 'warning',
          kind: 'customer.erpRefused',
          subject: `The ERP refused the store's changes to customer ${input.erpCustomerId}`,
          message: `The contact details of store customer ${input.application.email} were not written to ERP customer ${input.erpCustomerId}, which refused: ${words}. Correct them in the store (or the ERP); the customer's next change in the store is applied again.`,
          dedupeKey: refusedKey,
          details: {
            customer: input.customerId,
            erpCustomer: input.erpCustomerId,
            fields: refused.map((r) => r.path),
            codes: refused.map((r) => r.code),
          },
        });
        return { applied: false, refused: words };
      }
      await alerts.resolve(refusedKey);
      return { applied: true };
    },
  };
}

export type CustomerSyncActivities = ReturnType<typeof createCustomerSyncActivities>;
