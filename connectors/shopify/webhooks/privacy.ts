import { z } from 'zod';
import type { PrivacyTopic } from '../../../domain/privacy';
import { ShopifyId } from './schemas';

const Customer = z.object({
  id: ShopifyId,
  email: z.string().nullish(),
  phone: z.string().nullish(),
});

/** `customers/data_request`: the merchant asks, for a customer, what the app holds. */
export const CustomerDataRequest = z.object({
  shop_id: ShopifyId,
  shop_domain: z.string().min(1),
  customer: Customer,
  orders_requested: z.array(ShopifyId).default([]),
  data_request: z.object({ id: ShopifyId }),
});

/** `customers/redact`: erase a customer's personal data (and that of the listed orders). */
export const CustomerRedact = z.object({
  shop_id: ShopifyId,
  shop_domain: z.string().min(1),
  customer: Customer,
  orders_to_redact: z.array(ShopifyId).default([]),
});

/** `shop/redact`: 48 hours after the app is uninstalled, erase the shop's data. */
export const ShopRedact = z.object({ shop_id: ShopifyId, shop_domain: z.string().min(1) });

/** The request as Quayside records it; throws a ZodError on a body of the wrong shape. */
export function readPrivacyRequest(topic: PrivacyTopic, body: unknown) {
  switch (topic) {
    case 'customers/data_request': {
      const b = CustomerDataRequest.parse(body);
      return {
        shopDomain: b.shop_domain,
        customerId: b.customer.id,
        orderIds: b.orders_requested,
        dataRequestId: b.data_request.id,
      };
    }
    case 'customers/redact': {
      const b = CustomerRedact.parse(body);
      return { shopDomain: b.shop_domain, customerId: b.customer.id, orderIds: b.orders_to_redact };
    }
    case 'shop/redact':
      return { shopDomain: ShopRedact.parse(body).shop_domain };
  }
}
