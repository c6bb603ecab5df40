/**
 * The backorder process's contract: a child of the order for one backordered line, which waits for
 * stock, tells the buyer, cancels or escalates. Its id is built in the order contract (order.ts).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BusinessRules } from '../rules';

export interface BackorderInput {
  store: string;
  orderId: string;
  orderNumber: string;
  orderWorkflowId: string;
  externalId: string;
  lineId: string;
  sku: string;
  /** ERP lines of this storefront line that carry the backordered quantity. */
  lineKeys: string[];
  quantity: number;
  unitPrice: string;
  currency: string;
  paid: boolean;
  rules: BusinessRules['backorder'];
}

export interface BackorderResult {
  lineId: string;
  outcome: 'released' | 'cancelled' | 'orderClosed';
  quantity: number;
  cancelledBy?: 'buyer' | 'operator';
  reason?: string;
}

export interface BackorderStatus {
  lineId: string;
  sku: string;
  quantity: number;
  step: 'waiting' | 'cancelling' | 'done';
  escalated: boolean;
  outcome: BackorderResult['outcome'] | null;
}

/** Sent by the order when the line ships or the ERP no longer backorders it. */
export const backorderReleasedSignal = defineSignal('backorderReleased');
/** The buyer or an operator cancels the backordered quantity (cancelled in the ERP and on the storefront). */
export const cancelBackorderSignal =
  defineSignal<[{ reason: string; by: 'buyer' | 'operator' }]>('cancelBackorder');
/** The order itself was cancelled and its compensations handle the line: end without acting. */
export const orderClosedSignal = defineSignal('orderClosed');
export const backorderStatusQuery = defineQuery<BackorderStatus>('status');
