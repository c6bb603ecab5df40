import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Shopify's calculated query cost, simplified: a mutation costs 10, an object 1, a scalar 0, and a
 * connection 2 plus `first` times the cost of one node. Given the result data, it is the actual cost:
 * connections count the nodes they returned, and the difference goes back into the bucket.
 */
export function requestedCost(
  doc: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  actualData?: unknown,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of doc.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  const intValue = (v: ValueNode | undefined): number | undefined => {
    if (!v) return undefined;
    if (v.kind === Kind.INT) return Number(v.value);
    if (v.kind === Kind.VARIABLE) {
      const value = variables[v.name.value];
      return typeof value === 'number' ? value : undefined;
    }
    return undefined;
  };

  // With `data`, connections count the nodes actually returned (Shopify's actualQueryCost); without, `first`.
  const setCost = (set: SelectionSetNode | undefined, data?: unknown): number => {
    if (!set) return 0;
    let total = 0;
    const at = (key: string) =>
      data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) total += setCost(sel.selectionSet, data);
      else if (sel.kind === Kind.FRAGMENT_SPREAD)
        total += setCost(fragments.get(sel.name.value)?.selectionSet, data);
      else if (sel.selectionSet) {
        const name = sel.name.value;
        const value = data === undefined ? undefined : at(sel.alias?.value ?? name);
        const first = intValue(
          sel.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last')?.value,
        );
        if (first !== undefined) {
          const returned = value === undefined ? undefined : countNodes(value);
          const n = returned ?? (data === undefined ? first : 0);
          const sample = value === undefined ? undefined : sampleNode(value);
          total += 2 + n * Math.max(1, setCost(sel.selectionSet, sample));
        } else if (name === 'nodes' || name === 'edges' || name === 'node')
          total += setCost(sel.selectionSet, Array.isArray(value) ? value[0] : value);
        else if (name === 'pageInfo' || name === 'userErrors' || name === 'extensions') total += 0;
        else if (data !== undefined && (value === null || value === undefined)) total += 1;
        else total += 1 + setCost(sel.selectionSet, Array.isArray(value) ? value[0] : value);
      }
    }
    return total;
  };

  if (operation.operation === 'mutation') return 10 * operation.selectionSet.selections.length;
  return Math.max(1, setCost(operation.selectionSet, actualData ?? undefined));
}

function countNodes(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') {
    const v = value as { nodes?: unknown[]; edges?: unknown[] };
    if (Array.isArray(v.nodes)) return v.nodes.length;
    if (Array.isArray(v.edges)) return v.edges.length;
  }
  return undefined;
}

function sampleNode(value: unknown): unknown {
  if (Array.isArray(value)) return value[0];
  if (value && typeof value === 'object') {
    const v = value as { nodes?: unknown[]; edges?: { node?: unknown }[] };
    if (Array.isArray(v.nodes)) return { nodes: v.nodes.slice(0, 1) };
    if (Array.isArray(v.edges)) return { edges: v.edges.slice(0, 1) };
  }
  return value;
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
    return {
      maximumAvailable: this.maximum,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }
}
