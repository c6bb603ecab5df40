/**
 * The shipment process's contract: a child of the order for one ERP fulfillment, pushed to the
 * storefront with its tracking. Its id is built in the order contract (order.ts).
 */
import { defineQuery } from '@temporalio/workflow';
import type { ErpFulfillment } from '../erp';

export interface ShipmentInput {
  store: string;
  orderId: string;
  orderNumber: string;
  fulfillment: ErpFulfillment;
  notifyCustomer: boolean;
}

export interface ShipmentResult {
  erpFulfillmentId: string;
  /** Null for a parcel of kit parts the store took no fulfillment for (shown on the order instead). */
  storefrontFulfillmentId: string | null;
  lines: { lineId: string; quantity: number }[];
  carrier: string | null;
  trackingNumbers: string[];
  /** The store refused the serial numbers shipped (its words); the shipment itself is in the store. */
  serialsRefused?: string;
}

export interface ShipmentStatus {
  step: 'pushing' | 'done';
  erpFulfillmentId: string;
}

export const shipmentStatusQuery = defineQuery<ShipmentStatus>('status');
