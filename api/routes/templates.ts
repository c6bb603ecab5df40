import { Router } from 'express';
import { z } from 'zod';
import { templateRepository } from '../../db/notification-templates';
import type { Db } from '../../db/pool';
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
import { authenticate, maySeeStore, principalOf, requireRole } from '../auth';
import { ApiError, notFound, validate } from '../errors';

const KeyParams = z.object({ key: z.string().min(1).max(100) });
const SaveTemplate = z.strictObject({
  subject: z.string().max(300),
  body: z.string().max(5000),
  comment: z.string().max(500).optional(),
});
const PreviewTemplate = z.strictObject({
  /** The storefront order whose facts fill the template. */
  orderId: z.string().min(1).max(200),
  /** An unsaved draft; the saved (or built-in) words when absent. */
  subject: z.string().max(300).optional(),
  body: z.string().max(5000).optional(),
  /** Values for the message-specific placeholders (examples are used for the rest). */
  data: z.record(z.string(), z.string().max(1000)).optional(),
});

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
 * Notification templates: the words buyers, applicants and approvers receive, per store. Operators
 * and admins read, change (each save a version with who and why) and preview them with a real
 * order; the notify activity sends the newest version.
 */
export function templatesRouter({ db, store }: { db: Db; store: string }): Router {
  const router = Router();
  const templates = templateRepository(db);
  router.use('/config/templates', authenticate(db), requireRole('operator', 'admin'));
  // This API serves one store: a caller limited to other stores finds no templates here.
  router.use('/config/templates', (req, _res, next) =>
    next(
      maySeeStore(principalOf(req), store) ? undefined : notFound('STORE.NOT_FOUND', `No store ${store}.`),
    ),
  );
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

  router.get('/config/templates', async (_req, res) => {
    const saved = await templates.currentAll(store);
    res.json({
      templates: [...TEMPLATE_SPECS.values()].map((spec) => view(spec, saved.get(spec.key) ?? null)),
    });
  });

  router.get('/config/templates/:key', validate({ params: KeyParams }), async (req, res) => {
    const spec = specOf((req.params as z.infer<typeof KeyParams>).key);
    const [current, history] = await Promise.all([
      templates.current(store, spec.key),
      templates.history(store, spec.key),
    ]);
    res.json({ ...view(spec, current), history });
  });

  router.put(
    '/config/templates/:key',
    validate({ params: KeyParams, body: SaveTemplate }),
    async (req, res) => {
      const spec = specOf((req.params as z.infer<typeof KeyParams>).key);
      const body = req.body as z.infer<typeof SaveTemplate>;
      const text = checked(spec, body);
      const saved = await templates.save(store, spec.key, text, principalOf(req).name, body.comment);
      res.json(saved);
    },
  );

  router.post(
    '/config/templates/:key/preview',
    validate({ params: KeyParams, body: PreviewTemplate }),
    async (req, res) => {
      const spec = specOf((req.params as z.infer<typeof KeyParams>).key);
      const body = req.body as z.infer<typeof PreviewTemplate>;
      const saved = await templates.current(store, spec.key);
      const text = checked(spec, {
        subject: body.subject ?? saved?.subject ?? spec.subject,
        body: body.body ?? saved?.body ?? spec.body,
      });
      const order = await templates.orderFacts({ store, orderId: body.orderId });
      if (!order) throw notFound('ORDER.NOT_FOUND', `No order ${body.orderId} in store ${store}.`);
      const rendered = renderTemplate(text, previewValues(spec, store, order, body.data));
      res.json({
        key: spec.key,
        orderId: order.orderId,
        subject: rendered.subject,
        body: rendered.body,
        placeholders: placeholdersIn(text),
        missing: rendered.missing,
        saved: false,
      });
    },
  );

  return router;
}
