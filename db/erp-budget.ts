import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { ErpBudget, Priority } from '../domain/erp-budget';
import type { Logger } from '../platform/logger';
import type { Db } from './pool';

const CHANNEL = 'erp_budget';
/** Announced by a process with requests waiting that found no free slot: `<key>\n<holder>`. */
const WANTED = 'erp_budget_wanted';

export interface SharedBudgetOptions {
  /** One budget per ERP account: `<base url>|<account id>`. */
  key: string;
  /** Requests in flight at once across every process that shares the key. */
  size: number;
  /** How long a slot stays leased if its holder dies mid-request; longer than a request's timeout. */
  leaseMs: number;
  /**
   * The longest one request holds its slot (the request timeout). A slot freed in this process goes
   * straight to a request waiting here, with no round trip, while its lease still outlasts another
   * such request (and for at most a second since it was claimed); without it every slot goes back
   * to the table.
   */
  requestMs?: number;
  /** The longest a waiter sleeps before trying again when no release was announced. */
  pollMs?: number;
  log?: Logger;
}

interface Waiter {
  priority: Priority;
  grant: (release: () => void) => void;
}

/** A slot this process has claimed from the table, and when it asked for it (its lease began after). */
interface Held {
  slot: number;
  claimedAt: number;
}

/** A slot is handed on in-process for at most this long after its claim, so other processes get their turn. */
const REUSE_MS = 1_000;
/** After giving a slot back for another process's turn, how long this one waits before claiming again. */
const TURN_MS = 20;
/**
 * How long another process's "slots wanted" keeps this one from handing freed slots on in-process:
 * a process with waiters announces it again at most this often while it still finds none free.
 */
const WANTED_MS = 250;

/**
 * The ERP concurrency budget shared by every worker process through PostgreSQL: one row per slot,
 * claimed with `FOR UPDATE SKIP LOCKED` and leased while a request is in flight, freed with a
 * NOTIFY that wakes the other processes. As in the process-local budget, waiting order calls are
 * served first and bulk calls never take the last slot, so an order gets through a full resync
 * whichever worker runs it. A killed worker's slots come back when their lease runs out.
 *
 * A process claims as many slots as it has requests waiting in one statement, and a slot one of its
 * requests frees goes straight to the next request waiting in the same process (within the lease,
 * for at most a second) instead of back through the table: at full load the budget costs a round
 * trip per slot per second, not two per request, and a waiter is granted the moment a slot frees.
 */
