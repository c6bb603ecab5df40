import { heartbeat } from '@temporalio/activity';
import type { AlertRepository } from '../db/alerts';
import { flowSnapshot } from '../db/flow-switches';
import type { MappingRepository } from '../db/mappings';
import type { Db } from '../db/pool';
import { reconcileRepository, type NewReconcileReport, type ReconcileEntry } from '../db/reconcile';
import { rulesRepository } from '../db/rules';
import { stockKey, syncRepository } from '../db/sync';
import { orderWorkflowId } from '../domain/contracts';
import type { ErpReconcileFeed } from '../domain/erp';
import { flowOffReason } from '../domain/flow-switches';
import type { StorefrontOrderEvent } from '../domain/order';
import { erpOrderExternalId } from '../domain/contracts/order';
import type { StorefrontPort, StorefrontReconcilePort } from '../domain/storefront';
import type { createStockPusher } from './sync';

export type { ReconcileEntry } from '../db/reconcile';

/**
 * How the webhook ingress turns an order's REST representation into its process start (injected from
 * connectors/shopify/webhooks/map.ts by the worker, so a repaired order starts exactly as its webhook would have).
 */
export type OrderDispatcher = (
  representation: string,
  ctx: { topic: 'orders/create' | 'orders/cancelled'; eventId: string; triggeredAt: string },
) => { workflowId: string; args: [Record<string, string>]; event: StorefrontOrderEvent };

export interface ReconcileDeps {
  db: Db;
  erp: ErpReconcileFeed;
  storefront: Pick<StorefrontPort, 'ordersUpdatedSince'> & StorefrontReconcilePort;
  mappings: MappingRepository;
  alerts: AlertRepository;
  pusher: ReturnType<typeof createStockPusher>;
  dispatchOrder: OrderDispatcher;
}

/** An order process the reconciliation starts (or signals) as the webhook would have. */
export interface OrderRepair {
  orderId: string;
  title: string;
  kind: 'missedOrder' | 'orderWithoutErpOrder';
  workflowId: string;
  args: [Record<string, string>];
  event: StorefrontOrderEvent;
}

export interface OrdersCheck {
  checked: number;
  /** Orders to start (missed) or to signal with the store's order (processes without their ERP order). */
  repairs: OrderRepair[];
  /** What was found that the workflow does not act on (with why). */
  entries: ReconcileEntry[];
  /** Processes that believe they have an ERP order the ERP does not have: told to re-read it. */
  erpChanged: { workflowId: string }[];
}

const MAX_ORDERS_PER_PASS = 5_000;

/**
 * The reconciliation that repairs: store orders against Quayside's processes and the ERP's sales
 * orders over a window, and store stock against ERP stock per location. Activities find and prepare;
 * the workflow (workflows/reconcilePass.ts) starts and signals the processes, so every start goes
 * through Temporal with the order's deterministic id.
 */
