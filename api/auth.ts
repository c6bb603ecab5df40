import type { RequestHandler } from 'express';
import type { ApprovalRecord } from '../db/approvals';
import type { Db } from '../db/pool';
import {
  parseApiKey,
  principalOfKey,
  principalRepository,
  type ActiveKey,
  type Principal,
  type Role,
} from '../db/principals';
import {
  APPROVAL_FAILURE,
  approvalLimitProblem,
  decisionAmount,
  type Decision,
  type DecisionInput,
} from '../domain/approvals';
import { guardFor } from './brute-force';
import { ApiError } from './errors';
import { servedStores, type StoresView } from './stores';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The authenticated caller, set by `authenticate`. */
      principal?: Principal;
    }
  }
}

function presentedKey(header: string | undefined, apiKeyHeader: string | undefined): string | null {
  if (apiKeyHeader) return apiKeyHeader.trim();
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return m?.[1] ?? null;
}

/**
 * The active API keys and the failed-authentication counters held in memory, kept exactly fresh by
 * the change log (the quote cache, db/quote-cache.ts): `fresh` waits for a check that began after it
 * was called, and the readers answer as of the last check.
 */
export interface KeysInMemory {
  fresh(): Promise<void>;
  activeKey(keyId: string): ActiveKey | undefined;
  failureCount(rateLimiterKey: string): { consumedPoints: number; msBeforeNext: number } | null;
}

function memoryVerify(keys: KeysInMemory, apiKey: string): Principal | null {
  const parsed = parseApiKey(apiKey);
  return parsed ? principalOfKey(keys.activeKey(parsed.keyId), parsed.secret) : null;
}

/**
 * API-key authentication: `Authorization: Bearer qk_<id>_<secret>` (or `X-Api-Key`). The key is
 * checked against its stored hash; an unknown, revoked or malformed key is a 401 that says nothing
 * more. With `keys`, the key and the failure counters are read from memory instead of Postgres.
 */
export function authenticate(db: Db, opts: { keys?: KeysInMemory } = {}): RequestHandler {
  const principals = principalRepository(db);
  const { keys } = opts;
  const handler: RequestHandler = async (req, res, next) => {
    // With the keys in memory, first a check of what changed that began after the request arrived:
    // a key revoked (or a failure counted) before then is known when it is answered.
    if (keys) await keys.fresh();
    const key = presentedKey(req.headers.authorization, req.headers['x-api-key'] as string | undefined);
    // A signed-in browser session (api/session.ts) is the same principal; its state changes are CSRF-checked there.
    if (!key && req.sessionPrincipal) {
      req.principal = req.sessionPrincipal;
      next();
      return;
    }
    // A presented key counts against its key id and the caller's address when it fails.
    const guard = guardFor(db);
    const keyId = key ? (parseApiKey(key)?.keyId ?? null) : null;
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    // The refusal and the key are looked up together (one round trip, not two in a row); a key id or
    // address over its allowance is refused even with the right secret.
    const [blocked, principal] = !key
      ? [null, null]
      : keys
        ? [guard.refusalIn(res, keyId, address, (k) => keys.failureCount(k)), memoryVerify(keys, key)]
        : await Promise.all([guard.refusal(res, keyId, address), principals.verify(key)]);
    if (blocked) return next(blocked);
    if (!principal) {
      const over = key ? await guard.failed(res, keyId, address) : null;
      if (over) return next(over);
      res.setHeader('WWW-Authenticate', 'Bearer realm="quayside"');
      next(
        new ApiError(
          401,
          'AUTH.UNAUTHENTICATED',
          'A valid API key is required: Authorization: Bearer qk_<id>_<secret>.',
        ),
      );
      return;
    }
    if (keyId) await principals.touch(keyId);
    req.principal = principal;
    next();
  };
  return Object.assign(handler, { openapi: { authenticated: true } });
}

export function requireRole(...roles: Role[]): RequestHandler {
  const handler: RequestHandler = (req, _res, next) => {
    const p = req.principal;
    if (!p || !roles.includes(p.role)) {
      next(new ApiError(403, 'AUTH.FORBIDDEN', `This needs the role ${roles.join(' or ')}.`));
      return;
    }
    next();
  };
  return Object.assign(handler, { openapi: { roles } });
}

