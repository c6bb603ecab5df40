import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../../db/principals';
import { principalOf, storeOfRequest, storeOperators, type StoreRouteDeps } from '../auth';
import { templateActions } from '../actions/templates';
import { validate } from '../errors';

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

/**
 * Notification templates: the words buyers, applicants and approvers receive, per store. Operators
 * and admins read, change (each save a version with who and why) and preview them with a real
 * order; the notify activity sends the newest version.
 */
export function templatesRouter(deps: StoreRouteDeps): Router {
  const router = Router();
  // Each store's templates are its own (`?store=`, default the primary store).
  router.use('/config/templates', ...storeOperators(deps));
  const templatesOf = (res: Response) => templateActions({ db: deps.db, store: storeOfRequest(res) });

  router.get('/config/templates', async (req, res) => {
    res.json({ templates: await templatesOf(res).list(principalOf(req)) });
  });

  router.get('/config/templates/:key', validate({ params: KeyParams }), async (req, res) => {
    res.json(await templatesOf(res).get(principalOf(req), (req.params as z.infer<typeof KeyParams>).key));
  });

  /** A route on one template, named by key, whose body `Body` checks; answers what `act` returns. */
  const onTemplate = <B>(
    Body: z.ZodType<B>,
    act: (t: ReturnType<typeof templateActions>, p: Principal, key: string, body: B) => Promise<unknown>,
  ) =>
    [
      validate({ params: KeyParams, body: Body }),
      async (req: Request, res: Response) => {
        res.json(
          await act(
            templatesOf(res),
            principalOf(req),
            (req.params as z.infer<typeof KeyParams>).key,
            req.body as B,
          ),
        );
      },
    ] as const;
  router.put(
    '/config/templates/:key',
    ...onTemplate(SaveTemplate, (t, p, key, body) => t.save(p, key, body)),
  );
  router.post(
    '/config/templates/:key/preview',
    ...onTemplate(PreviewTemplate, (t, p, key, body) => t.preview(p, key, body)),
  );

  return router;
}
