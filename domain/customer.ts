/** A new B2B customer as the storefront sends it; the zod schemas are in schemas/customer.ts. */
export type { CustomerApplication, StorefrontCustomerEvent } from './schemas/customer';

export const CUSTOMER_EVENT_SIGNAL = 'storefrontCustomerEvent';