export function createReconcileActivities(deps: ReconcileDeps) {
  const { db, erp, storefront, mappings, alerts, pusher } = deps;
  const syncs = syncRepository(db);
  const reports = reconcileRepository(db);

  /** The order's process start or event, from the store's own representation of it now. */
  async function fromStore(
    store: string,
    orderId: string,
  ): Promise<{ ok: true; dispatch: ReturnType<OrderDispatcher> } | { ok: false; why: string }> {
    const representation = await storefront.orderRepresentation(orderId);
    if (!representation) return { ok: false, why: 'the store no longer has the order' };
    const cancelled = /"cancelled_at"\s*:\s*"/.test(representation);
    const updatedAt = /"updated_at"\s*:\s*"([^"]+)"/.exec(representation)?.[1] ?? new Date().toISOString();
    try {
      return {
        ok: true,
        dispatch: deps.dispatchOrder(representation, {
          topic: cancelled ? 'orders/cancelled' : 'orders/create',
          // One event id per order version: a second pass (or the late webhook's process) sees it once.
          eventId: `reconcile:${store}:${orderId}:${updatedAt}`,
          triggeredAt: updatedAt,
        }),
      };
    } catch (err) {
      // The ingress would have parked the delivery as a dead letter for the same reason.
      if ((err as Error).name !== 'PayloadInvalid') throw err;
      return { ok: false, why: `the order cannot be processed as it is: ${(err as Error).message}` };
    }
  }

  return {
    /**
     * The store's orders changed in the window (and settled: older than the grace period), each
     * compared with Quayside's processes and the ERP's sales orders:
     * - no process heard of it (its webhook was lost): read it whole from the store, to be started;
     * - a process that never got the order (it waits for it) and no ERP order: to be given the order;
     * - a process that recorded an ERP order the ERP does not have: told to re-read, and reported.
     */
    async reconcileOrders(input: {
      store: string;
      since: string;
      until: string;
      graceSeconds: number;
      workflowId: string;
    }): Promise<OrdersCheck> {
      const out: OrdersCheck = { checked: 0, repairs: [], entries: [], erpChanged: [] };
      const flows = await flowSnapshot(db, input.store);
      const ordersOff = flowOffReason(flows, 'orders', 'storeToErp');
      const cutoff = Math.min(Date.parse(input.until), Date.now() - input.graceSeconds * 1000);
      const seen = new Set<string>();
      for (let since = input.since; out.checked < MAX_ORDERS_PER_PASS;) {
        const page = await storefront.ordersUpdatedSince(since, 250);
        const settled = page.filter((o) => Date.parse(o.updatedAt) <= cutoff && !seen.has(o.orderId));
        for (const o of settled) seen.add(o.orderId);
        heartbeat({ since, orders: settled.length });
        if (settled.length > 0) {
          out.checked += settled.length;
          const ids = settled.map((o) => o.orderId);
          const [known, processes, handed, inErp] = await Promise.all([
            syncs.knownOrderIds(input.store, ids),
            syncs.orderProcesses(input.store, ids),
            syncs.handedToProcess(input.store, ids),
            erp.salesOrdersWithExternalIds(ids.map((id) => erpOrderExternalId(input.store, id))),
          ]);
          for (const o of settled) {
            const title = `Order ${o.name}`;
            const workflowId = orderWorkflowId(input.store, o.orderId);
            const hasErpOrder = inErp.has(erpOrderExternalId(input.store, o.orderId));
            const process = processes.get(o.orderId);
            if (!known.has(o.orderId)) {
              if (ordersOff) {
                out.entries.push({
                  kind: 'missedOrder',
                  subject: o.orderId,
                  title,
                  outcome: 'notRepaired',
                  detail: `No process heard of it, and none is started: ${ordersOff}.`,
                });
                continue;
              }
              const r = await fromStore(input.store, o.orderId);
              if (r.ok) out.repairs.push({ orderId: o.orderId, title, kind: 'missedOrder', ...r.dispatch });
              else {
                out.entries.push({
                  kind: 'missedOrder',
                  subject: o.orderId,
                  title,
                  outcome: 'notRepaired',
                  detail: `Its webhook never reached Quayside, and its process was not started: ${r.why}.`,
                  workflowId,
                });
                await alerts.raise({
                  severity: 'critical',
                  kind: 'reconcile.missedOrder',
                  subject: `Order ${o.name} is in the store but Quayside has no process for it`,
                  message: `Storefront order ${o.orderId} (changed ${o.updatedAt}) never reached Quayside, and the reconciliation could not start it: ${r.why}. Fix the order in the store, or replay its dead letter.`,
                  workflowId: input.workflowId,
                  dedupeKey: `reconcile:missed-order:${input.store}:${o.orderId}`,
                  details: { orderId: o.orderId, name: o.name, updatedAt: o.updatedAt },
                });
              }
              continue;
            }
            if (hasErpOrder || ordersOff) continue;
            // Deliveries the ingress chose not to hand over (a switched-off flow, a dead letter) stay its call.
            if (!process && !handed.has(o.orderId)) continue;
            if (!process || process.step === 'awaitingOrder') {
              // The process exists but never got the order (another event started it): give it the order.
              const r = await fromStore(input.store, o.orderId);
              if (r.ok && r.dispatch.event.topic !== 'orders/cancelled')
                out.repairs.push({ orderId: o.orderId, title, kind: 'orderWithoutErpOrder', ...r.dispatch });
              else if (!r.ok)
                out.entries.push({
                  kind: 'orderWithoutErpOrder',
                  subject: o.orderId,
                  title,
                  outcome: 'notRepaired',
                  detail: `Its process never received the order, and it could not be given it: ${r.why}.`,
                  workflowId,
                });
            } else if (process.erpOrderId) {
              out.erpChanged.push({ workflowId });
              out.entries.push({
                kind: 'orderWithoutErpOrder',
                subject: o.orderId,
                title,
                outcome: 'notRepaired',
                detail: `Its process created ERP sales order ${process.erpTranId ?? process.erpOrderId} (external id ${erpOrderExternalId(input.store, o.orderId)}), which the ERP no longer has; the process was told to re-read it. Re-create the order in the ERP with that external id, or cancel it.`,
                workflowId,
              });
              await alerts.raise({
                severity: 'critical',
                kind: 'reconcile.erpOrderMissing',
                subject: `Order ${o.name}: the ERP no longer has its sales order`,
                message: `Order ${o.orderId}'s process created ERP sales order ${process.erpTranId ?? process.erpOrderId}, but the ERP has no sales order with external id ${erpOrderExternalId(input.store, o.orderId)}.`,
                workflowId,
                dedupeKey: `reconcile:erp-order-missing:${input.store}:${o.orderId}`,
                details: { orderId: o.orderId, name: o.name },
              });
            }
            // Any other process is on its way to the ERP, parked or waiting for a decision: shown elsewhere.
          }
        }
        const last = page[page.length - 1];
        if (page.length < 250 || !last || Date.parse(last.updatedAt) > cutoff) break;
        since = last.updatedAt;
      }
      return out;
    },

    /**
     * Store quantities against the ERP's: the items whose ERP stock changed in the window and a
     * rotating slice of the rest (`batch` SKUs a pass, so the whole catalog is covered in turn) are read
     * from the store, compared per location with the sellable quantity from the ERP's stock, and each
     * drifted one is written again (compare-and-set against what was read).
     */
    async reconcileStock(input: {
      store: string;
      since: string;
      batch: number;
      workflowId: string;
    }): Promise<{ checked: number; entries: ReconcileEntry[]; skipped?: string }> {
      const flows = await flowSnapshot(db, input.store);
      const off = flowOffReason(flows, 'inventory', 'erpToStore');
      const cursorName = `reconcile-stock:${input.store}`;
      const changed = await syncs.skusChangedSince(input.since, Math.ceil(input.batch / 2));
      const slice = await syncs.skusAfter(await syncs.cursor(cursorName), input.batch - changed.length);
      await syncs.saveCursor(cursorName, slice.length ? slice[slice.length - 1]! : null);
      const erpSkus = [...new Set([...changed, ...slice])];
      if (erpSkus.length === 0) return { checked: 0, entries: [] };
      const [levels, skuMap, locationMap] = await Promise.all([
        syncs.cachedLevels(erpSkus),
        mappings.storeSkus(input.store, erpSkus),
        mappings.storeLocations(input.store),
      ]);
      const storeSkus = [...new Set(erpSkus.flatMap((s) => (skuMap.has(s) ? [skuMap.get(s)!] : [])))];
      const read = await storefront.levelsOf(storeSkus);
      heartbeat({ read: read.length });
      // The store's quantities by (store SKU, mapped store location): locations are mapped by id or name.
      const mapped = new Set(locationMap.values());
      const observed = new Map<string, number>();
      for (const l of read) {
        const location = mapped.has(l.locationId)
          ? l.locationId
          : mapped.has(l.locationName)
            ? l.locationName
            : null;
        if (location) observed.set(stockKey(l.sku, location), l.available);
      }
      const names = new Map(read.map((l) => [l.locationId, l.locationName]));
      const where = (location: string) => names.get(location) ?? location;
      const checked = levels.filter((l) => skuMap.has(l.sku) && locationMap.has(l.location)).length;
      if (off) return { checked: 0, entries: [], skipped: `Stock was not compared: ${off}.` };
      const current = await rulesRepository(db).current(input.store);
      const r = await pusher.pushLevels({
        store: input.store,
        sync: `reconcile:${input.store}`,
        levels,
        workflowId: input.workflowId,
        rules: { version: current.version, rules: current.rules.inventory, store: current.store },
        observed,
      });
      await syncs.saveInventory(
        input.store,
        r.levels
          .filter((level) => r.pushedQuantity.has(stockKey(level.sku, level.location)))
          .map((level) => ({
            level,
            pushedQuantity: r.pushedQuantity.get(stockKey(level.sku, level.location))!,
          })),
      );
      const entries: ReconcileEntry[] = r.drifted.map((d) => {
        const written = r.pushedQuantity.has(stockKey(d.erpSku, d.erpLocation));
        return {
          kind: 'driftedStock',
          subject: `${d.storeSku}@${d.location}`,
          title: `${d.storeSku} at ${where(d.location)}`,
          outcome: written ? 'repaired' : 'notRepaired',
          detail: written
            ? `The store had ${d.was ?? 'no quantity'}, the ERP's stock sells ${d.now}: set to ${d.now}.`
            : `The store has ${d.was ?? 'no quantity'}, the ERP's stock sells ${d.now}, but the store did not take the new quantity.`,
        };
      });
      return { checked, entries };
    },

    /** The pass's report, for the dashboard and the API; a retried save keeps the first. */
    async saveReconcileReport(input: NewReconcileReport): Promise<{ reportId: number }> {
      return { reportId: await reports.save(input) };
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
