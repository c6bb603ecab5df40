import type { ErpCustomer } from './erp';

/**
 * ERP customers as Shopify B2B companies. A top-level ERP customer is a company (external id = its ERP
 * id) with a location of its own (same external id); each child account is another location of its
 * parent's company (location external id = the child's ERP id). Payment terms and tax settings live on
 * the location; the customer's email is the company's contact (the ERP has no contact records of its own).
 */

export interface StoreCompanyLocation {
  id: string;
  externalId: string | null;
  name: string;
  paymentTermsTemplateId: string | null;
  taxExempt: boolean;
  taxRegistrationId: string | null;
}

export interface StoreCompany {
  id: string;
  externalId: string | null;
  name: string;
  locations: StoreCompanyLocation[];
  /** Emails of the company's contacts (lower case). */
  contactEmails: string[];
}

export interface StoreLocationInput {
  externalId: string;
  name: string;
  paymentTermsTemplateId: string | null;
}

export interface StoreCompaniesPort {
  /** The company with this external id, its locations and contacts (null when the store has none). */
  findCompany(externalId: string): Promise<StoreCompany | null>;
  /** Creates the company with its first location (and contact); the store refuses a second with the same external id. */
  createCompany(input: {
    externalId: string;
    name: string;
    contactEmail: string | null;
    location: StoreLocationInput;
  }): Promise<StoreCompany>;
  updateCompanyName(companyId: string, name: string): Promise<void>;
  createLocation(companyId: string, input: StoreLocationInput): Promise<StoreCompanyLocation>;
  updateLocation(locationId: string, input: Partial<StoreLocationInput>): Promise<void>;
  setLocationTax(
    locationId: string,
    tax: { taxExempt: boolean; taxRegistrationId: string | null },
  ): Promise<void>;
  createContact(companyId: string, email: string): Promise<void>;
  /** The store's payment terms templates by name. */
  paymentTermsTemplates(): Promise<{ id: string; name: string }[]>;
}

/** Where an ERP customer lives in the store. */
export interface CompanyPlacement {
  /** External id of the company: the customer's own ERP id, or its parent's for a child account. */
  companyExternalId: string;
  /** External id of the customer's own location: always its ERP id. */
  locationExternalId: string;
  isChild: boolean;
}

export function placementOf(c: Pick<ErpCustomer, 'erpId' | 'parentErpId'>): CompanyPlacement {
  return {
    companyExternalId: c.parentErpId ?? c.erpId,
    locationExternalId: c.erpId,
    isChild: c.parentErpId !== null,
  };
}

/** The payment terms template an ERP term name maps to (same name, case-insensitive); null when none. */
export function termsTemplateFor(
  terms: string | null,
  templates: { id: string; name: string }[],
): string | null {
  if (!terms) return null;
  const t = terms.trim().toLowerCase();
  return templates.find((x) => x.name.trim().toLowerCase() === t)?.id ?? null;
}

/** Parents before their children, so a child's company exists when its location is written. */
export function parentsFirst<T extends Pick<ErpCustomer, 'parentErpId'>>(list: T[]): T[] {
  return [...list.filter((c) => c.parentErpId === null), ...list.filter((c) => c.parentErpId !== null)];
}
