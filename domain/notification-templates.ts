import { z } from 'zod';
import BUILT_IN_WORDS from './notification-templates.json';
import type { Notification } from './notifications';

/**
 * Notification templates as data: the words buyers, applicants and approvers receive, edited by
 * operators. A template is a subject and a body with `{{placeholder}}`s; each kind of message names
 * the placeholders it can fill, and a template using any other is refused. Without a saved
 * template a message goes out in the process's own words (the built-in text shown here).
 */

export type TemplateAudience = 'buyer' | 'applicant' | 'approver';

/** What every message about an order can say (filled from the order read model when the message names an order). */
const ORDER_PLACEHOLDERS = {
  orderId: 'the storefront order id',
  orderNumber: 'the order number the buyer sees, e.g. #1001',
  poNumber: 'the buyer’s purchase order number',
  orderTotal: 'the order total',
  currency: 'the order’s currency',
} as const;

const COMMON_PLACEHOLDERS = {
  recipientName: 'the name of the person the message is for',
  store: 'the store',
  customerId: 'the storefront customer id',
  ...ORDER_PLACEHOLDERS,
} as const;

export interface TemplateSpec {
  key: string;
  audience: TemplateAudience;
  description: string;
  /** The message-specific placeholders (the common ones are always allowed), with what they hold. */
  placeholders: Record<string, string>;
  /** Example values for a preview when no real data is at hand. */
  sample: Record<string, string>;
  /** The built-in words (what is sent while no template is saved), written with placeholders. */
  subject: string;
  body: string;
}

const APPROVAL_PLACEHOLDERS = {
  summary: 'what is to be decided, e.g. "Order #1001 over credit limit"',
  amount: 'the amount at stake',
  approvalId: 'the approval’s id',
  approvalKind: 'order, return or customer',
  link: 'where the approver decides',
};
const APPROVAL_SAMPLE = {
  summary: 'Order #1001 is over the credit limit',
  amount: '12500.00',
  approvalId: 'order:shop:1001:credit:1',
  approvalKind: 'order',
  link: 'https://quayside.example/approvals/order%3Ashop%3A1001%3Acredit%3A1',
};

const approvalSpec = (stage: string, description: string, verb: string): TemplateSpec => ({
  key: `approval.${stage}`,
  audience: 'approver',
  description,
  placeholders: APPROVAL_PLACEHOLDERS,
  sample: APPROVAL_SAMPLE,
  subject: `${verb}: {{summary}} ({{amount}} {{currency}})`,
  body: '{{summary}} ({{amount}} {{currency}}). Approval {{approvalId}} waits for your decision.',
});

/**
 * The built-in words of every message but the approvals' (which differ only by stage, above): data in
 * notification-templates.json, each with its placeholders and a sample of each, checked here as it loads.
 */
const BuiltInSpec = z.strictObject({
  key: z.string().min(1),
  audience: z.enum(['buyer', 'applicant', 'approver']),
  description: z.string().min(1),
  placeholders: z.record(z.string(), z.string()),
  sample: z.record(z.string(), z.string()),
  subject: z.string().min(1),
  body: z.string().min(1),
});

const SPECS: TemplateSpec[] = [
  approvalSpec('requested', 'An approver is asked for a decision.', 'Decision needed'),
  approvalSpec(
    'reminder',
    'A decision is still waiting after the reminder delay.',
    'Reminder: decision still needed',
  ),
  approvalSpec('escalation', 'A decision is overdue and escalated to admins.', 'Escalated: decision overdue'),
  ...z.array(BuiltInSpec).parse(BUILT_IN_WORDS),
];

export const TEMPLATE_SPECS: ReadonlyMap<string, TemplateSpec> = new Map(SPECS.map((s) => [s.key, s]));
export const COMMON_TEMPLATE_PLACEHOLDERS: Record<string, string> = COMMON_PLACEHOLDERS;
const COMMON_SAMPLE: Record<string, string> = {
  recipientName: 'Alex Buyer',
  store: 'shop',
  customerId: '1001',
  orderId: '1001',
  orderNumber: '#1001',
  poNumber: 'PO-1001',
  orderTotal: '250.00',
  currency: 'USD',
};

/** The template a message kind uses: `customer.infoRequested.2` (one per round) → `customer.infoRequested`. */
export function templateKeyOf(kind: string): string | undefined {
  if (TEMPLATE_SPECS.has(kind)) return kind;
  const base = kind.replace(/\.\d+$/, '');
  return TEMPLATE_SPECS.has(base) ? base : undefined;
}

