import { Router } from 'express';
import { z } from 'zod';
import { policyRepository } from '../../db/policies';
import type { Db } from '../../db/pool';
import { rulesRepository } from '../../db/rules';
import { authenticate, maySeeStore, principalOf, requireRole } from '../auth';
import { ApiError, validate } from '../errors';
import { describeZodError } from '../../domain/zod-errors';
import { mappingActions } from '../actions/mappings';

const SaveRules = z.object({
  rules: z.record(z.string(), z.unknown()),
  comment: z.string().max(500).optional(),
});
const ProcessParams = z.object({ process: z.enum(['return', 'customer']) });
const SkuParams = z.object({ storeSku: z.string().min(1).max(200) });
const CustomerParams = z.object({ customerId: z.string().min(1).max(200) });
const LocationParams = z.object({ location: z.string().min(1).max(200) });

/**
 * Configuration as data: business rules (versioned, with who and why), per-store return and
 * new-customer policies, and the identity mappings. Reading needs an operator; changing rules needs
 * an admin; operators may fix mappings (that is how parked orders are resolved too).
 */
export function settingsRouter({ db, store }: { db: Db; store: string }): Router {
  const noStore = () => new ApiError(404, 'STORE.NOT_FOUND', `No store ${store}.`);
  const router = Router();
  const rules = rulesRepository(db);
  const policies = policyRepository(db);
  const mappingEdits = mappingActions({ db, store });
  router.use('/config', authenticate(db), requireRole('operator', 'admin'));
  // This API serves one store: a caller limited to other stores finds no configuration here.
  router.use('/config/policies', (req, _res, next) =>
    next(maySeeStore(principalOf(req), store) ? undefined : noStore()),
  );
  router.use('/config/mappings', (req, _res, next) =>
    next(maySeeStore(principalOf(req), store) ? undefined : noStore()),
  );

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
    if (principalOf(req).stores !== null)
      throw new ApiError(
        403,
        'AUTH.FORBIDDEN',
        'Business rules apply to every store; an admin of all stores must change them.',
      );
    try {
      const saved = await rules.save(body.rules as never, principalOf(req).name, body.comment);
      res.json(saved);
    } catch (err) {
      if (err instanceof z.ZodError) {
        const { message, fields } = describeZodError(err, 'body.rules');
        throw new ApiError(400, 'RULES.INVALID', message, { fields });
      }
      throw err;
    }
  });

  router.get('/config/policies/:process', validate({ params: ProcessParams }), async (req, res) => {
    const { process } = req.params as z.infer<typeof ProcessParams>;
    res.json(await policies.current(store, process));
  });

  router.put(
    '/config/policies/:process',
    requireRole('admin'),
    validate({ params: ProcessParams }),
    async (req, res) => {
      const { process } = req.params as z.infer<typeof ProcessParams>;
      try {
        res.json(await policies.save(store, process, req.body ?? {}, principalOf(req).name));
      } catch (err) {
        if (err instanceof z.ZodError) {
          const { message, fields } = describeZodError(err, 'body');
          throw new ApiError(400, 'POLICY.INVALID', message, { fields });
        }
        throw err;
      }
    },
  );

  router.put(
    '/config/mappings/skus/:storeSku',
    validate({ params: SkuParams, body: z.object({ erpSku: z.string().min(1).max(200) }) }),
    async (req, res) => {
      const { storeSku } = req.params as z.infer<typeof SkuParams>;
      const { erpSku } = req.body as { erpSku: string };
      await mappingEdits.set(principalOf(req), 'sku', storeSku, erpSku);
      res.json({ store, storeSku, erpSku });
    },
  );

  router.put(
    '/config/mappings/customers/:customerId',
    validate({ params: CustomerParams, body: z.object({ erpCustomerId: z.string().min(1).max(200) }) }),
    async (req, res) => {
      const { customerId } = req.params as z.infer<typeof CustomerParams>;
      const { erpCustomerId } = req.body as { erpCustomerId: string };
      await mappingEdits.set(principalOf(req), 'customer', customerId, erpCustomerId);
      res.json({ store, customerId, erpCustomerId });
    },
  );

  router.put(
    '/config/mappings/locations/:location',
    validate({ params: LocationParams, body: z.object({ erpLocation: z.string().min(1).max(200) }) }),
    async (req, res) => {
      const { location } = req.params as z.infer<typeof LocationParams>;
      const { erpLocation } = req.body as { erpLocation: string };
      await mappingEdits.set(principalOf(req), 'location', location, erpLocation);
      res.json({ store, location, erpLocation });
    },
  );

  return router;
}
