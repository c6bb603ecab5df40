import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';

/**
 * Fault injection shared by the sandboxes: an account-wide concurrency limit, a latency
 * distribution, a random error rate and outage windows. The dialect (how a refusal looks on
 * the wire) is the sandbox's own: it passes `reject`.
 */
export const FaultSettings = z.object({
  /** Requests allowed in flight at once; above it the request is refused as throttled. 0 = unlimited. */
  concurrencyLimit: z.number().int().min(0),
  latencyMinMs: z.number().min(0),
  latencyMaxMs: z.number().min(0),
  /** Probability (0..1) that a request fails with a transient server error. */
  errorRate: z.number().min(0).max(1),
  /** Windows during which every request fails as unavailable (ISO timestamps). */
  outages: z.array(z.object({ start: z.string(), end: z.string() })),
});
export type FaultSettings = z.infer<typeof FaultSettings>;

export const FaultPatch = FaultSettings.partial().extend({
  /** Shorthand: an outage starting now and lasting this long. */
  outageForMs: z.number().int().positive().optional(),
});

export type FaultKind = 'throttled' | 'error' | 'outage';

export interface FaultStats {
  /** Requests being served (admitted under the limit). */
  inFlight: number;
  maxInFlight: number;
  /** Requests open at once, refused ones included: what the clients put on the wire. */
  open: number;
  maxOpen: number;
  requests: number;
  throttled: number;
  injectedErrors: number;
  outageRejections: number;
}

export interface FaultInjector {
  middleware: RequestHandler;
  settings(): FaultSettings;
  update(patch: z.infer<typeof FaultPatch>): FaultSettings;
  stats(): FaultStats;
  resetStats(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createFaultInjector(
  initial: FaultSettings,
  reject: (res: Response, kind: FaultKind) => void,
  random: () => number = Math.random,
): FaultInjector {
  let settings = FaultSettings.parse(initial);
  const stats: FaultStats = {
    inFlight: 0,
    maxInFlight: 0,
    open: 0,
    maxOpen: 0,
    requests: 0,
    throttled: 0,
    injectedErrors: 0,
    outageRejections: 0,
  };

  const inOutage = (now: number) =>
    settings.outages.some((o) => Date.parse(o.start) <= now && now < Date.parse(o.end));

  const middleware: RequestHandler = (_req: Request, res: Response, next: NextFunction) => {
    stats.requests++;
    stats.open++;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      stats.open--;
    };
    res.once('finish', close);
    res.once('close', close);
    if (inOutage(Date.now())) {
      stats.outageRejections++;
      reject(res, 'outage');
      return;
    }
    if (settings.concurrencyLimit > 0 && stats.inFlight >= settings.concurrencyLimit) {
      stats.throttled++;
      reject(res, 'throttled');
      return;
    }
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      stats.inFlight--;
    };
    res.once('finish', release);
    res.once('close', release);
    const { latencyMinMs: lo, latencyMaxMs: hi } = settings;
    const delay = hi > lo ? lo + random() * (hi - lo) : lo;
    const failing = settings.errorRate > 0 && random() < settings.errorRate;
    void (async () => {
      if (delay > 0) await sleep(delay);
      if (failing) {
        stats.injectedErrors++;
        reject(res, 'error');
        return;
      }
      next();
    })();
  };

  return {
    middleware,
    settings: () => settings,
    update(patch) {
      const { outageForMs, ...rest } = FaultPatch.parse(patch);
      const outages = [...(rest.outages ?? settings.outages)];
      if (outageForMs)
        outages.push({
          start: new Date().toISOString(),
          end: new Date(Date.now() + outageForMs).toISOString(),
        });
      settings = FaultSettings.parse({ ...settings, ...rest, outages });
      return settings;
    },
    stats: () => ({ ...stats }),
    resetStats() {
      Object.assign(stats, {
        maxInFlight: stats.inFlight,
        maxOpen: stats.open,
        requests: 0,
        throttled: 0,
        injectedErrors: 0,
        outageRejections: 0,
      });
    },
  };
}
