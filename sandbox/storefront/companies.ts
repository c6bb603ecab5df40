import { withTransaction } from '../../db/pool';
import { searchedConnection, type SearchField } from './connections';
import { gid, idOf, type Row, type Args, type Q, one, type StoreDb } from './db';

/**
 * The sandbox store's B2B company locations beyond what resolvers.ts has: external ids, tax settings
 * (`taxSettings`, `companyLocationTaxSettingsUpdate`), `companyLocationCreate`, `companyContactCreate`
 * and the `companyLocations` query, with Shopify's BusinessCustomerUserError shape.
 */

export const COMPANIES_SDL = /* GraphQL */ `
  enum TaxExemption {
    CA_STATUS_CARD_EXEMPTION
    CA_DIPLOMAT_EXEMPTION
    US_RESELLER_EXEMPTION
    EU_REVERSE_CHARGE_EXEMPTION_RULE
  }
  type CompanyLocationTaxSettings {
    taxExempt: Boolean!
    taxRegistrationId: String
    taxExemptions: [TaxExemption!]!
  }
  extend type CompanyLocation {
    externalId: String
    taxSettings: CompanyLocationTaxSettings!
  }
  extend input CompanyLocationInput {
    externalId: String
    taxExempt: Boolean
    taxRegistrationId: String
  }
  extend input CompanyLocationUpdateInput {
    externalId: String
  }
  type CompanyLocationTaxSettingsUpdatePayload {
    companyLocation: CompanyLocation
    userErrors: [UserError!]!
  }
  type CompanyLocationCreatePayload {
    companyLocation: CompanyLocation
    userErrors: [UserError!]!
  }
  extend type Query {
    companyLocation(id: ID!): CompanyLocation
    companyLocations(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean
      query: String
    ): CompanyLocationConnection!
  }
  extend type Mutation {
    companyLocationCreate(companyId: ID!, input: CompanyLocationInput!): CompanyLocationCreatePayload
    companyLocationTaxSettingsUpdate(
      companyLocationId: ID!
      taxExempt: Boolean
      taxRegistrationId: String
      exemptionsToAssign: [TaxExemption!]
      exemptionsToRemove: [TaxExemption!]
    ): CompanyLocationTaxSettingsUpdatePayload
    companyContactCreate(companyId: ID!, input: CompanyContactInput!): CompanyContactPayload
  }
`;

const LOCATION_SEARCH: Record<string, SearchField> = {
  id: { column: 'id', type: 'id' },
  name: { column: 'name', type: 'text' },
  external_id: { column: 'external_id', type: 'text' },
  company_id: { column: 'company_id', type: 'id' },
  created_at: { column: 'created_at', type: 'timestamp' },
};

const err = (field: string[] | null, message: string, code?: string) => ({ field, message, code });
const notFound = (field: string[]) => err(field, 'Resource requested does not exist.', 'RESOURCE_NOT_FOUND');

/** The fields of a company location this file adds (resolvers.ts spreads them into its node). */
export function companyLocationExtras(l: Row): Row {
  return {
    externalId: l.external_id ?? null,
    taxSettings: {
      taxExempt: Boolean(l.tax_exempt),
      taxRegistrationId: l.tax_registration_id ?? null,
      taxExemptions: l.tax_exemptions ?? [],
    },
  };
}

/** Whether another location already holds this external id (they are unique in the shop). */
export async function locationExternalIdTaken(
  db: Q,
  externalId: unknown,
  exceptId?: string,
): Promise<boolean> {
  if (typeof externalId !== 'string' || !externalId) return false;
  return Boolean(
    await one(db, 'SELECT 1 FROM company_locations WHERE external_id = $1 AND id <> $2', [
      externalId,
      exceptId ?? '0',
    ]),
  );
}

