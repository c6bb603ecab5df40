import { Router } from 'express';
import { z } from 'zod';
import { alertDeliveryRepository } from '../../db/alert-deliveries';
import { alertRepository, alertRoutingConfig, slaRulesConfig } from '../../db/alerts';
import type { Client } from '@temporalio/client';
import type { ConfigVersion } from '../../db/config-versions';
import type { Db } from '../../db/pool';
import { slaRepository } from '../../db/sla';
import { retimeSlaSchedule } from '../../platform/schedules';
import type { Logger } from '../../platform/logger';
import { authenticate, onlyThisStore, principalOf, requireEveryStore, requireRole } from '../auth';
import { notFound, savedOrInvalid, validate } from '../errors';

const SaveConfig = z.object({
  config: z.record(z.string(), z.unknown()),
  comment: z.string().max(500).optional(),
});
const AlertParams = z.object({ id: z.coerce.number().int().positive() });
const BreachQuery = z.object({
  /** `open` (default): breaches still waiting; `all`: resolved ones too. */
  status: z.enum(['open', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * Alerts and service levels: the alert routing (which channel hears which severity, the quiet
 * period) and the SLA thresholds are versioned data that an admin changes; operators read them, the
 * open SLA breaches, and an alert with its deliveries.
 */
export function alertsRouter({
  db,
  store,
  temporal,
  taskQueuePrefix,
  log,
}: {
  db: Db;
  store: string;
  temporal?: Client;
  taskQueuePrefix?: string;
  log?: Logger;
}): Router {
  const router = Router();
  const sla = slaRepository(db);
  const alerts = alertRepository(db);
  const deliveries = alertDeliveryRepository(db);
  router.use(
    ['/config/alerts', '/config/sla', '/alerts', '/sla'],
    authenticate(db),
    requireRole('operator', 'admin'),
  );
  // This API serves one store: a caller limited to other stores finds no alerts or alert settings here.
  router.use(['/config/alerts', '/config/sla', '/alerts', '/sla'], onlyThisStore(store));

  for (const [path, cfg, code] of [
    ['/config/alerts', alertRoutingConfig, 'ALERT_ROUTING.INVALID'],
    ['/config/sla', slaRulesConfig, 'SLA.INVALID'],
  ] as const) {
    router.get(path, async (_req, res) => {
      const [current, history] = await Promise.all([cfg.current(db), cfg.history(db)]);
      res.json({ current: { version: current.version, config: current.value }, history });
    });
    router.put(path, requireRole('admin'), validate({ body: SaveConfig }), async (req, res) => {
      const body = req.body as z.infer<typeof SaveConfig>;
      // Alert routing and service levels apply to every store: only an admin of every store changes them.
      requireEveryStore(req, 'This setting applies to every store; an admin of all stores must change it.');
      const saved = await savedOrInvalid<ConfigVersion<unknown>>(
        () => cfg.save(db, body.config, principalOf(req).name, body.comment),
        code,
        'body.config',
      );
      // A new check interval applies at once to the store's SLA schedule (the worker creates it).
      if (cfg === slaRulesConfig && temporal)
        await retimeSlaSchedule(temporal, {
          store,
          taskQueuePrefix: taskQueuePrefix ?? '',
          every: (saved.value as { checkEvery: string }).checkEvery,
        }).catch((err: unknown) => log?.warn({ err }, 'SLA schedule not retimed; the worker does at start'));
      res.json({ version: saved.version, config: saved.value });
    });
  }

  router.get('/sla/breaches', validate({ query: BreachQuery }), async (req, res) => {
    const q = req.query as unknown as z.infer<typeof BreachQuery>;
    res.json({ breaches: await sla.list({ stores: [store], all: q.status === 'all', limit: q.limit }) });
  });

  router.get('/alerts/:id', validate({ params: AlertParams }), async (req, res) => {
    const { id } = req.params as unknown as z.infer<typeof AlertParams>;
    const alert = await alerts.get(id);
    if (!alert) throw notFound('ALERT.NOT_FOUND', `No alert ${id}.`);
    res.json({ alert, deliveries: await deliveries.forAlert(id) });
  });

  return router;
}