export const principalOf = (req: { principal?: Principal }): Principal => {
  if (!req.principal) throw new ApiError(401, 'AUTH.UNAUTHENTICATED', 'Not authenticated.');
  return req.principal;
};

/** Whether a principal may see something in this store (null scope = every store). */
export const maySeeStore = (p: Principal, store: string | null) =>
  p.stores === null || (store !== null && p.stores.includes(store));

/**
 * For routes of the API's one store: a caller limited to other stores finds nothing here (404
 * `STORE.NOT_FOUND`). Goes after `authenticate`.
 */
export const onlyThisStore =
  (store: string): RequestHandler =>
  (req, _res, next) =>
    next(
      maySeeStore(principalOf(req), store)
        ? undefined
        : new ApiError(404, 'STORE.NOT_FOUND', `No store ${store}.`),
    );

/**
 * For routes of one store's configuration and reports: the store `?store=` names (the API's primary
 * store when absent), kept in `res.locals.store`. A store this API does not serve, or one outside
 * the caller's stores, is not found (404 `STORE.NOT_FOUND`). Goes after `authenticate`.
 */
export const namedStore =
  (primary: string, served: readonly string[] = [primary]): RequestHandler =>
  (req, res, next) => {
    const named = typeof req.query.store === 'string' && req.query.store !== '' ? req.query.store : primary;
    if (!served.includes(named) || !maySeeStore(principalOf(req), named))
      return next(new ApiError(404, 'STORE.NOT_FOUND', `No store ${named}.`));
    res.locals.store = named;
    next();
  };

/** The store `namedStore` chose for this request. */
export const storeOfRequest = (res: { locals: Record<string, unknown> }): string =>
  res.locals.store as string;

/** What a route of each store's configuration or reports is built from: the database and the stores served. */
export type StoreRouteDeps = { db: Db } & Pick<StoresView, 'store' | 'shops'>;

/** `namedStore` over every store this API serves. Goes after `authenticate`. */
export const servedStoreNamed = (deps: Pick<StoresView, 'store' | 'shops'>): RequestHandler =>
  namedStore(deps.store, servedStores(deps));

/**
 * The set-up of a route of each store's configuration or reports: a signed-in operator or admin, and
 * the store `?store=` names among those served (`namedStore`; `storeOfRequest` tells which).
 */
export const storeOperators = (deps: StoreRouteDeps): RequestHandler[] => [
  authenticate(deps.db),
  requireRole('operator', 'admin'),
  servedStoreNamed(deps),
];

/** A setting that applies to every store: only an admin of every store may change it (403 otherwise). */
export function requireEveryStore(req: { principal?: Principal }, message: string): void {
  if (principalOf(req).stores !== null) throw new ApiError(403, 'AUTH.FORBIDDEN', message);
}

/** Whether a principal may see an approval at all: its kind and its store are in the principal's scope. */
export const maySeeApproval = (p: Principal, a: Pick<ApprovalRecord, 'kind' | 'store'>) =>
  (p.approvalKinds === null || p.approvalKinds.includes(a.kind)) && maySeeStore(p, a.store);

export const decidedBy = (p: Principal): DecisionInput['decidedBy'] => ({
  userId: p.id,
  name: p.name,
  role: p.role,
  approvalLimit: p.approvalLimit,
});

/** Why the principal may not make this decision on this (visible) approval: role, then limit; null when allowed. */
export function decisionRefusal(
  p: Principal,
  a: Pick<ApprovalRecord, 'kind' | 'amount' | 'currency'>,
  decision: Pick<Decision, 'outcome' | 'amount' | 'creditLimit'>,
): { code: string; message: string } | null {
  if (p.role === 'operator')
    return {
      code: 'APPROVAL.ROLE_NOT_ALLOWED',
      message: `Operators may not decide ${a.kind} approvals; an approver or admin must.`,
    };
  const limit = approvalLimitProblem(decidedBy(p), decisionAmount(a.amount, decision), a.currency);
  if (!limit) return null;
  return {
    code:
      limit.failure === APPROVAL_FAILURE.currencyMismatch
        ? 'APPROVAL.CURRENCY_MISMATCH'
        : 'APPROVAL.LIMIT_EXCEEDED',
    message: limit.message,
  };
}
