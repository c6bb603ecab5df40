import { patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import {
  shipmentStatusQuery,
  type ShipmentInput,
  type ShipmentResult,
  type ShipmentStatus,
} from '../domain/contracts/shipment';
import { lineIdOfKey } from '../domain/allocation';
import { shippedByLine } from '../domain/order-ledger';
import { PROFILES } from './activity-profiles';
import { STORE_REFUSALS_PATCH, storeRefusalOf } from './store-refusal';

export type { ShipmentResult };

const storefront = proxyActivities<OrderActivities>(PROFILES.storefrontCall);

/**
 * One ERP fulfillment (partial shipments are the normal case): its lines, quantities, carrier and
 * tracking reach the storefront as one fulfillment (keyed by the ERP fulfillment id, so a retry or
 * a duplicate never ships twice), and the storefront notifies the buyer.
 */
export async function shipment(input: ShipmentInput): Promise<ShipmentResult> {
  const { fulfillment: f } = input;
  let step: ShipmentStatus['step'] = 'pushing';
  setHandler(shipmentStatusQuery, () => ({ step, erpFulfillmentId: f.erpId }));
  const lines = shippedByLine(f);
  if (lines.length === 0 && f.kitParts?.length) return parcel(input);
  const tracking = f.trackingNumbers.length > 0 ? `tracking ${f.trackingNumbers.join(', ')}` : 'no tracking';
  const pushed = await storefront.pushFulfillment.executeWithOptions(
    {
      summary: `Ship ${lines.map((l) => `${l.quantity}× line ${l.lineId}`).join(', ')} of order ${input.orderNumber} via ${f.carrier ?? 'carrier not given'} (${tracking})`,
    },
    [
      {
        orderId: input.orderId,
        fulfillmentKey: f.erpId,
        lines,
        carrier: f.carrier,
        trackingNumbers: f.trackingNumbers,
        notifyCustomer: input.notifyCustomer,
      },
    ],
  );
  // Serialized items: the serial numbers shipped go to the order's record in the store, where the
  // buyer's portal shows them beside the fulfillment (Shopify's fulfillments carry no such field).
  const serials = f.lines.filter((l) => (l.serialNumbers?.length ?? 0) > 0);
  let serialsRefused: string | undefined;
  if (serials.length > 0 && patched('fulfillment-serial-numbers'))
    try {
      await storefront.publishSerialNumbers.executeWithOptions(
        {
          summary: `Serial numbers of ${serials.map((l) => l.sku).join(', ')} to order ${input.orderNumber}`,
        },
        [
          {
            orderId: input.orderId,
            erpFulfillmentId: f.erpId,
            storefrontFulfillmentId: pushed.fulfillmentId,
            lines: serials.map((l) => ({
              lineId: lineIdOfKey(l.lineKey),
              sku: l.sku,
              serialNumbers: l.serialNumbers!,
            })),
          },
        ],
      );
    } catch (err) {
      // The shipment is in the store; only its serial numbers are not: the order parks for a person.
      const refused = storeRefusalOf(err);
      if (!refused || !patched(STORE_REFUSALS_PATCH)) throw err;
      serialsRefused = refused.words;
    }
  step = 'done';
  return {
    erpFulfillmentId: f.erpId,
    storefrontFulfillmentId: pushed.fulfillmentId,
    lines,
    carrier: f.carrier,
    trackingNumbers: f.trackingNumbers,
    ...(serialsRefused !== undefined ? { serialsRefused } : {}),
  };
}

/**
 * A parcel of item group components that completes no kit: the store takes no fulfillment without
 * lines, so its carrier, tracking and contents go to the order for the buyer's portal; the kits'
 * fulfillment, when a later parcel completes them, carries its tracking too.
 */
async function parcel({ fulfillment: f, orderId, orderNumber }: ShipmentInput): Promise<ShipmentResult> {
  const parts = f.kitParts ?? [];
  await storefront.publishParcel.executeWithOptions(
    {
      summary: `Parcel ${f.erpId} of order ${orderNumber} (kit parts ${parts.map((p) => `${p.quantity}× ${p.sku}`).join(', ')}) via ${f.carrier ?? 'carrier not given'} (${f.trackingNumbers.join(', ') || 'no tracking'}) to the order`,
    },
    [
      {
        orderId,
        erpFulfillmentId: f.erpId,
        carrier: f.carrier,
        trackingNumbers: f.trackingNumbers,
        shippedAt: f.shippedAt,
        lines: parts.map((p) => ({ lineId: lineIdOfKey(p.lineKey), sku: p.sku, quantity: p.quantity })),
      },
    ],
  );
  return {
    erpFulfillmentId: f.erpId,
    storefrontFulfillmentId: null,
    lines: [],
    carrier: f.carrier,
    trackingNumbers: f.trackingNumbers,
  };
}
