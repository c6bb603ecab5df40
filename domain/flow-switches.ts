/**
 * Per-flow switches, as data: each flow between the store and the ERP is on or off and, where
 * Quayside moves it both ways, one-way or two-way. A process snapshots the switches when it starts
 * and honours that snapshot for as long as it runs; a change applies to the processes started after
 * it (a standing sync's next run).
 */
export const FLOWS = [
  'orders',
  'fulfillments',
  'inventory',
  'prices',
  'catalog',
  'customers',
  'returns',
] as const;
export type Flow = (typeof FLOWS)[number];

export type OneWay = 'erpToStore' | 'storeToErp';
export type FlowDirection = OneWay | 'both';

/** The directions each flow has in Quayside; a switch may choose among these only. */
export const FLOW_DIRECTIONS = {
  /** Store orders → ERP sales orders. */
  orders: ['storeToErp'],
  /** ERP shipments → store fulfillments with tracking. */
  fulfillments: ['erpToStore'],
  /** ERP stock → store inventory. */
  inventory: ['erpToStore'],
  /** ERP price levels, contract prices and credit → store catalogs and price lists. */
  prices: ['erpToStore'],
  /** ERP items → store products, and ERP items and prices → Quayside's catalog cache (checkout quotes). */
  catalog: ['erpToStore'],
  /** Store customers and registrations → ERP customers; ERP customers → store companies. */
  customers: ['both', 'storeToErp', 'erpToStore'],
  /** Store return requests and refunds → ERP return authorizations, credit back to the store. */
  returns: ['both'],
} as const satisfies Record<Flow, readonly [FlowDirection, ...FlowDirection[]]>;

/** Each flow's switch: on or off, and the direction it runs (one of the flow's own). */
export type FlowSwitches = {
  [F in Flow]: { enabled: boolean; direction: (typeof FLOW_DIRECTIONS)[F][number] };
};

/** A snapshot a process carries: the switches and the version they came from. */
export interface FlowSnapshot {
  version: number;
  switches: FlowSwitches;
}

/** Whether a flow moves in this direction under these switches. */
export function flowRuns(switches: FlowSwitches, flow: Flow, direction: OneWay): boolean {
  const s = switches[flow] as { enabled: boolean; direction: FlowDirection };
  return s.enabled && (s.direction === 'both' || s.direction === direction);
}

const WORDS: Record<OneWay, string> = { erpToStore: 'ERP → store', storeToErp: 'store → ERP' };

/** Why a flow does not run in this direction, in a sentence (undefined when it runs). */
export function flowOffReason(snapshot: FlowSnapshot, flow: Flow, direction: OneWay): string | undefined {
  if (flowRuns(snapshot.switches, flow, direction)) return undefined;
  const s = snapshot.switches[flow] as { enabled: boolean; direction: FlowDirection };
  const why = s.enabled ? `runs ${WORDS[s.direction as OneWay]} only` : 'is switched off';
  return `the ${flow} flow ${why} (flow switches version ${snapshot.version}), so ${WORDS[direction]} is skipped`;
}

export interface FlowChange {
  flow: Flow;
  field: 'enabled' | 'direction';
  before: boolean | string;
  after: boolean | string;
}

/** What one version changed against the one before it: the audit's before and after. */
export function flowChanges(before: FlowSwitches, after: FlowSwitches): FlowChange[] {
  const changes: FlowChange[] = [];
  for (const flow of FLOWS) {
    for (const field of ['enabled', 'direction'] as const) {
      const b = before[flow][field];
      const a = after[flow][field];
      if (b !== a) changes.push({ flow, field, before: b, after: a });
    }
  }
  return changes;
}

/** The flow a store webhook topic feeds (store → ERP). */
export function flowOfTopic(topic: string): Flow | undefined {
  if (topic.startsWith('orders/')) return 'orders';
  if (topic.startsWith('customers/')) return 'customers';
  if (topic === 'returns/request' || topic === 'refunds/create') return 'returns';
  return undefined;
}