export class PostgresErpBudget implements ErpBudget {
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly waiting: Waiter[] = [];
  private inFlight = 0;
  private peak = 0;
  private pumping = false;
  /** Set when a release or a NOTIFY arrives while the pump is busy: it tries again before sleeping. */
  private kicked = false;
  private wake: (() => void) | undefined;
  private closed = false;
  /** This process claims nothing before this time (performance.now()): another process's turn. */
  private yieldUntil = 0;
  /** Until then another process has requests waiting for a slot: freed slots go back to the table. */
  private othersWantUntil = 0;
  /** When this process last announced that it wants slots (performance.now()). */
  private wantedAt = -Infinity;
  private readonly counts = { claims: 0, claimed: 0, handedOn: 0, returned: 0, wanted: 0 };

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
      if (msg.channel === CHANNEL && msg.payload === opts.key) budget.kick();
      else if (msg.channel === WANTED) budget.othersWant(msg.payload ?? '');
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    await listener.query(`LISTEN ${WANTED}`);
    return budget;
  }

  private get bulkLimit() {
    return this.opts.size > 1 ? this.opts.size - 1 : 1;
  }

  /** How long after its claim a slot may still be handed on in-process. */
  private get reuseMs() {
    const requestMs = this.opts.requestMs ?? this.opts.leaseMs;
    return Math.max(0, Math.min(REUSE_MS, this.opts.leaseMs - requestMs));
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

  private kick() {
    this.kicked = true;
    this.wake?.();
  }

  /** Another process of the same budget has requests waiting that found no free slot. */
  private othersWant(payload: string) {
    const [key, holder] = payload.split('\n');
    if (key === this.opts.key && holder !== this.holder) this.othersWantUntil = performance.now() + WANTED_MS;
  }

  /**
   * Tells the other processes that requests here wait for a slot none of them has freed, so they
   * give their freed slots back to the table instead of keeping them for their own next request.
   * At most once per WANTED_MS while it lasts.
   */
  private announceWanted() {
    const now = performance.now();
    if (now - this.wantedAt < WANTED_MS / 2) return;
    this.wantedAt = now;
    this.counts.wanted++;
    void this.db
      .query(`SELECT pg_notify('${WANTED}', $1)`, [`${this.opts.key}\n${this.holder}`])
      .catch((err: unknown) => this.opts.log?.warn({ err }, 'could not announce waiting ERP requests'));
  }

  /** The first waiter that may use `slot` (bulk calls never the last one), taken off the queue. */
  private takeWaiterFor(slot: number): Waiter | undefined {
    const k = this.waiting.findIndex((w) => w.priority === 'interactive' || slot < this.bulkLimit);
    return k < 0 ? undefined : this.waiting.splice(k, 1)[0];
  }

  private grant(waiter: Waiter, held: Held) {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    waiter.grant(this.releaser(held));
  }

  /** Claims slots for the local waiters from the shared table, in batches, while it has free ones. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.kick();
      return;
    }
    this.pumping = true;
    try {
      while (this.waiting.length && !this.closed) {
        const turn = this.yieldUntil - performance.now();
        if (turn > 0) await new Promise((r) => setTimeout(r, turn));
        this.kicked = false;
        if (this.inFlight >= this.opts.size) {
          // Every slot is held here: none can be free in the table, the next release hands one on
          // (or gives it back and wakes this loop).
          await this.sleep();
          continue;
        }
        const interactive = this.waiting.filter((w) => w.priority === 'interactive').length;
        const bulk = this.waiting.length - interactive;
        const claimedAt = performance.now();
        const slots = await this.claim(interactive, bulk).catch((err: unknown) => {
          this.opts.log?.warn({ err }, 'could not claim an ERP budget slot; retrying');
          return undefined;
        });
        const spare: number[] = [];
        for (const slot of slots ?? []) {
          const waiter = this.takeWaiterFor(slot);
          if (waiter) this.grant(waiter, { slot, claimedAt });
          else spare.push(slot); // its waiter was served by a slot handed on meanwhile
        }
        if (spare.length) await this.giveBack(spare);
        if (slots?.length) continue;
        // None free: the slots are held, perhaps handed on inside another process; ask for a turn.
        if (slots && this.waiting.length) this.announceWanted();
        if (!this.kicked) await this.sleep();
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

  /**
   * Up to `interactive` free slots of any number (the highest first, so the ones bulk calls may use
   * stay free longest), then up to `bulk` below the last one, in one statement.
   */
  private async claim(interactive: number, bulk: number): Promise<number[]> {
    this.counts.claims++;
    const { rows } = await this.db.query<{ slot: number }>(
      `WITH free AS (
         SELECT slot FROM erp_budget_slot
          WHERE budget_key = $1 AND (holder IS NULL OR leased_until < now())
          ORDER BY slot
            FOR UPDATE SKIP LOCKED),
       wanted AS (
         (SELECT slot, 'interactive' AS priority FROM free ORDER BY slot DESC LIMIT $4)
         UNION ALL
         (SELECT slot, 'bulk' FROM free WHERE slot < $5 ORDER BY slot LIMIT $6))
       UPDATE erp_budget_slot s
          SET holder = $2, priority = w.priority, leased_until = now() + $3 * interval '1 millisecond'
         FROM (SELECT DISTINCT ON (slot) slot, priority FROM wanted ORDER BY slot, priority DESC) w
        WHERE s.budget_key = $1 AND s.slot = w.slot
       RETURNING s.slot`,
      [this.opts.key, this.holder, this.opts.leaseMs, interactive, this.bulkLimit, bulk],
    );
    this.counts.claimed += rows.length;
    return rows.map((r) => r.slot).sort((a, b) => b - a);
  }

  /** Frees slots in the shared table and wakes every process waiting for one. */
  private async giveBack(slots: number[]): Promise<void> {
    this.counts.returned += slots.length;
    await this.db
      .query(
        `WITH freed AS (
           UPDATE erp_budget_slot SET holder = NULL, priority = NULL, leased_until = NULL
            WHERE budget_key = $1 AND slot = ANY($2::int[]) AND holder = $3
            RETURNING 1)
         SELECT pg_notify('${CHANNEL}', $1) FROM freed LIMIT 1`,
        [this.opts.key, slots, this.holder],
      )
      .catch((err: unknown) =>
        this.opts.log?.warn({ err, slots }, 'could not free ERP budget slots; their leases will expire'),
      );
  }

  private releaser(held: Held): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      // Straight to the next request waiting here while the lease outlasts one more request, and
      // while no other process is waiting for a slot (then it goes back to the table, for all).
      const waiter = this.closed ? undefined : this.takeWaiterFor(held.slot);
      const now = performance.now();
      if (waiter && now - held.claimedAt < this.reuseMs && now >= this.othersWantUntil) {
        this.counts.handedOn++;
        this.grant(waiter, held);
        return;
      }
      if (waiter) {
        // Its second is up, or another process waits: back to the queue's head, and the other
        // processes get the first try.
        this.waiting.unshift(waiter);
        this.yieldUntil = performance.now() + TURN_MS;
      }
      void this.giveBack([held.slot]).finally(() => void this.pump());
    };
  }

  stats() {
    return {
      size: this.opts.size,
      inFlight: this.inFlight,
      peak: this.peak,
      waiting: this.waiting.length,
      ...this.counts,
    };
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
    await this.listener.query(`UNLISTEN ${WANTED}`).catch(() => undefined);
    this.listener.release();
  }
}
