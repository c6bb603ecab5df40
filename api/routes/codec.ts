import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Db } from '../../db/pool';
import { authenticate, requireRole } from '../auth';
import { ApiError, validate } from '../errors';

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
 * may use it, with either
 * - their API key: `temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer qk_…"`; or
 * - their dashboard sign-in, from the Temporal UI at `uiOrigin` (the browser sends the session cookie
 *   with `credentials: include`). Such a request needs no CSRF token: it is accepted only with that
 *   Origin, which a browser sets itself and only after a CORS preflight this router answers for that
 *   origin alone. Every request with any other Origin is refused, whatever it carries.
 * Only the deployment's namespace is served (the UI and CLI send it as X-Namespace).
 */
export function codecRouter({
  db,
  codec,
  session,
  namespace,
  uiOrigin,
}: {
  db: Db;
  codec: PayloadCodec;
  /** Reads the dashboard session cookie (without the CSRF check) into `req.sessionPrincipal`. */
  session: RequestHandler[];
  namespace: string;
  uiOrigin?: string;
}): Router {
  const router = Router();
  const readSession = Router();
  readSession.use(...session);
  router.use('/codec', (req, res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== uiOrigin) {
      next(
        new ApiError(
          403,
          'CODEC.ORIGIN_NOT_ALLOWED',
          'The codec endpoint answers only the Temporal UI this deployment is configured with.',
        ),
      );
      return;
    }
    if (uiOrigin) {
      res.setHeader('Access-Control-Allow-Origin', uiOrigin);
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Max-Age', '600');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.sendStatus(204);
      return;
    }
    const asked = req.headers['x-namespace'];
    if (typeof asked === 'string' && asked !== '' && asked !== namespace) {
      next(
        new ApiError(
          403,
          'CODEC.NAMESPACE_NOT_SERVED',
          `This codec endpoint serves the namespace ${namespace} only.`,
        ),
      );
      return;
    }
    next();
  });
  /** The session is read only for a cookie request from the allowed Origin; an API key is checked as usual. */
  const sessionFromUi: RequestHandler = (req, res, next) => {
    const presentsKey = Boolean(req.headers.authorization || req.headers['x-api-key']);
    if (presentsKey || !uiOrigin || req.headers.origin !== uiOrigin) {
      next();
      return;
    }
    readSession(req, res, next);
  };
  const guard = [
    sessionFromUi,
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