export function createCompaniesRoot(
  db: StoreDb,
  nodes: { companyLocationNode: (l: Row) => Row; customerNode: (c: Row) => Row },
) {
  const { companyLocationNode, customerNode } = nodes;
  const takenError = (path: string[]) => err(path, 'External Id has already been taken', 'TAKEN');

  return {
    companyLocation: async ({ id }: Args) => {
      const l = await one(db, 'SELECT * FROM company_locations WHERE id = $1', [
        idOf(id, 'CompanyLocation') ?? '0',
      ]);
      return l ? companyLocationNode(l) : null;
    },
    companyLocations: searchedConnection(
      db,
      { fields: LOCATION_SEARCH, defaultField: 'name' },
      { from: 'company_locations', map: companyLocationNode },
    ),

    companyLocationCreate: async ({ companyId, input }: Args) => {
      const company = idOf(companyId, 'Company');
      if (!company || !(await one(db, 'SELECT 1 FROM companies WHERE id = $1', [company])))
        return { companyLocation: null, userErrors: [notFound(['companyId'])] };
      if (!input.name)
        return {
          companyLocation: null,
          userErrors: [err(['input', 'name'], 'Name can\u2019t be blank', 'BLANK')],
        };
      if (await locationExternalIdTaken(db, input.externalId))
        return { companyLocation: null, userErrors: [takenError(['input', 'externalId'])] };
      const termsGiven = input.buyerExperienceConfiguration?.paymentTermsTemplateId;
      const terms = termsGiven ? idOf(termsGiven, 'PaymentTermsTemplate') : undefined;
      if (
        termsGiven &&
        !(terms && (await one(db, 'SELECT 1 FROM payment_terms_templates WHERE id = $1', [terms])))
      )
        return {
          companyLocation: null,
          userErrors: [
            err(
              ['input', 'buyerExperienceConfiguration', 'paymentTermsTemplateId'],
              'Payment terms template does not exist.',
              'RESOURCE_NOT_FOUND',
            ),
          ],
        };
      const row = await one(
        db,
        `INSERT INTO company_locations (company_id, name, payment_terms_template_id, external_id, tax_exempt, tax_registration_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          company,
          input.name,
          terms ?? null,
          input.externalId ?? null,
          input.taxExempt ?? false,
          input.taxRegistrationId ?? null,
        ],
      );
      return { companyLocation: companyLocationNode(row!), userErrors: [] };
    },

    companyLocationTaxSettingsUpdate: async ({
      companyLocationId,
      taxExempt,
      taxRegistrationId,
      exemptionsToAssign,
      exemptionsToRemove,
    }: Args) => {
      const id = idOf(companyLocationId, 'CompanyLocation');
      const current = id ? await one(db, 'SELECT * FROM company_locations WHERE id = $1', [id]) : undefined;
      if (!current) return { companyLocation: null, userErrors: [notFound(['companyLocationId'])] };
      const exemptions = new Set<string>(current.tax_exemptions ?? []);
      for (const e of (exemptionsToAssign ?? []) as string[]) exemptions.add(e);
      for (const e of (exemptionsToRemove ?? []) as string[]) exemptions.delete(e);
      const row = await one(
        db,
        `UPDATE company_locations SET tax_exempt = COALESCE($2, tax_exempt),
           tax_registration_id = CASE WHEN $3::text IS NULL THEN tax_registration_id ELSE NULLIF($3, '') END,
           tax_exemptions = $4 WHERE id = $1 RETURNING *`,
        [id, taxExempt ?? null, taxRegistrationId ?? null, [...exemptions]],
      );
      return { companyLocation: companyLocationNode(row!), userErrors: [] };
    },

    companyContactCreate: async ({ companyId, input }: Args) => {
      const company = idOf(companyId, 'Company');
      const co = company ? await one(db, 'SELECT * FROM companies WHERE id = $1', [company]) : undefined;
      if (!co) return { companyContact: null, userErrors: [notFound(['companyId'])] };
      const email = typeof input.email === 'string' ? input.email.trim() : '';
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
        return { companyContact: null, userErrors: [err(['input', 'email'], 'Email is invalid', 'INVALID')] };
      return withTransaction(db, async (c) => {
        const existing = await one(c, 'SELECT * FROM customers WHERE lower(email) = lower($1)', [email]);
        if (
          existing &&
          (await one(c, 'SELECT 1 FROM company_contacts WHERE company_id = $1 AND customer_id = $2', [
            co.id,
            existing.id,
          ]))
        )
          return {
            companyContact: null,
            userErrors: [err(['input', 'email'], 'Email address has already been taken', 'TAKEN')],
          };
        const customer =
          existing ??
          (await one(
            c,
            'INSERT INTO customers (email, first_name, last_name, company) VALUES ($1, $2, $3, $4) RETURNING *',
            [email, input.firstName ?? null, input.lastName ?? null, co.name],
          ))!;
        const contact = await one(
          c,
          'INSERT INTO company_contacts (company_id, customer_id) VALUES ($1, $2) RETURNING id',
          [co.id, customer.id],
        );
        return {
          companyContact: { id: gid('CompanyContact', contact!.id), customer: customerNode(customer) },
          userErrors: [],
        };
      });
    },
  };
}
