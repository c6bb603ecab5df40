import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

/**
 * Shopify's calculated query cost, simplified: a mutation costs 10, an object 1, a scalar 0, and a
 * connection 2 plus `first` times the cost of one node.
 */
export function requestedCost(doc: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  const intValue = (v: ValueNode | undefined): number | undefined => {
    if (!v) return undefined;
    if (v.kind === Kind.INT) return Number(v.value);
    if (v.kind === Kind.VARIABLE) {
      const value = variables[v.name.value];
      return typeof value === 'number' ? value : undefined;
    }
    return undefined;
  };

  const setCost = (set: SelectionSetNode | undefined): number => {
    if (!set) return 0;
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) total += setCost(sel.selectionSet);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) total += setCost(fragments.get(sel.name.value)?.selectionSet);
      else if (sel.selectionSet) {
        const first = intValue(sel.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last')?.value);
        if (first !== undefined) total += 2 + first * Math.max(1, setCost(sel.selectionSet));
        else if (sel.name.value === 'nodes' || sel.name.value === 'edges' || sel.name.value === 'node') total += setCost(sel.selectionSet);
        else if (sel.name.value === 'pageInfo' || sel.name.value === 'userErrors' || sel.name.value === 'extensions') total += 0;
        else total += 1 + setCost(sel.selectionSet);
      }
    }
    return total;
  };

  if (operation.operation === 'mutation') return 10 * operation.selectionSet.selections.length;
  return Math.max(1, setCost(operation.selectionSet));
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** The leaky bucket of cost points Shopify keeps per app and shop. */
export class CostBucket {
  private available: number;
  private last: number;

  constructor(
    private readonly maximum: number,
    private readonly restoreRate: number,
    private readonly now: () => number = Date.now,
  ) {
    this.available = maximum;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.available = Math.min(this.maximum, this.available + ((t - this.last) / 1000) * this.restoreRate);
    this.last = t;
  }

  /** Takes `cost` points when that many are available. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  /** Gives back the difference when the actual cost was lower than requested. */
  refund(points: number): void {
    this.available = Math.min(this.maximum, this.available + points);
  }

  status(): ThrottleStatus {
    this.refill();
    return { maximumAvailable: this.maximum, currentlyAvailable: Math.floor(this.available), restoreRate: this.restoreRate };
  }
}
