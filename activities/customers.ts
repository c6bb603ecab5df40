import type { Db } from '../db/pool';
import { mappingRepository } from '../db/mappings';
import { policyRepository } from '../db/policies';
import type { CustomerApprovalPolicy } from '../domain/customer-rules';
import type { ErpCustomer, ErpCustomerInput, ErpPort } from '../domain/erp';
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

    /** The storefront customer (and company) with its price list, payment terms and tax exemption. */
    async upsertStorefrontCustomer(
      input: StorefrontCustomerInput,
    ): Promise<{ customerId: string; companyId?: string }> {
      return storefront.upsertCustomer(input);
    },
  };
}

export type CustomerActivities = ReturnType<typeof createCustomerActivities>;
