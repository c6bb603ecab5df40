import type { HomeFigures } from '../../db/dashboard';
import type { AttentionGroup } from '../../domain/attention';
import { flowHealth, syncFlowOf, type FlowFacts } from '../../domain/flow-health';
import type { SlaRules } from '../../domain/alerting';
import { durationMs } from '../../domain/rules';
import { barChart, last24Hours, lineChart, niceMax, onHours } from './charts';
import {
  html,
  inStore,
  liveRegion,
  raw,
  storeChooser,
  tableView,
  type SafeHtml,
  type StoreChoice,
} from './html';

const STATUS_WORDS: Record<string, string> = {
  received: 'Received',
  onHold: 'On hold',
  inErp: 'In the ERP',
  backordered: 'Backordered',
  partiallyShipped: 'Partly shipped',
  shipped: 'Shipped',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
const lag = (ms: number) => (ms < 120_000 ? seconds(ms) : `${Math.round(ms / 60_000)} min`);

/** The figures the flow-health rules read, from the home figures, the queue and the SLA rules. */
export function flowFacts(
  f: HomeFigures,
  queue: AttentionGroup[],
  sla: SlaRules,
  now = Date.now(),
): FlowFacts {
  const items = queue.flatMap((g) => g.items);
  const parkedOrders = items.filter((i) => i.key.startsWith('order:'));
  const oldest = parkedOrders.length ? Math.min(...parkedOrders.map((i) => Date.parse(i.since))) : null;
  const syncLagWithin = durationMs(sla.syncLag.within) / 60_000;
  const syncs = new Map<string, FlowFacts['syncs'][number]>();
  for (const c of f.cursors) {
    const flow = syncFlowOf(c.name, syncLagWithin);
    if (!flow) continue;
    const minutes = (now - c.updatedAt.getTime()) / 60_000;
    const seen = syncs.get(flow.name);
    // A flow with several cursors (one per store) is as late as its latest one.
    if (!seen || (seen.minutesSinceMoved ?? 0) < minutes)
      syncs.set(flow.name, { ...flow, minutesSinceMoved: minutes });
  }
  return {
    orders: {
      parked: parkedOrders.length,
      oldestParkedMinutes: oldest === null ? null : (now - oldest) / 60_000,
      reachedErp: f.latency.reachedErp,
      p95LatencyMs: f.latency.p95Ms,
      erpOrderWithinMs: durationMs(sla.erpOrder.within),
    },
    webhooks: { parked: items.filter((i) => i.key.startsWith('dead-letter:')).length },
    syncs: [...syncs.values()],
    decisions: {
      waiting: f.waitingForDecision,
      overdue: f.overdueDecisions,
      nobodyMay: queue.find((g) => g.cause === 'approval.noApprover')?.items.length ?? 0,
    },
    returns: { open: items.filter((i) => i.process === 'return').length },
    customers: { open: items.filter((i) => i.process === 'customer').length },
    erp: f.lastHourCalls.erp,
    store: f.lastHourCalls.store,
  };
}

function card(id: string, label: string, figure: number, extra: SafeHtml = html``, href?: string) {
  return html`<div class="card" id="${id}">
    <span class="figure">${href ? html`<a href="${href}">${figure}</a>` : figure}</span
    ><span class="label">${label}</span>${extra}
  </div>`;
}

/** The home page of every store the person sees, or of the one chosen (`choice.current`). */
export function homeBody(
  f: HomeFigures,
  queue: AttentionGroup[],
  sla: SlaRules,
  choice: StoreChoice = { stores: [], current: null },
  now = Date.now(),
): SafeHtml {
  const hours = last24Hours(now);
  const attention = queue.reduce((n, g) => n + g.items.length, 0);
  const health = flowHealth(flowFacts(f, queue, sla, now));

  const perHour = onHours(f.ordersPerHour, hours) as number[];
  const ordersTotal = perHour.reduce((a, b) => a + b, 0);
  const p95 = f.latency.p95Ms;
  const errorSeries = (['erp', 'store'] as const).map((system) => ({
    name: system === 'erp' ? 'ERP' : 'Store',
    values: onHours(
      f.connectorCalls
        .filter((c) => c.system === system && c.calls > 0)
        .map((c) => ({ hour: c.hour, value: (100 * c.errors) / c.calls })),
      hours,
      null,
    ),
  }));
  const callsOf = (s: 'erp' | 'store') => f.lastHourCalls[s];
  const rate = (s: 'erp' | 'store') =>
    callsOf(s).calls === 0
      ? 'no calls'
      : `${((100 * callsOf(s).errors) / callsOf(s).calls).toFixed(1)}% of ${callsOf(s).calls} calls failed`;

  const charts = [
    barChart({
      id: 'chart-orders',
      title: 'Orders per hour',
      hours,
      values: perHour,
      summary: `${ordersTotal} order${ordersTotal === 1 ? '' : 's'} arrived in the last 24 hours.`,
    }),
    lineChart({
      id: 'chart-latency',
      title: 'Webhook → ERP sales order',
      hours,
      series: [
        { name: 'median', values: onHours(f.latencyP50, hours, null) },
        { name: '95th percentile', values: onHours(f.latencyP95, hours, null) },
      ],
      unit: seconds,
      summary:
        p95 === null
          ? 'No order reached the ERP in the last 24 hours.'
          : `${f.latency.reachedErp} order${f.latency.reachedErp === 1 ? '' : 's'} reached the ERP; 95% within ${seconds(p95)} of their webhook (service level ${sla.erpOrder.within}).`,
    }),
    lineChart({
      id: 'chart-sync-lag',
      title: 'Sync lag per flow',
      hours,
      series: f.syncLag.map((s) => ({
        name: s.sync.split(':')[0] ?? s.sync,
        values: onHours(s.points, hours, null),
      })),
      unit: lag,
      summary:
        f.syncLag.length === 0
          ? 'No sync run was recorded in the last 24 hours.'
          : f.syncLag
              .map(
                (s) =>
                  `${s.sync.split(':')[0]}: at most ${lag(Math.max(...s.points.map((p) => p.value)))} behind the ERP`,
              )
              .join('; '),
    }),
    lineChart({
      id: 'chart-errors',
      title: 'ERP and store error rates',
      hours,
      series: errorSeries,
      unit: (v) => `${v.toFixed(0)}%`,
      yMax: niceMax(
        Math.max(10, ...errorSeries.flatMap((s) => s.values.filter((v): v is number => v !== null))),
      ),
      summary: `Last hour: ERP ${rate('erp')}; store ${rate('store')}.`,
    }),
  ];

  return liveRegion(
    'home',
    inStore(choice, '/dashboard'),
    '30s',
    html`${storeChooser(choice, '/dashboard', { all: true })}
      <section class="cards" aria-label="Counts">
        ${card('count-in-flight', 'Orders in flight', f.inFlight)}
        ${card('count-completed', 'Completed today', f.completedToday)}
        ${card(
          'count-attention',
          'Needing attention',
          attention,
          queue.length
            ? html`<ul>
                ${queue.map((g) => html`<li>${g.items.length} × ${g.title}</li>`)}
              </ul>`
            : html`<p class="muted">Nothing needs attention.</p>`,
          '/dashboard/attention',
        )}
        ${card('count-decisions', 'Waiting for a decision', f.waitingForDecision, f.overdueDecisions ? html`<p class="muted">${f.overdueDecisions} overdue</p>` : html``, '/dashboard/decisions')}
      </section>
      <h2>Flows</h2>
      <ul class="flows" id="flows">
        ${health.map(
          (h) =>
            html`<li class="flow ${h.health}" data-flow="${h.flow}">
              <span class="state">${h.health}</span> <strong>${h.label}</strong>
              <p>${h.why}</p>
            </li>`,
        )}
      </ul>
      <h2>Last 24 hours</h2>
      <section class="charts">${raw(charts.join(''))}</section>
      <h2>Orders by status</h2>
      ${
        f.byStatus.length
          ? tableView(
              { id: 'orders' },
              ['Status', 'Orders'],
              f.byStatus.map((r) => [STATUS_WORDS[r.status] ?? r.status, r.n]),
            )
          : html`<p class="empty" id="orders">No orders yet.</p>`
      }`,
  );
}
