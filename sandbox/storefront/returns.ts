import { gid } from './db';

/**
 * Return line items as Shopify's Admin API shows them: `Return.returnLineItems` is a connection of
 * the `ReturnLineItemType` interface, whose `ReturnLineItem` names the fulfilled order line. The
 * returns/request webhook does not carry them; a client reads them here.
 */
export const RETURNS_SDL = /* GraphQL */ `
  interface ReturnLineItemType {
    id: ID!
    quantity: Int!
    returnReason: String
    returnReasonNote: String!
    customerNote: String
  }
  type ReturnLineItem implements ReturnLineItemType {
    id: ID!
    quantity: Int!
    returnReason: String
    returnReasonNote: String!
    customerNote: String
    fulfillmentLineItem: FulfillmentLineItem!
  }
  type FulfillmentLineItem {
    id: ID!
    quantity: Int
    lineItem: LineItem!
  }
  type ReturnLineItemTypeConnection {
    nodes: [ReturnLineItemType!]!
    pageInfo: PageInfo!
  }
`;

interface StoredReturnLine {
  id: string;
  lineItemId: string;
  sku: string;
  quantity: number;
  reason: string;
  customerNote?: string;
}

/** The nodes of `Return.returnLineItems` from a stored return's lines. */
export function returnLineItemNodes(lines: StoredReturnLine[]) {
  return lines.map((l) => ({
    __typename: 'ReturnLineItem',
    id: gid('ReturnLineItem', l.id),
    quantity: l.quantity,
    returnReason: l.reason,
    returnReasonNote: '',
    customerNote: l.customerNote ?? null,
    fulfillmentLineItem: {
      id: gid('FulfillmentLineItem', l.lineItemId),
      quantity: l.quantity,
      lineItem: { id: gid('LineItem', l.lineItemId), sku: l.sku, title: l.sku, quantity: l.quantity },
    },
  }));
}
