import { z } from 'zod';
import { DurationText } from './schemas/formats';

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

export const ALERT_CHANNELS = ['slack', 'email'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];
export type AlertEvent = 'raised' | 'reminder' | 'resolved';

/**
 * Who hears about which alert, as data (versioned, with who changed it). The secrets — the Slack
 * webhook URL and the SMTP credentials — come from the environment, never from here.
 */
export const AlertRouting = z.strictObject({
  /** An alert raised again within this long of its last notification sends nothing new. */
  quietPeriod: DurationText.default('4h'),
  channels: z
    .strictObject({
      slack: z
        .strictObject({
          severities: z.array(AlertSeverity).default(['warning', 'critical']),
        })
        .prefault({}),
      email: z
        .strictObject({
          severities: z.array(AlertSeverity).default(['critical']),
          /** Who receives alert emails. */
          to: z.array(z.email()).max(50).default([]),
        })
        .prefault({}),
    })
    .prefault({}),
});
export type AlertRouting = z.infer<typeof AlertRouting>;

export const channelsFor = (routing: AlertRouting, severity: AlertSeverity): AlertChannel[] =>
  ALERT_CHANNELS.filter((c) => routing.channels[c].severities.includes(severity));

/** How a wait is counted: every hour, or business days only (Saturdays and Sundays, UTC, do not count). */
export const SlaCalendar = z.enum(['calendar', 'business']);
export type SlaCalendar = z.infer<typeof SlaCalendar>;

const Check = (within: string, calendar: SlaCalendar = 'calendar') =>
  z
    .strictObject({
      enabled: z.boolean().default(true),
      within: DurationText.default(within),
      calendar: SlaCalendar.default(calendar),
    })
    .prefault({});

/**
 * Service levels per step, as data. The SLA checker reads Quayside's own read models against
 * these; a breach raises a `sla.<rule>` alert and never touches the process itself.
 */
export const SlaRules = z.strictObject({
  /** How often the checker looks. */
  checkEvery: DurationText.default('1m'),
  severity: AlertSeverity.default('warning'),
  /** An order has no ERP sales order this long after its webhook arrived (orders waiting for a decision excepted). */
  erpOrder: Check('2m'),
  /** Nothing left to ship is shipped this long after the order reached the ERP. */
  shipment: Check('3d'),
  /** Shipped quantities not invoiced this long after the last shipment. */
  invoice: Check('2d'),
  /** A sync's last run saw ERP changes older than this. */
  syncLag: Check('15m'),
  /** An order or return decision has waited this long for an approver. */
  decision: Check('4h'),
  /** A new customer's application has waited this long for an approver. */
  customerDecision: Check('1d', 'business'),
  /** Returned goods have arrived and waited this long for inspection. */
  returnInspection: Check('3d'),
});
export type SlaRules = z.infer<typeof SlaRules>;
export const SLA_RULES = [
  'erpOrder',
  'shipment',
  'invoice',
  'syncLag',
  'decision',
  'customerDecision',
  'returnInspection',
] as const satisfies readonly (keyof SlaRules)[];
export type SlaRuleName = (typeof SLA_RULES)[number];

const DAY_MS = 86_400_000;

/**
 * How long a step has waited, in the rule's calendar: every millisecond, or only those on
 * Monday–Friday (UTC) for business-day service levels.
 */
export function slaElapsedMs(since: Date, now: Date, calendar: SlaCalendar): number {
  const total = Math.max(0, now.getTime() - since.getTime());
  if (calendar === 'calendar' || total === 0) return total;
  let counted = 0;
  for (let t = since.getTime(); t < now.getTime();) {
    const dayEnd = Math.floor(t / DAY_MS) * DAY_MS + DAY_MS;
    const until = Math.min(dayEnd, now.getTime());
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) counted += until - t;
    t = until;
  }
  return counted;
}

export interface AlertLinks {
  /** API_PUBLIC_URL: where people reach the dashboard. */
  publicUrl: string;
  /** The Temporal UI, when there is one to link to. */
  temporalUiUrl?: string;
  namespace: string;
}

/** The dashboard page of one alert (and the process it is about). */
export const dashboardAlertPath = (alertId: number) => `/dashboard/attention#alert-${alertId}`;

export function temporalHistoryUrl(links: AlertLinks, workflowId: string): string | undefined {
  if (!links.temporalUiUrl) return undefined;
  return `${links.temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export interface AlertForMessage {
  id: number;
  severity: AlertSeverity;
  kind: string;
  subject: string;
  message: string;
  workflowId: string | null;
}

export interface AlertMessage {
  title: string;
  text: string;
  dashboardUrl: string;
  historyUrl?: string;
}

const EVENT_WORDS: Record<AlertEvent, string> = {
  raised: 'Needs attention',
  reminder: 'Still needs attention',
  resolved: 'Resolved',
};

/** The words and links every channel sends for one event of one alert. */
export function alertMessage(alert: AlertForMessage, event: AlertEvent, links: AlertLinks): AlertMessage {
  const dashboardUrl = `${links.publicUrl.replace(/\/+$/, '')}${dashboardAlertPath(alert.id)}`;
  const historyUrl = alert.workflowId ? temporalHistoryUrl(links, alert.workflowId) : undefined;
  const title = `[${alert.severity}] ${EVENT_WORDS[event]}: ${alert.subject}`;
  const body =
    event === 'resolved' ? `Resolved: the process has resumed. It was: ${alert.message}` : alert.message;
  const lines = [body, `Dashboard: ${dashboardUrl}`];
  if (historyUrl) lines.push(`History: ${historyUrl}`);
  return { title, text: lines.join('\n'), dashboardUrl, ...(historyUrl ? { historyUrl } : {}) };
}

/** A Slack-compatible incoming-webhook body: `text` for notifications, `blocks` for the message. */
export function slackPayload(m: AlertMessage): { text: string; blocks: unknown[] } {
  const links = [`<${m.dashboardUrl}|Open on the dashboard>`];
  if (m.historyUrl) links.push(`<${m.historyUrl}|Process history>`);
  return {
    text: `${m.title}\n${m.text}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${m.title}*\n${m.text.split('\n')[0] ?? ''}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] },
    ],
  };
}

/** Delay before the next attempt after `attempts` failed ones: doubling, capped. */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}
