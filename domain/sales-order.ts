import type { ErpRejection } from './failures';
import type { ErpSalesOrderInput } from './erp';
import type { Address } from './order';
import type { OrderField } from './order-process';

/**
 * How a storefront order's fields become the ERP sales order's, and back: the ship-to address the
 * ERP is given, and the order field an operator fixes when the ERP refuses one of the sales order's.
 */

/** The ERP's ship-to address for a storefront address. */
export function erpShipTo(a: Address | undefined): ErpSalesOrderInput['shipTo'] {
  if (!a) return undefined;
  return {
    name: a.name ?? undefined,
    address1: a.address1 ?? undefined,
    city: a.city ?? undefined,
    zip: a.zip ?? undefined,
    country: a.country ?? undefined,
  };
}

/** Sales order fields that carry one field of the storefront order. */
const ORDER_FIELD_OF: Record<string, OrderField> = {
  poNumber: 'poNumber',
  projectCode: 'projectCode',
  memo: 'note',
  'shipTo.name': 'shippingAddress.name',
  'shipTo.address1': 'shippingAddress.address1',
  'shipTo.city': 'shippingAddress.city',
  'shipTo.zip': 'shippingAddress.zip',
  'shipTo.country': 'shippingAddress.country',
};

/** The order field a fix of the ERP's rejection goes to: the first the ERP named that the order carries. */
export function rejectedOrderField(rejections: readonly ErpRejection[]): OrderField | undefined {
  for (const r of rejections) {
    const field = r.field === null ? undefined : ORDER_FIELD_OF[r.field];
    if (field) return field;
  }
  return undefined;
}
