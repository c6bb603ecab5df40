import type pg from 'pg';
import { withTransaction } from '../../db/pool';
import { Money } from '../../domain/money';
import type { Logger } from '../../platform/logger';
import type { StoreDb } from './db';
import { orderJson } from './rest';
import type { WebhookDispatcher } from './webhooks';

/**
 * Asynchronous jobs, as Shopify runs `orderCancel`: the mutation answers with `job { id done: false }`
 * and the order is cancelled a moment later; `job(id) { done }` tells when. A timer runs due jobs, and
 * asking for a job runs it if it is overdue, so a restarted sandbox finishes what it promised.
 */
export interface JobRunner {
  enqueue(kind: 'orderCancel', payload: OrderCancelJob): Promise<string>;
  /** Runs the due jobs, then answers whether `id` is done (undefined when there is no such job). */
  status(id: string): Promise<{ id: string; done: boolean } | undefined>;
  /** The pending cancellation of an order, if one is queued. */
  pendingCancel(orderId: string): Promise<string | undefined>;
  close(): void;
}

export interface OrderCancelJob {
  orderId: string;
  reason: string;
  refund: boolean;
  restock: boolean;
  staffNote?: string | null;
}

export function createJobRunner(
  db: StoreDb,
  webhooks: WebhookDispatcher,
  opts: { delayMs: number; log?: Logger },
): JobRunner {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const runDue = async (): Promise<void> => {
    const emits: string[] = [];
    await withTransaction(db, async (c) => {
      const due = await c.query<{ id: string; kind: string; payload: OrderCancelJob }>(
        'SELECT id, kind, payload FROM jobs WHERE NOT done AND run_at <= now() ORDER BY run_at FOR UPDATE SKIP LOCKED',
      );
      for (const job of due.rows) {
        const cancelled = await cancelOrder(c, job.payload);
        await c.query('UPDATE jobs SET done = true, result = $2 WHERE id = $1', [
          job.id,
          JSON.stringify({ cancelled }),
        ]);
        if (cancelled) emits.push(job.payload.orderId);
      }
    });
    for (const orderId of emits) await webhooks.emitBuilt('orders/cancelled', () => orderJson(db, orderId));
  };

  const schedule = (ms: number) => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      runDue().catch((err: unknown) => opts.log?.error({ err }, 'sandbox store job failed'));
    }, ms);
    timers.add(t);
  };

  return {
    async enqueue(kind, payload) {
      const row = await db.query<{ id: string }>(
        `INSERT INTO jobs (kind, payload, run_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond') RETURNING id`,
        [kind, JSON.stringify(payload), opts.delayMs],
      );
      schedule(opts.delayMs);
      return row.rows[0]!.id;
    },
    async status(id) {
      await runDue();
      const row = await db.query<{ id: string; done: boolean }>('SELECT id, done FROM jobs WHERE id = $1', [
        id,
      ]);
      return row.rows[0];
    },
    async pendingCancel(orderId) {
      const row = await db.query<{ id: string }>(
        `SELECT id FROM jobs WHERE kind = 'orderCancel' AND NOT done AND payload->>'orderId' = $1 LIMIT 1`,
        [orderId],
      );
      return row.rows[0]?.id;
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/**
 * Cancels an order: with `refund`, what was captured and not yet refunded is refunded against each
 * SALE/CAPTURE, an open authorization is voided; the financial status follows.
 */
async function cancelOrder(c: Pick<pg.PoolClient, 'query'>, job: OrderCancelJob): Promise<boolean> {
  const order = (
    await c.query<{ id: string; currency: string; financial_status: string; cancelled_at: Date | null }>(
      'SELECT id, currency, financial_status, cancelled_at FROM orders WHERE id = $1 FOR UPDATE',
      [job.orderId],
    )
  ).rows[0];
  if (!order || order.cancelled_at) return false;
  const shipped = await c.query('SELECT 1 FROM order_lines WHERE order_id = $1 AND fulfilled_quantity > 0', [
    order.id,
  ]);
  if (shipped.rows.length) return false;
  const txns = (
    await c.query<{ id: string; kind: string; parent_id: string | null; amount: string; gateway: string }>(
      `SELECT id, kind, parent_id, amount::text, gateway FROM order_transactions WHERE order_id = $1 AND status = 'SUCCESS' ORDER BY id`,
      [order.id],
    )
  ).rows;
  let status = order.financial_status;
  let refunded = false;
  for (const t of txns.filter((x) => x.kind === 'SALE' || x.kind === 'CAPTURE')) {
    const already = Money.sum(
      txns
        .filter((r) => r.kind === 'REFUND' && r.parent_id === t.id)
        .map((r) => Money.of(r.amount, order.currency)),
      order.currency,
    );
    const left = Money.of(t.amount, order.currency).minus(already);
    if (job.refund && left.greaterThan(Money.zero(order.currency))) {
      await c.query(
        `INSERT INTO order_transactions (order_id, parent_id, kind, gateway, amount, currency) VALUES ($1, $2, 'REFUND', $3, $4, $5)`,
        [order.id, t.id, t.gateway, left.toString(), order.currency],
      );
      refunded = true;
    }
  }
  const authorizations = txns.filter((x) => x.kind === 'AUTHORIZATION');
  const captured = new Set(txns.filter((x) => x.kind === 'CAPTURE').map((x) => x.parent_id));
  for (const a of authorizations.filter((x) => !captured.has(x.id))) {
    await c.query(
      `INSERT INTO order_transactions (order_id, parent_id, kind, gateway, amount, currency) VALUES ($1, $2, 'VOID', $3, $4, $5)`,
      [order.id, a.id, a.gateway, a.amount, order.currency],
    );
    status = 'voided';
  }
  if (refunded) status = 'refunded';
  else if (status === 'pending') status = 'voided';
  await c.query(
    `UPDATE orders SET cancelled_at = now(), cancel_reason = $2, financial_status = $3, updated_at = now() WHERE id = $1`,
    [order.id, job.reason.toLowerCase(), status],
  );
  return true;
}
