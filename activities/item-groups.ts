import type { ErpFulfillment, ErpPort, SalesOrderChanges } from '../domain/erp';
import {
  componentCreditLines,
  componentLineKeys,
  componentReturnLines,
  foldReturnAuthorization,
  componentQuantities,
  explodeItemGroups,
  erpIdBefore,
  foldFulfillment,
  foldInvoice,
  foldSalesOrder,
  parseComponentKey,
  regroupComponents,
  type ItemGroup,
} from '../domain/item-groups';

/** Where the item groups come from: the item cache (db/sync.ts `itemGroups`). */
export type ItemGroupSource = (skus: string[]) => Promise<ReadonlyMap<string, ItemGroup>>;

/**
 * The ERP as the order process sees it, with item groups exploded (`domain/item-groups.ts`): a sales
 * order's item group lines go to the ERP as their components, and the order, its fulfillments and
 * invoices come back on the store's kit lines, counted in kits; so do returns (a kit line's return and
 * credit go to its components' lines, the credit split over them exactly by units). Kit items and every other line pass
 * as they are. Changes to a kit line (a new quantity, closing it) reach each of its component lines;
 * a new quantity at the store's unit price splits the line's money over them again, exactly.
 */
export function withItemGroups(erp: ErpPort, groups: ItemGroupSource): ErpPort {
  const hasKitKey = (keys: readonly string[]) => keys.some((k) => !parseComponentKey(k));
  const anyGroup = async (skus: string[]) => (await groups([...new Set(skus)])).size > 0;
  return {
    getCustomer: (id) => erp.getCustomer(id),
    hasOtherSalesOrder: (c, e) => erp.hasOtherSalesOrder(c, e),
    findCustomer: (r) => erp.findCustomer(r),
    updateCustomerContact: (id, c) => erp.updateCustomerContact(id, c),
    upsertCustomer: (i) => erp.upsertCustomer(i),
    listItems: (c, n) => erp.listItems(c, n),
    listPrices: (c, n) => erp.listPrices(c, n),
    inventoryChangedSince: (c, n) => erp.inventoryChangedSince(c, n),
    async createReturnAuthorization(input) {
      const so = (await anyGroup(input.lines.map((l) => l.sku)))
        ? await erp.getSalesOrder({ externalId: input.salesOrderExternalId })
        : null;
      const lines = so ? componentReturnLines(so, input.lines) : input.lines;
      return foldReturnAuthorization(await erp.createReturnAuthorization({ ...input, lines }));
    },
    async getReturnAuthorization(ref) {
      const ra = await erp.getReturnAuthorization(ref);
      return ra && foldReturnAuthorization(ra);
    },
    async closeReturnAuthorization(externalId) {
      return foldReturnAuthorization(await erp.closeReturnAuthorization(externalId));
    },
    async createCreditMemo(input) {
      const ra = (await anyGroup(input.lines.map((l) => l.sku)))
        ? await erp.getReturnAuthorization({ erpId: input.returnAuthorizationErpId })
        : null;
      const lines = ra ? componentCreditLines(ra, input.lines) : input.lines;
      return erp.createCreditMemo({ ...input, lines });
    },
    createRefund: (i) => erp.createRefund(i),

    async createSalesOrder(input) {
      const found = await groups([...new Set(input.lines.map((l) => l.sku))]);
      return foldSalesOrder(await erp.createSalesOrder(explodeItemGroups(input, found)));
    },
    async getSalesOrder(ref) {
      const so = await erp.getSalesOrder(ref);
      return so && foldSalesOrder(so);
    },
    async updateSalesOrder(externalId, changes) {
      if (!changes.lines?.length) return foldSalesOrder(await erp.updateSalesOrder(externalId, changes));
      const so = await erp.getSalesOrder({ externalId });
      if (!so || !so.lines.some((l) => parseComponentKey(l.lineKey)))
        return foldSalesOrder(await erp.updateSalesOrder(externalId, changes));
      const lines: NonNullable<SalesOrderChanges['lines']> = [];
      const add: NonNullable<SalesOrderChanges['add']> = [...(changes.add ?? [])];
      const close: string[] = [];
      for (const l of changes.lines) {
        const head = so.lines.map((x) => parseComponentKey(x.lineKey)).find((k) => k?.kitKey === l.lineKey);
        if (!head) {
          lines.push(l);
          continue;
        }
        // At the store's unit price, the kit line's money is split again over its components.
        const group = l.rate === undefined ? undefined : (await groups([head.groupSku])).get(head.groupSku);
        const prices = new Map(group?.members.map((m) => [m.sku, m.basePrice]) ?? []);
        const regrouped =
          l.rate === undefined
            ? null
            : regroupComponents(so, l.lineKey, l.quantity, l.rate, changes.currency ?? 'USD', prices);
        const c = regrouped ?? componentQuantities(so, l.lineKey, l.quantity);
        lines.push(...c.set);
        if (regrouped) add.push(...regrouped.add);
        close.push(...c.close);
      }
      let out = await erp.updateSalesOrder(externalId, { ...changes, lines, add });
      if (close.length) out = await erp.cancelSalesOrder(externalId, close);
      return foldSalesOrder(out);
    },
    async cancelSalesOrder(externalId, lineKeys) {
      if (!lineKeys || !hasKitKey(lineKeys))
        return foldSalesOrder(await erp.cancelSalesOrder(externalId, lineKeys));
      const so = await erp.getSalesOrder({ externalId });
      const keys = so ? componentLineKeys(so, lineKeys) : lineKeys;
      return foldSalesOrder(await erp.cancelSalesOrder(externalId, keys));
    },
    fulfillmentLinesOf: (id) => erp.fulfillmentLinesOf(id),
    async fulfillmentsSince(cursor, pageSize) {
      const page = await erp.fulfillmentsSince(cursor, pageSize);
      // A group's kits are counted over all its sales order's fulfillments: each one reports the kits
      // it completes, with the tracking of the earlier parcels that carried their components. One that
      // completes none and ships nothing else goes with its components as kit parts (the store takes
      // no fulfillment without lines: the order shows the parcel to the buyer instead).
      const history = new Map<string, ReturnType<ErpPort['fulfillmentLinesOf']>>();
      const items: ErpFulfillment[] = [];
      for (const f of page.items) {
        if (!f.lines.some((l) => parseComponentKey(l.lineKey))) {
          items.push(f);
          continue;
        }
        let all = history.get(f.salesOrderErpId);
        if (!all) history.set(f.salesOrderErpId, (all = erp.fulfillmentLinesOf(f.salesOrderErpId)));
        const folded = foldFulfillment(
          f,
          (await all).filter((b) => erpIdBefore(b.erpId, f.erpId)),
        );
        if (folded.lines.length > 0 || (folded.kitParts?.length ?? 0) > 0) items.push(folded);
      }
      return { ...page, items };
    },
    async invoicesSince(cursor, pageSize) {
      const page = await erp.invoicesSince(cursor, pageSize);
      return { ...page, items: page.items.map(foldInvoice) };
    },
  };
}
