import express, { Router, type Express, type RequestHandler } from 'express';
import client from 'prom-client';

/** Prometheus metrics for the API process: default Node metrics plus request latency by route. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'quayside_api_' });
  const httpDuration = new client.Histogram({
    name: 'quayside_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route =
        (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.path);
      end({ route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
    });
    next();
  };

  const handler: RequestHandler = async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };

  /** GET /metrics behind the given guards (on the API's own port: an authenticated operator). */
  const router = (...guards: RequestHandler[]) => Router().get('/metrics', ...guards, handler);

  /**
   * A listener of its own that serves only /metrics, unauthenticated, for Prometheus: bind it to an
   * address only the scraper reaches (API_METRICS_ADDRESS).
   */
  const standalone = (): Express => {
    const app = express();
    app.disable('x-powered-by');
    app.get('/metrics', handler);
    app.use((_req, res) => {
      res.status(404).json({ code: 'ROUTE.NOT_FOUND', message: 'Only /metrics is served here.' });
    });
    return app;
  };

  return { registry, middleware, router, standalone };
}

export type ApiMetrics = ReturnType<typeof createMetrics>;

/** `host:port` (or `:port`, or a bare port) → where to listen. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(address.trim());
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new Error(`"${address}" is not a host:port address`);
  return { host: m[1] || '127.0.0.1', port };
}
