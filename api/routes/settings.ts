import { Router, type Request, type RequestHandler, type Response } from 'express';
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
/** The store whose own rules are meant; absent: the shared rules. */
const RulesQuery = z.object({ store: z.string().min(1).max(100).optional() });
const ProcessParams = z.object({ process: z.enum(['return', 'customer']) });

/**
 * Configuration as data: business rules (versioned, with who and why; shared, or a store's own),
 * per-store return and new-customer policies, and the identity mappings. Reading needs an operator; changing rules needs
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

  // `?store=` names a store whose own rules are read or saved (as its policies are); without it, the
  // shared rules every store runs by until it saves its own.
  const storeNamed = servedStoreNamed(deps);
  const rulesStore: RequestHandler = (req, res, next) => {
    if (req.query.store === undefined) return next();
    storeNamed(req, res, next);
  };
  const rulesStoreOf = (req: Request, res: Response): string | undefined =>
    req.query.store === undefined ? undefined : storeOfRequest(res);

  router.get('/config/rules', validate({ query: RulesQuery }), rulesStore, async (req, res) => {
    const store = rulesStoreOf(req, res);
    const [current, history] = await Promise.all([rules.current(store), rules.history(store)]);
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

  router.put(
    '/config/rules',
    validate({ query: RulesQuery }),
    rulesStore,
    requireRole('admin'),
    validate({ body: SaveRules }),
    async (req, res) => {
      const body = req.body as z.infer<typeof SaveRules>;
      const store = rulesStoreOf(req, res);
      // The shared rules apply to every store without its own, so only an admin of every store may change them.
      if (store === undefined)
        requireEveryStore(
          req,
          'The shared business rules apply to every store; an admin of all stores must change them.',
        );
      const saved = await savedOrInvalid(
        () => rules.save(body.rules as never, principalOf(req).name, body.comment, store),
        'RULES.INVALID',
        'body.rules',
      );
      res.json(saved);
    },
  );

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
