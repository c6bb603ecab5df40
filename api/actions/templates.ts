import { templateRepository } from '../../db/notification-templates';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import {
  COMMON_TEMPLATE_PLACEHOLDERS,
  TEMPLATE_SPECS,
  TemplateText,
  placeholdersIn,
  previewValues,
  renderTemplate,
  templateProblems,
  type TemplateSpec,
} from '../../domain/notification-templates';
import { maySeeStore } from '../auth';
import { ApiError, notFound } from '../errors';

const describePlaceholders = (spec: TemplateSpec) =>
  Object.entries({ ...COMMON_TEMPLATE_PLACEHOLDERS, ...spec.placeholders }).map(([name, description]) => ({
    name,
    description,
  }));

/** A template that fails validation is a 400 naming each problem; unknown placeholders have their own code. */
function checked(spec: TemplateSpec, input: { subject: string; body: string }): TemplateText {
  const parsed = TemplateText.safeParse({ subject: input.subject, body: input.body });
  if (!parsed.success)
    throw new ApiError(
      400,
      'TEMPLATE.INVALID',
      parsed.error.issues.map((i) => `body.${i.path.join('.')}: ${i.message}`).join('; '),
    );
  const problems = templateProblems(spec, parsed.data);
  if (problems.length > 0) {
    const unknown = problems.filter((p) => p.code === 'TEMPLATE.UNKNOWN_PLACEHOLDER');
    throw new ApiError(
      400,
      unknown.length > 0 ? 'TEMPLATE.UNKNOWN_PLACEHOLDER' : 'TEMPLATE.SYNTAX',
      problems.map((p) => p.message).join('; '),
      {
        fields: problems.map((p) => `body.${p.field}`),
        ...(unknown.length > 0 ? { placeholders: unknown.map((p) => p.placeholder) } : {}),
      },
    );
  }
  return parsed.data;
}

/**
 * Notification templates, for the REST routes (api/routes/templates.ts) and the dashboard alike:
 * list, read with history, save (validated, a version with who and why) and preview with a real
 * order. This API serves one store: a principal limited to other stores finds no templates here.
 */
export function templateActions({ db, store }: { db: Db; store: string }) {
  const templates = templateRepository(db);
  const inScope = (p: Principal) => {
    if (!maySeeStore(p, store)) throw notFound('STORE.NOT_FOUND', `No store ${store}.`);
  };
  const specOf = (key: string) => {
    const spec = TEMPLATE_SPECS.get(key);
    if (!spec)
      throw notFound(
        'TEMPLATE.NOT_FOUND',
        `No message kind ${key}; the kinds are ${[...TEMPLATE_SPECS.keys()].join(', ')}.`,
      );
    return spec;
  };
  const view = (spec: TemplateSpec, saved: Awaited<ReturnType<typeof templates.current>>) => ({
    key: spec.key,
    audience: spec.audience,
    description: spec.description,
    placeholders: describePlaceholders(spec),
    builtIn: { subject: spec.subject, body: spec.body },
    current: saved ?? { version: 0, subject: spec.subject, body: spec.body, builtIn: true },
  });

  return {
    async list(p: Principal) {
      inScope(p);
      const saved = await templates.currentAll(store);
      return [...TEMPLATE_SPECS.values()].map((spec) => view(spec, saved.get(spec.key) ?? null));
    },
    async get(p: Principal, key: string) {
      inScope(p);
      const spec = specOf(key);
      const [current, history] = await Promise.all([
        templates.current(store, spec.key),
        templates.history(store, spec.key),
      ]);
      return { ...view(spec, current), history };
    },
    async save(p: Principal, key: string, input: { subject: string; body: string; comment?: string }) {
      inScope(p);
      const spec = specOf(key);
      const text = checked(spec, input);
      return templates.save(store, spec.key, text, p.name, input.comment);
    },
    async preview(
      p: Principal,
      key: string,
      input: { orderId: string; subject?: string; body?: string; data?: Record<string, string> },
    ) {
      inScope(p);
      const spec = specOf(key);
      const saved = await templates.current(store, spec.key);
      const text = checked(spec, {
        subject: input.subject ?? saved?.subject ?? spec.subject,
        body: input.body ?? saved?.body ?? spec.body,
      });
      const order = await templates.orderFacts({ store, orderId: input.orderId });
      if (!order) throw notFound('ORDER.NOT_FOUND', `No order ${input.orderId} in store ${store}.`);
      const rendered = renderTemplate(text, previewValues(spec, store, order, input.data));
      return {
        key: spec.key,
        orderId: order.orderId,
        subject: rendered.subject,
        body: rendered.body,
        placeholders: placeholdersIn(text),
        missing: rendered.missing,
        saved: false,
      };
    },
  };
}

export type TemplateActions = ReturnType<typeof templateActions>;
