import express, { Router } from 'express';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Db } from '../../db/pool';
import { authenticate, requireRole } from '../auth';
import { validate } from '../errors';

const JsonPayloads = z.object({
  payloads: z.array(
    z.object({ metadata: z.record(z.string(), z.string()).default({}), data: z.string().default('') }),
  ),
});
type JsonPayloads = z.infer<typeof JsonPayloads>;

const fromJson = (p: JsonPayloads['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * Remote codec endpoint (Temporal's protocol: POST /codec/encode and /codec/decode with JSON payloads)
 * for the Temporal UI and CLI, so operators can read encrypted histories. Only operators and admins
 * may use it: `temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer qk_…"`.
 */
export function codecRouter({
  db,
  codec,
  uiOrigin,
}: {
  db: Db;
  codec: PayloadCodec;
  uiOrigin?: string;
}): Router {
  const router = Router();
  router.use('/codec', (req, res, next) => {
    if (uiOrigin) {
      res.setHeader('Access-Control-Allow-Origin', uiOrigin);
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.sendStatus(204);
      return;
    }
    next();
  });
  const guard = [
    authenticate(db),
    requireRole('operator', 'admin'),
    express.json({ limit: '10mb' }),
    validate({ body: JsonPayloads }),
  ];
  for (const direction of ['encode', 'decode'] as const) {
    router.post(`/codec/${direction}`, ...guard, async (req, res) => {
      const { payloads } = req.body as JsonPayloads;
      const out = await codec[direction](payloads.map(fromJson));
      res.json({ payloads: out.map(toJson) });
    });
  }
  return router;
}
