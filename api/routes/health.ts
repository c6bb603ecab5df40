import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';

async function timed(
  check: () => Promise<unknown>,
): Promise<{ status: 'ok' | 'down'; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2s')), 2_000)),
    ]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      error: (err as Error).message,
    };
  }
}

export function healthRouter({ temporal, db }: { temporal: Client; db: Db }): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const [temporalCheck, postgres] = await Promise.all([
      timed(() => temporal.connection.workflowService.getSystemInfo({})),
      timed(() => db.query('SELECT 1')),
    ]);
    const ok = temporalCheck.status === 'ok' && postgres.status === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', temporal: temporalCheck, postgres });
  });
  return router;
}
