import type { Express, RequestHandler } from 'express';
import { z } from 'zod';

interface OpenApiMeta {
  schemas?: { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType };
  authenticated?: boolean;
  roles?: string[];
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Layer[] };
  handle: RequestHandler & { stack?: Layer[]; openapi?: OpenApiMeta };
  rawPath?: string;
}

interface RouteDoc {
  method: string;
  path: string;
  meta: OpenApiMeta[];
}

const SUMMARIES: Record<string, string> = {
  'post /webhooks/shopify':
    'Shopify webhook (HMAC-verified, deduplicated; invalid payloads are dead-lettered)',
  'get /health': 'Health of the API, Temporal and PostgreSQL',
  'get /metrics': 'Prometheus metrics',
  'get /dashboard': 'Operations dashboard (HTML)',
  'get /openapi.json': 'This document',
  'get /sla/breaches': 'SLA breaches the SLA checker found (open ones, or all)',
  'get /reconcile/reports': "The reconciliation's latest reports: what each pass found and repaired",
  'get /reconcile/reports/:id':
    'One reconciliation report with every finding: repaired, or not repaired and why',
  'get /config/rules':
    "The business rules with their versions: a store's own (`?store=`; the shared ones until it saves any), else the shared",
  'put /config/rules':
    "Save business rules as a new version: a store's own (`?store=`, admin of that store), else the shared (admin of every store)",
  'get /config/sla': 'The SLA rules per step, with their versions',
  'put /config/sla': 'Save the SLA rules as a new version (admin of every store)',
  'get /config/templates': 'Every notification template of this store, with its placeholders',
  'get /config/templates/:key': 'One notification template, with every version (who changed what)',
  'put /config/templates/:key':
    'Save a notification template as a new version (unknown placeholders refused)',
  'get /config/flows': 'The per-flow switches of this store, with who changed what (before and after)',
  'put /config/flows':
    'Change per-flow switches (on/off, one-way or two-way); flows left out keep theirs (admin)',
  'post /config/templates/:key/preview':
    'Render a template (saved or a draft) with a real order, without saving',
};

const joinPath = (prefix: string, path: string | undefined) => {
  const p = !path || path === '/' ? '' : path;
  return `${prefix}${p}` || '/';
};

/** Every route of the app, with the validation and authorization metadata of its middleware. */
function routes(app: Express): RouteDoc[] {
  const out: RouteDoc[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    const mounted: { path: string; meta: OpenApiMeta }[] = [];
    for (const layer of stack) {
      if (layer.route) {
        const path = joinPath(prefix, layer.route.path);
        const inherited = mounted
          .filter((m) => path === m.path || path.startsWith(`${m.path}/`))
          .map((m) => m.meta);
        const own = layer.route.stack
          .map((l) => l.handle.openapi)
          .filter((m): m is OpenApiMeta => m !== undefined);
        for (const method of Object.keys(layer.route.methods))
          out.push({ method, path, meta: [...inherited, ...own] });
      } else if (layer.handle.stack) {
        walk(
          layer.handle.stack,
          joinPath(prefix, typeof layer.rawPath === 'string' ? layer.rawPath : '/').replace(/\/$/, ''),
        );
      } else if (layer.handle.openapi && typeof layer.rawPath === 'string') {
        mounted.push({ path: joinPath(prefix, layer.rawPath), meta: layer.handle.openapi });
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;

function parameters(where: 'path' | 'query', schema: z.ZodType | undefined, path: string) {
  const names = where === 'path' ? [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!) : [];
  const json = schema ? jsonSchema(schema) : undefined;
  const properties = (json?.properties ?? {}) as Record<string, unknown>;
  const required = new Set((json?.required as string[] | undefined) ?? []);
  const keys = where === 'path' ? names : Object.keys(properties);
  return keys.map((name) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: properties[name] ?? { type: 'string' },
  }));
}

const ERROR = {
  type: 'object',
  required: ['code', 'message', 'requestId'],
  properties: {
    code: { type: 'string', examples: ['ORDER.NOT_FOUND'] },
    message: { type: 'string' },
    requestId: { type: 'string' },
    details: {},
  },
};

/** The OpenAPI 3.1 description of the API, read off the routes and the zod schemas that validate them. */
export function openApiDocument(app: Express): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes(app)) {
    const schemas = Object.assign({}, ...r.meta.map((m) => m.schemas ?? {})) as NonNullable<
      OpenApiMeta['schemas']
    >;
    const roles = r.meta.flatMap((m) => m.roles ?? []);
    const secured = r.meta.some((m) => m.authenticated);
    const openPath = r.path.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, unknown> = { '200': { description: 'OK' } };
    if (schemas.body || schemas.query || schemas.params)
      responses['400'] = {
        description: 'A field is invalid; the message names it',
        content: { 'application/json': { schema: ERROR } },
      };
    if (secured)
      responses['401'] = {
        description: 'No valid API key',
        content: { 'application/json': { schema: ERROR } },
      };
    if (roles.length > 0)
      responses['403'] = {
        description: `Needs the role ${roles.join(' or ')}`,
        content: { 'application/json': { schema: ERROR } },
      };
    (paths[openPath] ??= {})[r.method] = {
      summary: SUMMARIES[`${r.method} ${r.path}`] ?? `${r.method.toUpperCase()} ${r.path}`,
      ...(roles.length > 0 ? { 'x-roles': roles } : {}),
      ...(secured ? { security: [{ apiKey: [] }] } : {}),
      parameters: [
        ...parameters('path', schemas.params, r.path),
        ...parameters('query', schemas.query, r.path),
      ],
      ...(schemas.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(schemas.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Quayside API',
      version: '0.1.0',
      description:
        'Starts, signals and updates Quayside workflows; approvals, configuration, checkout quotes.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Quayside API key: qk_<id>_<secret>' },
      },
    },
    paths,
  };
}
