import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { ErpBudget, Priority } from '../domain/erp-budget';
import type { Logger } from '../platform/logger';
import type { Db } from './pool';

const CHANNEL = 'erp_budget';

export interface SharedBudgetOptions {
  /** One budget per ERP account: `<base url>|<account id>`. */
  key: string;
  /** Requests in flight at once across every process that shares the key. */
  size: number;
  /** How long a slot stays leased if its holder dies mid-request; longer than a request's timeout. */
  leaseMs: number;
  /** The longest a waiter sleeps before trying again when no release was announced. */
  pollMs?: number;
  log?: Logger;
}

interface Waiter {
  priority: Priority;
  grant: (release: () => void) => void;
}

/**
 * The ERP concurrency budget shared by every worker process through PostgreSQL: one row per slot,
 * claimed with `FOR UPDATE SKIP LOCKED` and leased while a request is in flight, freed with a
 * NOTIFY that wakes the other processes. As in the process-local budget, waiting order calls are
 * served first and bulk calls never take the last slot, so an order gets through a full resync
 * whichever worker runs it. A killed worker's slots come back when their lease runs out.
 */
export class PostgresErpBudget implements ErpBudget {
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly waiting: Waiter[] = [];
  private inFlight = 0;
  private peak = 0;
  private pumping = false;
  private wake: (() => void) | undefined;
  private closed = false;

  private constructor(
    private readonly db: Db,
    private readonly listener: pg.PoolClient,
    private readonly opts: SharedBudgetOptions,
  ) {}

  static async open(db: Db, opts: SharedBudgetOptions): Promise<PostgresErpBudget> {
    if (!Number.isInteger(opts.size) || opts.size < 1)
      throw new Error('the concurrency budget must be a positive integer');
    await db.query(
      `INSERT INTO erp_budget_slot (budget_key, slot)
       SELECT $1, g FROM generate_series(0, $2::int - 1) g
       ON CONFLICT DO NOTHING`,
      [opts.key, opts.size],
    );
    const listener = await db.connect();
    const budget = new PostgresErpBudget(db, listener, opts);
    listener.on('notification', (msg) => {
      if (msg.payload === opts.key) budget.wake?.();
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    return budget;
  }

  private get bulkLimit() {
    return this.opts.size > 1 ? this.opts.size - 1 : 1;
  }

  acquire(priority: Priority = 'interactive'): Promise<() => void> {
    if (this.closed) return Promise.reject(new Error('the ERP budget is closed'));
    return new Promise((resolve) => {
      const waiter: Waiter = { priority, grant: resolve };
      // Order calls queue ahead of every bulk call that is still waiting.
      const at =
        priority === 'interactive'
          ? this.waiting.findIndex((w) => w.priority === 'bulk')
          : this.waiting.length;
      this.waiting.splice(at < 0 ? this.waiting.length : at, 0, waiter);
      void this.pump();
    });
  }

  /** Hands out slots to local waiters, head first, while the shared table has free ones. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.wake?.();
      return;
    }
    this.pumping = true;
    try {
      while (this.waiting.length && !this.closed) {
        const head = this.waiting[0]!;
        const slot = await this.claim(head.priority).catch((err: unknown) => {
          this.opts.log?.warn({ err }, 'could not claim an ERP budget slot; retrying');
          return undefined;
        });
        if (slot === undefined) {
          await this.sleep();
          continue;
        }
        this.waiting.shift();
        this.inFlight++;
        this.peak = Math.max(this.peak, this.inFlight);
        head.grant(this.releaser(slot));
      }
    } finally {
      this.pumping = false;
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.opts.pollMs ?? 100);
      this.wake = done;
    });
  }

  private async claim(priority: Priority): Promise<number | undefined> {
    const below = priority === 'bulk' ? this.bulkLimit : this.opts.size;
    const { rows } = await this.db.query<{ slot: number }>(
      `UPDATE erp_budget_slot s
          SET holder = $2, priority = $3, leased_until = now() + $4 * interval '1 millisecond'
        WHERE (s.budget_key, s.slot) = (
              SELECT budget_key, slot FROM erp_budget_slot
               WHERE budget_key = $1 AND slot < $5 AND (holder IS NULL OR leased_until < now())
               ORDER BY slot
               LIMIT 1
               FOR UPDATE SKIP LOCKED)
       RETURNING s.slot`,
      [this.opts.key, this.holder, priority, this.opts.leaseMs, below],
    );
    return rows[0]?.slot;
  }

  private releaser(slot: number): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.db
        .query(
          `WITH freed AS (
             UPDATE erp_budget_slot SET holder = NULL, priority = NULL, leased_until = NULL
              WHERE budget_key = $1 AND slot = $2 AND holder = $3
              RETURNING 1)
           SELECT pg_notify('${CHANNEL}', $1) FROM freed`,
          [this.opts.key, slot, this.holder],
        )
        .catch((err: unknown) =>
          this.opts.log?.warn({ err, slot }, 'could not free an ERP budget slot; its lease will expire'),
        )
        .finally(() => void this.pump());
    };
  }

  stats() {
    return { size: this.opts.size, inFlight: this.inFlight, peak: this.peak, waiting: this.waiting.length };
  }

  /** Gives back this process's slots and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.db
      .query(
        `UPDATE erp_budget_slot SET holder = NULL, priority = NULL, leased_until = NULL
          WHERE budget_key = $1 AND holder = $2`,
        [this.opts.key, this.holder],
      )
      .catch(() => undefined);
    await this.listener.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
    this.listener.release();
  }
}
