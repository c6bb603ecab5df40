import { Router } from 'express';
import { z } from 'zod';
import { policyRepository } from '../../db/policies';
import { rulesRepository } from '../../db/rules';
import {
  authenticate,
  principalOf,
  requireEveryStore,
  requireRole,
  servedStoreNamed,
  storeOfRequest,
  type StoreRouteDeps,
} from '../auth';
import { savedOrInvalid, validate } from '../errors';
import { mappingActions } from '../actions/mappings';

const SaveRules = z.object({
  rules: z.record(z.string(), z.unknown()),
  comment: z.string().max(500).optional(),
});
const ProcessParams = z.object({ process: z.enum(['return', 'customer']) });

/**
 * Configuration as data: business rules (versioned, with who and why), per-store return and
 * new-customer policies, and the identity mappings. Reading needs an operator; changing rules needs
 * an admin; operators may fix mappings (that is how parked orders are resolved too).
 */
export function settingsRouter(deps: StoreRouteDeps): Router {
  const { db, store } = deps;
  const router = Router();
  const rules = rulesRepository(db);
  const policies = policyRepository(db);
  const mappingEdits = mappingActions({ db, store });
  router.use('/config', authenticate(db), requireRole('operator', 'admin'));
  // Each store's policies and mappings are its own (`?store=`, default the primary store): a caller
  // limited to other stores finds none here.
  router.use(['/config/policies', '/config/mappings'], servedStoreNamed(deps));

  router.get('/config/rules', async (_req, res) => {
    const [current, history] = await Promise.all([rules.current(), rules.history()]);
    res.json({
      current,
      history: history.map(({ version, createdAt, createdBy, comment }) => ({
        version,
        createdAt,
        createdBy,
        comment,
      })),
    });
  });

  router.put('/config/rules', requireRole('admin'), validate({ body: SaveRules }), async (req, res) => {
    const body = req.body as z.infer<typeof SaveRules>;
    // Business rules apply to every store, so only an admin of every store may change them.
    requireEveryStore(req, 'Business rules apply to every store; an admin of all stores must change them.');
    const saved = await savedOrInvalid(
      () => rules.save(body.rules as never, principalOf(req).name, body.comment),
      'RULES.INVALID',
      'body.rules',
    );
    res.json(saved);
  });

  router.get('/config/policies/:process', validate({ params: ProcessParams }), async (req, res) => {
    const { process } = req.params as z.infer<typeof ProcessParams>;
    res.json(await policies.current(storeOfRequest(res), process));
  });

  router.put(
    '/config/policies/:process',
    requireRole('admin'),
    validate({ params: ProcessParams }),
    async (req, res) => {
      const { process } = req.params as z.infer<typeof ProcessParams>;
      res.json(
        await savedOrInvalid(
          () => policies.save(storeOfRequest(res), process, req.body ?? {}, principalOf(req).name),
          'POLICY.INVALID',
          'body',
        ),
      );
    },
  );

  // Each mapping ties one store identifier to its ERP counterpart: PUT the ERP side, get both back.
  for (const [path, kind, storeField, erpField] of [
    ['skus', 'sku', 'storeSku', 'erpSku'],
    ['customers', 'customer', 'customerId', 'erpCustomerId'],
    ['locations', 'location', 'location', 'erpLocation'],
  ] as const) {
    const Params = z.object({ [storeField]: z.string().min(1).max(200) });
    const Body = z.object({ [erpField]: z.string().min(1).max(200) });
    router.put(
      `/config/mappings/${path}/:${storeField}`,
      validate({ params: Params, body: Body }),
      async (req, res) => {
        const storeId = (req.params as Record<string, string>)[storeField]!;
        const erpId = (req.body as Record<string, string>)[erpField]!;
        const of = storeOfRequest(res);
        await mappingEdits.set(principalOf(req), kind, storeId, erpId, of);
        res.json({ store: of, [storeField]: storeId, [erpField]: erpId });
      },
    );
  }

  return router;
}
