/**
 * Each flow's health for the dashboard: green, amber or red, with the reason in words. Pure: the
 * figures come from Quayside's read models, the thresholds from the SLA rules (domain/alerting.ts).
 */

export type Health = 'green' | 'amber' | 'red';

export interface FlowHealth {
  flow: string;
  label: string;
  health: Health;
  why: string;
}

export interface FlowFacts {
  orders: {
    /** Orders parked for a person (not counting those waiting for a decision). */
    parked: number;
    oldestParkedMinutes: number | null;
    /** Orders that reached the ERP in the last 24 h, and the 95th percentile webhook → ERP time. */
    reachedErp: number;
    p95LatencyMs: number | null;
    /** SLA: an ERP sales order within this long of the webhook. */
    erpOrderWithinMs: number;
  };
  webhooks: { parked: number };
  /** One per sync cursor: minutes since it last moved (null when it never has), and how long it may rest. */
  syncs: { name: string; label: string; minutesSinceMoved: number | null; withinMinutes: number }[];
  decisions: { waiting: number; overdue: number; nobodyMay: number };
  /** Open alerts of the returns and customer processes. */
  returns: { open: number };
  customers: { open: number };
  /** HTTP attempts in the last hour. */
  erp: { calls: number; errors: number };
  store: { calls: number; errors: number };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const minutes = (m: number) => (m < 120 ? `${Math.round(m)} min` : `${Math.round(m / 60)} h`);

/** Error rate thresholds of a connection over the last hour. */
export const ERROR_RATE_AMBER = 0.02;
export const ERROR_RATE_RED = 0.2;

function connection(label: string, flow: string, c: { calls: number; errors: number }): FlowHealth {
  if (c.calls === 0) return { flow, label, health: 'green', why: 'No calls in the last hour.' };
  const rate = c.errors / c.calls;
  const words = `${plural(c.errors, 'failed call')} of ${c.calls} in the last hour (${(rate * 100).toFixed(1)}%)`;
  if (rate >= ERROR_RATE_RED) return { flow, label, health: 'red', why: `${words}: it is failing.` };
  if (rate >= ERROR_RATE_AMBER) return { flow, label, health: 'amber', why: `${words}; calls are retried.` };
  return { flow, label, health: 'green', why: `${words}.` };
}

/** The standing syncs by cursor name (`<flow>:<store>[:…]`): what to call each, and whether it runs hourly. */
const SYNC_FLOWS: Record<string, { label: string; hourly: boolean }> = {
  inventory: { label: 'Inventory to the store', hourly: false },
  catalog: { label: 'Item cache from the ERP', hourly: true },
  prices: { label: 'Price cache from the ERP', hourly: true },
  'store-prices': { label: 'Prices to the store', hourly: true },
  'store-customers': { label: 'Credit to the store', hourly: true },
  'store-companies': { label: 'Customers to the store', hourly: true },
  'erp:fulfillments': { label: 'Shipments from the ERP', hourly: false },
  'erp:invoices': { label: 'Invoices from the ERP', hourly: false },
};

/**
 * A sync cursor as a flow: its name and label, and how long it may go without moving — the SLA's
 * sync lag, or two refresh periods for the syncs that run hourly (SYNC_CATALOG_REFRESH_MINUTES).
 */
export function syncFlowOf(
  cursor: string,
  syncLagWithinMinutes: number,
  hourlyRefreshMinutes = 60,
): { name: string; label: string; withinMinutes: number } | null {
  const parts = cursor.split(':');
  const key = parts[0] === 'erp' ? `erp:${parts[2] ?? ''}` : (parts[0] ?? '');
  const flow = SYNC_FLOWS[key];
  if (!flow) return null;
  return {
    name: key,
    label: flow.label,
    withinMinutes: flow.hourly
      ? Math.max(syncLagWithinMinutes, 2 * hourlyRefreshMinutes)
      : syncLagWithinMinutes,
  };
}

export function flowHealth(f: FlowFacts): FlowHealth[] {
  const out: FlowHealth[] = [];

  const o = f.orders;
  const latency =
    o.p95LatencyMs === null
      ? 'no order reached the ERP in the last 24 h'
      : `${plural(o.reachedErp, 'order')} reached the ERP in the last 24 h, 95% within ${seconds(o.p95LatencyMs)}`;
  if (o.parked > 0 && (o.oldestParkedMinutes ?? 0) >= 60)
    out.push({
      flow: 'orders',
      label: 'Orders',
      health: 'red',
      why: `${plural(o.parked, 'order')} parked, the oldest for ${minutes(o.oldestParkedMinutes ?? 0)}; ${latency}.`,
    });
  else if (o.parked > 0)
    out.push({
      flow: 'orders',
      label: 'Orders',
      health: 'amber',
      why: `${plural(o.parked, 'order')} parked; ${latency}.`,
    });
  else if (o.p95LatencyMs !== null && o.p95LatencyMs > o.erpOrderWithinMs)
    out.push({
      flow: 'orders',
      label: 'Orders',
      health: 'amber',
      why: `Slower than the service level of ${seconds(o.erpOrderWithinMs)}: ${latency}.`,
    });
  else out.push({ flow: 'orders', label: 'Orders', health: 'green', why: `Nothing parked; ${latency}.` });

  out.push(
    f.webhooks.parked === 0
      ? {
          flow: 'webhooks',
          label: 'Store webhooks',
          health: 'green',
          why: 'Every webhook received was understood.',
        }
      : {
          flow: 'webhooks',
          label: 'Store webhooks',
          health: f.webhooks.parked >= 10 ? 'red' : 'amber',
          why: `${plural(f.webhooks.parked, 'webhook')} could not be read and ${f.webhooks.parked === 1 ? 'waits' : 'wait'} to be corrected and replayed.`,
        },
  );

  for (const s of f.syncs) {
    const m = s.minutesSinceMoved;
    if (m === null)
      out.push({ flow: `sync:${s.name}`, label: s.label, health: 'amber', why: 'Has not run yet.' });
    else if (m > 2 * s.withinMinutes)
      out.push({
        flow: `sync:${s.name}`,
        label: s.label,
        health: 'red',
        why: `Last moved ${minutes(m)} ago, over twice the ${minutes(s.withinMinutes)} allowed.`,
      });
    else if (m > s.withinMinutes)
      out.push({
        flow: `sync:${s.name}`,
        label: s.label,
        health: 'amber',
        why: `Last moved ${minutes(m)} ago; ${minutes(s.withinMinutes)} is allowed.`,
      });
    else
      out.push({
        flow: `sync:${s.name}`,
        label: s.label,
        health: 'green',
        why: `Last moved ${minutes(m)} ago.`,
      });
  }

  const d = f.decisions;
  out.push(
    d.nobodyMay > 0
      ? {
          flow: 'decisions',
          label: 'Decisions',
          health: 'red',
          why: `${plural(d.nobodyMay, 'decision')} nobody is allowed to make; ${plural(d.waiting, 'decision')} waiting.`,
        }
      : d.overdue > 0
        ? {
            flow: 'decisions',
            label: 'Decisions',
            health: 'amber',
            why: `${plural(d.overdue, 'decision')} waiting too long; ${plural(d.waiting, 'decision')} waiting.`,
          }
        : {
            flow: 'decisions',
            label: 'Decisions',
            health: 'green',
            why:
              d.waiting === 0
                ? 'No decision is waiting.'
                : `${plural(d.waiting, 'decision')} waiting, none overdue.`,
          },
  );

  for (const [flow, label, open] of [
    ['returns', 'Returns', f.returns.open],
    ['customers', 'Customers', f.customers.open],
  ] as const)
    out.push(
      open === 0
        ? { flow, label, health: 'green', why: 'Nothing needs attention.' }
        : {
            flow,
            label,
            health: 'amber',
            why: `${plural(open, 'problem')} need${open === 1 ? 's' : ''} attention.`,
          },
    );

  out.push(connection('ERP connection', 'erp', f.erp), connection('Store connection', 'store', f.store));
  return out;
}
