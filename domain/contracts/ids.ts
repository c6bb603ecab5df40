import type { SignalDefinition } from '@temporalio/common';

/**
 * The one way to build and read a deterministic workflow id `<kind>:<field>:…`. Every process's contract
 * module (order.ts, returns.ts, customer.ts, sync.ts) defines its ids with `workflowIdOf`, so the id a
 * workflow is started with and the fields read back from it can never drift apart.
 */
export interface WorkflowIdContract<F extends string> {
  /** The id's first segment, e.g. `order`. */
  readonly kind: string;
  build(fields: Record<F, string>): string;
  /** The fields of an id of this kind; undefined for any other id. The last field keeps any `:` it holds. */
  parse(workflowId: string): Record<F, string> | undefined;
}

export function workflowIdOf<F extends string>(kind: string, fields: readonly F[]): WorkflowIdContract<F> {
  const prefix = `${kind}:`;
  return {
    kind,
    build: (values) => prefix + fields.map((f) => values[f]).join(':'),
    parse(workflowId) {
      if (!workflowId.startsWith(prefix)) return undefined;
      const parts = workflowId.slice(prefix.length).split(':');
      if (parts.length < fields.length) return undefined;
      const last = parts.slice(fields.length - 1).join(':');
      const values = [...parts.slice(0, fields.length - 1), last];
      if (values.some((v) => v === '')) return undefined;
      return Object.fromEntries(fields.map((f, i) => [f, values[i]])) as Record<F, string>;
    },
  };
}

/** Task queues. A prefix (TEMPORAL_TASK_QUEUE_PREFIX) keeps test runs apart from a running system. */
export const TASK_QUEUES = {
  orders: 'quayside-orders',
  returns: 'quayside-returns',
  customers: 'quayside-customers',
  sync: 'quayside-sync',
} as const;
export type TaskQueueName = keyof typeof TASK_QUEUES;

export const taskQueue = (name: TaskQueueName, prefix = '') =>
  prefix ? `${prefix}-${TASK_QUEUES[name]}` : TASK_QUEUES[name];

/**
 * A process's name and place: the workflow type it is started by and the task queue it runs on.
 * Each process's contract module declares its own once, with `processOf`.
 */
export interface ProcessKind<T extends string = string> {
  readonly workflowType: T;
  readonly queue: TaskQueueName;
}

export const processOf = <T extends string>(workflowType: T, queue: TaskQueueName): ProcessKind<T> => ({
  workflowType,
  queue,
});

/**
 * What a process for one storefront record is started with: the store, the record's id under its
 * own name (`orderId`, `returnId`, `customerId`) and, for a process that runs by rules, an optional
 * snapshot of them under `R` (`rules`, `policy`), used instead of the store's current ones (tests, or
 * a process replayed with the rules it had).
 */
export type ProcessInput<Id extends string, R extends string = never, Rules = never> = {
  store: string;
} & { [K in Id]: string } & { [K in R]?: Rules };

/**
 * The queue prefix of one store's processes. The primary store (QUAYSIDE_STORE) keeps the
 * deployment's queues, so its running processes go on where they are; every other store has queues
 * of its own (`<prefix>-<store>-quayside-orders`), polled by workers with that store's connections,
 * so one store's backlog or outage never takes another store's worker slots.
 */
export const storeQueuePrefix = (prefix: string, store: string, primaryStore: string) =>
  store === primaryStore ? prefix : prefix ? `${prefix}-${store}` : store;

/**
 * What a client needs to hand an event to a process: signal-with-start into the process's
 * deterministic id on its queue, so a running process gets the event and a new one starts with it.
 * Each contract builds its own (`returnDelivery`, `customerApprovalDelivery` …).
 */
export interface EventDelivery<E> extends ProcessKind {
  workflowId: string;
  args: [Record<string, string>];
  signal: SignalDefinition<[E]> | string;
}
