import type { ErpBudget, Priority } from '../../domain/erp-budget';

export type { ErpBudget, Priority };

/**
 * A bounded number of requests in flight against one NetSuite account, shared by every caller in
 * the process. Waiting interactive calls are served first, and bulk calls never take the last slot
 * (when there is more than one), so an order can always get through a full resync.
 */
export class ConcurrencyBudget implements ErpBudget {
  private inFlight = 0;
  private peak = 0;
  private readonly waiting: Record<Priority, (() => void)[]> = { interactive: [], bulk: [] };

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error('the concurrency budget must be a positive integer');
  }

  private get bulkLimit() {
    return this.size > 1 ? this.size - 1 : 1;
  }

  /** Waits for a slot; call the returned function exactly once to give it back. */
  acquire(priority: Priority = 'interactive'): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting[priority].push(() => resolve(this.releaser()));
      this.dispatch();
    });
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.dispatch();
    };
  }

  private dispatch() {
    for (;;) {
      if (this.inFlight < this.size && this.waiting.interactive.length) {
        this.take(this.waiting.interactive.shift()!);
      } else if (this.inFlight < this.bulkLimit && this.waiting.bulk.length) {
        this.take(this.waiting.bulk.shift()!);
      } else {
        return;
      }
    }
  }

  private take(grant: () => void) {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    grant();
  }

  stats() {
    return {
      size: this.size,
      inFlight: this.inFlight,
      peak: this.peak,
      waiting: this.waiting.interactive.length + this.waiting.bulk.length,
    };
  }
}

const shared = new Map<string, ConcurrencyBudget>();

/** The process-wide budget for one account (created with the first caller's size). */
export function sharedBudget(key: string, size: number): ConcurrencyBudget {
  let budget = shared.get(key);
  if (!budget) {
    budget = new ConcurrencyBudget(size);
    shared.set(key, budget);
  }
  return budget;
}
