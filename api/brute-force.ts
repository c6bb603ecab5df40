import type { Response } from 'express';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/pool';
import { ApiError } from './errors';

/** Failed authentications answered 401 in a window, per key id and per client address; the next attempt is 429. */
export interface AuthFailureLimits {
  perKey: number;
  perAddress: number;
  windowSeconds: number;
  /** Separates counters of independent deployments sharing one database (tests); default "auth". */
  namespace?: string;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = {
  perKey: 10,
  perAddress: 30,
  windowSeconds: 900,
};

/**
 * Brute-force protection: failed authentications are counted in Postgres (shared by every API
 * process) per key id and per client address. Past the allowance every attempt from that key id or
 * address is answered 429 with Retry-After until the window ends, even with the right secret.
 */
export function authFailureGuard(db: Db, limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS) {
  const make = (prefix: string, points: number) =>
    new RateLimiterPostgres({
      storeClient: db,
      storeType: 'pool',
      tableName: 'auth_failures',
      tableCreated: true,
      keyPrefix: `${limits.namespace ?? 'auth'}:${prefix}`,
      points,
      duration: limits.windowSeconds,
      blockDuration: limits.windowSeconds,
    });
  const byKey = make('key', limits.perKey);
  const byAddress = make('addr', limits.perAddress);
  const keysOf = (keyId: string | null, address: string) => [
    ...(keyId ? [[byKey, keyId] as const] : []),
    [byAddress, address] as const,
  ];

  const tooMany = (res: Response, msBeforeNext: number) => {
    const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    res.setHeader('Retry-After', String(seconds));
    return new ApiError(
      429,
      'AUTH.TOO_MANY_FAILURES',
      `Too many failed sign-in attempts; try again in ${seconds} seconds.`,
    );
  };

  return {
    /** A 429 to answer before checking the key, when this key id or address is already over its allowance. */
    async refusal(res: Response, keyId: string | null, address: string): Promise<ApiError | null> {
      const checks = keysOf(keyId, address);
      const states = await Promise.all(checks.map(([limiter, k]) => limiter.get(k)));
      const over = states.find((state, i) => state && state.consumedPoints >= checks[i]![0].points);
      return over ? tooMany(res, over.msBeforeNext) : null;
    },
    /**
     * The same refusal as `refusal`, read from counters held in memory: `count` answers with a
     * counter as of a check of the database that began after the request arrived (db/quote-cache.ts).
     */
    refusalIn(
      res: Response,
      keyId: string | null,
      address: string,
      count: (rateLimiterKey: string) => { consumedPoints: number; msBeforeNext: number } | null,
    ): ApiError | null {
      for (const [limiter, k] of keysOf(keyId, address)) {
        const state = count(limiter.getKey(k));
        if (state && state.consumedPoints >= limiter.points) return tooMany(res, state.msBeforeNext);
      }
      return null;
    },
    /** Counts one failure; a 429 when this failure used up the allowance, else null (answer 401). */
    async failed(res: Response, keyId: string | null, address: string): Promise<ApiError | null> {
      let over: RateLimiterRes | null = null;
      for (const [limiter, k] of keysOf(keyId, address)) {
        try {
          await limiter.consume(k);
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          over = err;
        }
      }
      return over ? tooMany(res, over.msBeforeNext) : null;
    },
  };
}

export type AuthFailureGuard = ReturnType<typeof authFailureGuard>;

const guards = new WeakMap<Db, AuthFailureGuard>();

/** The guard every `authenticate` on this database shares (set up by `createApp`). */
export function guardFor(db: Db, limits?: AuthFailureLimits): AuthFailureGuard {
  let guard = guards.get(db);
  if (!guard || limits) {
    guard = authFailureGuard(db, limits);
    guards.set(db, guard);
  }
  return guard;
}
