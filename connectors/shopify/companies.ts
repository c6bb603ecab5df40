import type {
  StoreCompaniesPort,
  StoreCompany,
  StoreCompanyLocation,
  StoreLocationInput,
} from '../../domain/store-companies';
import type { ShopifyAdminClient } from './client';
import { ShopifyUserError, type ShopifyUserErrorDetail } from './errors';

function check(operation: string, payload: { userErrors?: ShopifyUserErrorDetail[] } | null | undefined) {
  if (payload?.userErrors?.length) throw new ShopifyUserError(operation, payload.userErrors);
}

interface LocationNode {
  id: string;
  externalId: string | null;
  name: string;
  buyerExperienceConfiguration: { paymentTermsTemplate: { id: string } | null } | null;
  taxSettings: { taxExempt: boolean; taxRegistrationId: string | null } | null;
}
interface CompanyNode {
  id: string;
  externalId: string | null;
  name: string;
  locations: { nodes: LocationNode[] };
  contacts: { nodes: { customer: { email: string | null } | null }[] };
}

const LOCATION_FIELDS =
  'id externalId name buyerExperienceConfiguration { paymentTermsTemplate { id } } taxSettings { taxExempt taxRegistrationId }';
const COMPANY_FIELDS = `id externalId name locations(first: 100) { nodes { ${LOCATION_FIELDS} } } contacts(first: 100) { nodes { customer { email } } }`;

const toLocation = (l: LocationNode): StoreCompanyLocation => ({
  id: l.id,
  externalId: l.externalId,
  name: l.name,
  paymentTermsTemplateId: l.buyerExperienceConfiguration?.paymentTermsTemplate?.id ?? null,
  taxExempt: l.taxSettings?.taxExempt ?? false,
  taxRegistrationId: l.taxSettings?.taxRegistrationId ?? null,
});
const toCompany = (c: CompanyNode): StoreCompany => ({
  id: c.id,
  externalId: c.externalId,
  name: c.name,
  locations: c.locations.nodes.map(toLocation),
  contactEmails: c.contacts.nodes.flatMap((n) => (n.customer?.email ? [n.customer.email.toLowerCase()] : [])),
});
const locationInput = (input: Partial<StoreLocationInput>) => ({
  ...(input.name !== undefined ? { name: input.name } : {}),
  ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
  ...(input.paymentTermsTemplateId
    ? { buyerExperienceConfiguration: { paymentTermsTemplateId: input.paymentTermsTemplateId } }
    : {}),
});

/** B2B companies, their locations, contacts, payment terms and tax settings through the Admin GraphQL API. */
export class ShopifyCompanies implements StoreCompaniesPort {
  private templates: { id: string; name: string }[] | null = null;

  constructor(private readonly client: ShopifyAdminClient) {}

  async findCompany(externalId: string): Promise<StoreCompany | null> {
    const data = await this.client.request<{ companies: { nodes: CompanyNode[] } }>(
      `query CompanyByExternalId($query: String!) { companies(first: 1, query: $query) { nodes { ${COMPANY_FIELDS} } } }`,
      { query: `external_id:${JSON.stringify(externalId)}` },
    );
    const found = data.companies.nodes.find((c) => c.externalId === externalId);
    return found ? toCompany(found) : null;
  }

  async createCompany(input: {
    externalId: string;
    name: string;
    contactEmail: string | null;
    location: StoreLocationInput;
  }): Promise<StoreCompany> {
    const data = await this.client.request<{
      companyCreate: { company: CompanyNode | null; userErrors: ShopifyUserErrorDetail[] };
    }>(
      `mutation CompanyCreate($input: CompanyCreateInput!) { companyCreate(input: $input) { company { ${COMPANY_FIELDS} } userErrors { field message code } } }`,
      {
        input: {
          company: { name: input.name, externalId: input.externalId },
          ...(input.contactEmail ? { companyContact: { email: input.contactEmail } } : {}),
          companyLocation: locationInput(input.location),
        },
      },
    );
    check('companyCreate', data.companyCreate);
    return toCompany(data.companyCreate.company!);
  }

  async updateCompanyName(companyId: string, name: string): Promise<void> {
    const data = await this.client.request<{ companyUpdate: { userErrors: ShopifyUserErrorDetail[] } }>(
      `mutation CompanyUpdate($companyId: ID!, $input: CompanyInput!) { companyUpdate(companyId: $companyId, input: $input) { company { id } userErrors { field message code } } }`,
      { companyId, input: { name } },
    );
    check('companyUpdate', data.companyUpdate);
  }

  async createLocation(companyId: string, input: StoreLocationInput): Promise<StoreCompanyLocation> {
    const data = await this.client.request<{
      companyLocationCreate: { companyLocation: LocationNode | null; userErrors: ShopifyUserErrorDetail[] };
    }>(
      `mutation CompanyLocationCreate($companyId: ID!, $input: CompanyLocationInput!) { companyLocationCreate(companyId: $companyId, input: $input) { companyLocation { ${LOCATION_FIELDS} } userErrors { field message code } } }`,
      { companyId, input: locationInput(input) },
    );
    check('companyLocationCreate', data.companyLocationCreate);
    return toLocation(data.companyLocationCreate.companyLocation!);
  }

  async updateLocation(locationId: string, input: Partial<StoreLocationInput>): Promise<void> {
    const data = await this.client.request<{
      companyLocationUpdate: { userErrors: ShopifyUserErrorDetail[] };
    }>(
      `mutation CompanyLocationUpdate($companyLocationId: ID!, $input: CompanyLocationUpdateInput!) { companyLocationUpdate(companyLocationId: $companyLocationId, input: $input) { companyLocation { id } userErrors { field message code } } }`,
      { companyLocationId: locationId, input: locationInput(input) },
    );
    check('companyLocationUpdate', data.companyLocationUpdate);
  }

  async setLocationTax(
    locationId: string,
    tax: { taxExempt: boolean; taxRegistrationId: string | null },
  ): Promise<void> {
    const data = await this.client.request<{
      companyLocationTaxSettingsUpdate: { userErrors: ShopifyUserErrorDetail[] };
    }>(
      `mutation CompanyLocationTax($companyLocationId: ID!, $taxExempt: Boolean, $taxRegistrationId: String) {
        companyLocationTaxSettingsUpdate(companyLocationId: $companyLocationId, taxExempt: $taxExempt, taxRegistrationId: $taxRegistrationId) {
          companyLocation { id } userErrors { field message code } } }`,
      {
        companyLocationId: locationId,
        taxExempt: tax.taxExempt,
        taxRegistrationId: tax.taxRegistrationId ?? '',
      },
    );
    check('companyLocationTaxSettingsUpdate', data.companyLocationTaxSettingsUpdate);
  }

  async createContact(companyId: string, email: string): Promise<void> {
    const data = await this.client.request<{
      companyContactCreate: { userErrors: ShopifyUserErrorDetail[] };
    }>(
      `mutation CompanyContactCreate($companyId: ID!, $input: CompanyContactInput!) { companyContactCreate(companyId: $companyId, input: $input) { companyContact { id } userErrors { field message code } } }`,
      { companyId, input: { email } },
    );
    check('companyContactCreate', data.companyContactCreate);
  }

  async paymentTermsTemplates(): Promise<{ id: string; name: string }[]> {
    if (this.templates) return this.templates;
    const data = await this.client.request<{ paymentTermsTemplates: { id: string; name: string }[] }>(
      'query PaymentTerms { paymentTermsTemplates { id name } }',
    );
    this.templates = data.paymentTermsTemplates;
    return this.templates;
  }
}
