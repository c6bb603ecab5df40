import type { OrderDispatcher } from '../activities/reconcile';
import { mapDelivery, parseShopifyJson } from '../connectors/shopify/webhooks';
import type { StorefrontOrderEvent } from '../domain/order';

/**
 * The webhook ingress's own mapping of an order's REST representation to its process (workflow id,
 * arguments, event), for the reconciliation: an order whose webhook was lost is started exactly as
 * the webhook would have started it.
 */
export function orderDispatcher(store: string): OrderDispatcher {
  return (representation, ctx) => {
    const d = mapDelivery(ctx.topic, parseShopifyJson(representation), {
      store,
      eventId: ctx.eventId,
      triggeredAt: ctx.triggeredAt,
    });
    return { workflowId: d.workflowId, args: d.args, event: d.signalArgs[0] as StorefrontOrderEvent };
  };
}