/** Every placeholder a template of this key may use. */
export const allowedPlaceholders = (spec: TemplateSpec): string[] => [
  ...Object.keys(COMMON_PLACEHOLDERS),
  ...Object.keys(spec.placeholders),
];

export const TemplateText = z.strictObject({
  subject: z.string().trim().min(1).max(300),
  body: z.string().trim().min(1).max(5000),
});
export type TemplateText = z.infer<typeof TemplateText>;

export type TemplateProblem =
  | { code: 'TEMPLATE.SYNTAX'; field: 'subject' | 'body'; message: string }
  | { code: 'TEMPLATE.UNKNOWN_PLACEHOLDER'; field: 'subject' | 'body'; placeholder: string; message: string };

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** What is wrong with a template (nothing: an empty list): stray braces, bad names, placeholders this kind cannot fill. */
export function templateProblems(spec: TemplateSpec, t: TemplateText): TemplateProblem[] {
  const allowed = new Set(allowedPlaceholders(spec));
  const problems: TemplateProblem[] = [];
  for (const field of ['subject', 'body'] as const) {
    const text = t[field];
    const rest = text.replace(TOKEN, '');
    if (rest.includes('{{') || rest.includes('}}'))
      problems.push({
        code: 'TEMPLATE.SYNTAX',
        field,
        message: `${field}: a "{{" or "}}" is not part of a {{placeholder}}`,
      });
    for (const m of text.matchAll(TOKEN)) {
      const name = m[1] ?? '';
      if (!NAME.test(name)) {
        problems.push({
          code: 'TEMPLATE.SYNTAX',
          field,
          message: `${field}: "{{${name}}}" is not a placeholder name (letters and digits)`,
        });
      } else if (!allowed.has(name)) {
        problems.push({
          code: 'TEMPLATE.UNKNOWN_PLACEHOLDER',
          field,
          placeholder: name,
          message: `${field}: {{${name}}} is not a placeholder of ${spec.key}; it may use ${[...allowed].join(', ')}`,
        });
      }
    }
  }
  return problems;
}

/** The placeholders a template uses. */
export const placeholdersIn = (t: TemplateText): string[] => [
  ...new Set([...`${t.subject}\n${t.body}`.matchAll(TOKEN)].map((m) => m[1] ?? '')),
];

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;

/** Fills a template; a placeholder without a value is left empty (and listed in `missing`). */
export function renderTemplate(
  t: TemplateText,
  values: Record<string, unknown>,
): { subject: string; body: string; missing: string[] } {
  const missing = new Set<string>();
  const fill = (s: string) =>
    s.replace(TOKEN, (_all, name: string) => {
      const v = text(values[name]);
      if (v === undefined || v === '') missing.add(name);
      return v ?? '';
    });
  return { subject: fill(t.subject), body: fill(t.body), missing: [...missing] };
}

/** The order facts a message can quote, from the order read model. */
export interface OrderFacts {
  orderId: string;
  orderNumber: string | null;
  poNumber: string | null;
  orderTotal: string | null;
  currency: string | null;
  customerId: string | null;
}

const orderValues = (o: OrderFacts | null): Record<string, unknown> =>
  o
    ? {
        orderId: o.orderId,
        orderNumber: o.orderNumber,
        poNumber: o.poNumber,
        orderTotal: o.orderTotal,
        currency: o.currency,
        customerId: o.customerId,
      }
    : {};

/** The values a notification fills its template with: its own data, its recipient, and its order's facts. */
export function notificationValues(n: Notification, store: string | null, order: OrderFacts | null) {
  const data = n.data ?? {};
  return {
    ...orderValues(order),
    store,
    recipientName: n.recipient.name ?? null,
    customerId: (data.customerId as string | undefined) ?? order?.customerId ?? n.recipient.id ?? null,
    ...data,
    // The approval's own kind travels as `kind` in its data; the template calls it approvalKind.
    ...(n.kind.startsWith('approval.') ? { approvalKind: data.kind } : {}),
  } as Record<string, unknown>;
}

/** A preview's values: example values, then the real order's facts, then whatever the caller gives. */
export function previewValues(
  spec: TemplateSpec,
  store: string,
  order: OrderFacts,
  data: Record<string, string> = {},
) {
  return { ...COMMON_SAMPLE, ...spec.sample, store, ...stripNull(orderValues(order)), ...data };
}

const stripNull = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
