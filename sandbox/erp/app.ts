import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { withTransaction, type Db, type DbClient } from '../../db/pool';
import type { Logger } from '../../platform/logger';
import {
  createFaultInjector,
  FaultPatch,
  type FaultInjector,
  type FaultKind,
  type FaultSettings,
} from '../shared/faults';
import { createTbaVerifier, type SandboxCredentials } from './auth';
import { COLLECTIONS, collectionPage, LIST_TYPES, listRecordJson, resolveListRecord } from './collections';
import { errorDocument, invalidLogin, RestError, sendError } from './errors';
import { sandboxPoolTimeZone } from './db';
import { ItemEdit, upsertItem } from './items';
import * as records from './records';
import { DEFAULT_ACCOUNT_PREFERENCES, type AccountPreferences } from './settings';
import { compileSuiteQl, SuiteQlError } from './suiteql';

export interface ErpSandboxDeps {
  /** A pool whose connections use the sandbox schema (see createSandboxPool). */
  db: Db;
  credentials: SandboxCredentials;
  faults: FaultSettings;
  /** Account preferences (time zone, mandatory locations); NetSuite's defaults where left out. */
  preferences?: Partial<AccountPreferences>;
  log?: Logger;
}

export interface ErpSandbox {
  app: Express;
  faults: FaultInjector;
}

const RECORD_BASE = '/services/rest/record/v1';
const typeName = (type: string) => COLLECTIONS[type]?.name ?? type;

const FAULT_ERRORS: Record<FaultKind, RestError> = {
  throttled: RestError.of(
    429,
    'CONCURRENCY_LIMIT_EXCEEDED',
    'Concurrent request limit exceeded. Request blocked. Wait and retry the request, or increase the concurrency limit of your account.',
  ),
  error: RestError.of(
    500,
    'UNEXPECTED_ERROR',
    'An unexpected error occurred. Error ID: sandbox-injected-fault.',
  ),
  outage: RestError.of(
    503,
    'SERVICE_UNAVAILABLE',
    'The service is temporarily unavailable because of scheduled maintenance. Try again later.',
  ),
};

/** A request's kind for the call counts: the record type it reads or writes, or the table a SuiteQL query reads. */
export function callKind(method: string, path: string, query: unknown): string {
  if (path.startsWith('/query/v1/suiteql')) {
    const table = typeof query === 'string' ? /\bfrom\s+([a-z_]+)/i.exec(query)?.[1] : undefined;
    return `SuiteQL ${table?.toLowerCase() ?? '?'}`;
  }
  const record = /^\/record\/v1\/([^/?]+)/.exec(path)?.[1];
  return `${method} ${record ?? path.split('/').slice(0, 3).join('/')}`;
}

function formatValue(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return String(v);
}

/** Sandbox ERP: NetSuite's SuiteTalk REST subset Quayside uses, plus an admin API for the warehouse. */
export function createErpSandbox(deps: ErpSandboxDeps): ErpSandbox {
  const { db, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const faults = createFaultInjector(deps.faults, (res, kind) => sendError(res, FAULT_ERRORS[kind]));
  const verify = createTbaVerifier(deps.credentials);
  const preferences = { ...DEFAULT_ACCOUNT_PREFERENCES, ...deps.preferences };
  // Every statement sees the account's time zone: SuiteQL renders dates in it and reads literals in it.
  // A pool opened in that zone (createSandboxPool's timeZone, as main.ts opens it) has it from each
  // connection's start; on any other pool each transaction sets it first.
  const zoned = sandboxPoolTimeZone(db) === preferences.timeZone;
  const tx = <T>(fn: (q: DbClient) => Promise<T>) =>
    withTransaction(db, async (q) => {
      if (!zoned) await q.query("SELECT set_config('timezone', $1, true)", [preferences.timeZone]);
      return fn(q);
    });
  /** A connection of the pool for statements that need no transaction around them. */
  const connected = async <T>(fn: (q: DbClient) => Promise<T>) => {
    const q = await db.connect();
    try {
      return await fn(q);
    } finally {
      q.release();
    }
  };
  /**
   * Reads that change nothing run without BEGIN and COMMIT where the pool is in the account's zone
   * (read committed: each statement sees the latest commits either way).
   */
  const read = <T>(fn: (q: DbClient) => Promise<T>) => (zoned ? connected(fn) : tx(fn));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'sandbox-erp', account: deps.credentials.accountId });
  });

  // ------------------------------------------------------------------ SuiteTalk REST
  const rest = express.Router();
  rest.use(faults.middleware);
  rest.use((req, res, next) => {
    const problem = verify(req);
    if (problem) {
      log?.debug({ problem, path: req.path }, 'rejected login');
      sendError(res, invalidLogin());
      return;
    }
    next();
  });
  rest.use(express.json({ type: () => true, limit: '10mb' }));
  // Requests admitted under the limit, by kind (`GET customer`, `POST salesOrder`, `SuiteQL transaction`).
  const byKind = new Map<string, number>();
  rest.use((req, _res, next) => {
    const kind = callKind(req.method, req.path, (req.body as { q?: unknown } | undefined)?.q);
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    next();
  });

  rest.get('/system/v1/governanceLimits', (_req, res) => {
    res.json({
      accountConcurrencyLimit: faults.settings().concurrencyLimit,
      integrationConcurrencyLimit: faults.settings().concurrencyLimit,
    });
  });

  rest.post('/query/v1/suiteql', async (req, res) => {
    if (!/\btransient\b/i.test(req.get('prefer') ?? '')) {
      throw RestError.of(
        400,
        'INVALID_PARAMETER',
        "Invalid header: the 'Prefer: transient' header is required for SuiteQL queries.",
      );
    }
    const body = (req.body ?? {}) as { q?: unknown };
    if (typeof body.q !== 'string' || !body.q.trim())
      throw RestError.of(
        400,
        'INVALID_CONTENT',
        "The request body must contain the query in the property 'q'.",
      );
    const limit = req.query.limit === undefined ? 1000 : Number(req.query.limit);
    const offset = req.query.offset === undefined ? 0 : Number(req.query.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw RestError.of(
        400,
        'INVALID_PARAMETER',
        'Invalid value for the parameter limit: it must be between 1 and 1000.',
      );
    if (!Number.isInteger(offset) || offset < 0)
      throw RestError.of(400, 'INVALID_PARAMETER', 'Invalid value for the parameter offset.');
    let compiled;
    try {
      compiled = compileSuiteQl(body.q);
    } catch (err) {
      if (err instanceof SuiteQlError)
        throw RestError.of(
          400,
          'INVALID_PARAMETER',
          `Invalid search query. Detailed unprocessed description follows. ${err.message}`,
        );
      throw err;
    }
    const [rows, total] = await read(async (q) => [
      await q.query(`${compiled.sql} LIMIT ${limit + 1} OFFSET ${offset}`, compiled.params),
      await q.query<{ n: number }>(compiled.countSql, compiled.countParams),
    ]);
    const hasMore = rows.rows.length > limit;
    const items = rows.rows.slice(0, limit).map((row: Record<string, unknown>) => {
      const out: Record<string, unknown> = { links: [] };
      for (const c of compiled.columns) {
        const v = formatValue(row[c.name]);
        if (v !== undefined) out[c.name] = v;
      }
      return out;
    });
    const self = `${req.protocol}://${req.get('host')}/services/rest/query/v1/suiteql`;
    const links = [{ rel: 'self', href: `${self}?limit=${limit}&offset=${offset}` }];
    if (hasMore) links.push({ rel: 'next', href: `${self}?limit=${limit}&offset=${offset + limit}` });
    res.json({ links, count: items.length, hasMore, items, offset, totalResults: Number(total.rows[0]!.n) });
  });

  const recordType = (name: string | undefined): records.RecordType => {
    const key = (name ?? '').toLowerCase();
    if (!(key in records.RECORD_TYPES) && !LIST_TYPES.has(key))
      throw RestError.of(
        404,
        'INVALID_RCRD_TYPE',
        `Record type '${name}' does not exist or is not supported.`,
      );
    return key as records.RecordType;
  };
  const location = (req: Request, type: records.RecordType, id: number) =>
    `${req.protocol}://${req.get('host')}${RECORD_BASE}/${typeName(type)}/${id}`;
  const notAllowed = () =>
    RestError.of(405, 'METHOD_NOT_ALLOWED', 'The HTTP method is not allowed for this resource.');
  const bodyOf = (req: Request) => {
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))
      throw RestError.of(400, 'INVALID_CONTENT', 'The request body must be a JSON object.');
    return req.body as Record<string, unknown>;
  };
  const nonexistent = (type: records.RecordType, ref: string) =>
    RestError.of(
      404,
      'NONEXISTENT_ID',
      `The record instance does not exist. Provide a valid record instance ID. (${typeName(type)} ${ref})`,
    );
  const find = async (q: DbClient, type: records.RecordType, ref: string) => {
    const key = decodeURIComponent(ref);
    const id = key.startsWith('tranid:')
      ? ((
          await q.query<{ id: number }>('SELECT id FROM txn WHERE tran_id = $1 AND type = $2', [
            key.slice(7),
            'SalesOrd',
          ])
        ).rows[0]?.id ?? null)
      : await records.resolveRecord(q, type, key);
    if (id === null) throw nonexistent(type, ref);
    return id;
  };

  const create = (
    q: DbClient,
    type: records.RecordType,
    body: Record<string, unknown>,
    externalId?: string,
  ) => {
    switch (type) {
      case 'customer':
        return records.createCustomer(q, body, externalId);
      case 'salesorder':
        return records.createSalesOrder(q, body, externalId, {
          locationsMandatory: preferences.locationsMandatory,
        });
      case 'returnauthorization':
        return records.createReturnAuthorization(q, body, externalId);
      case 'customerrefund':
        return records.createCustomerRefund(q, body, externalId);
      case 'customerdeposit':
        return records.createCustomerDeposit(q, body, externalId);
      default:
        throw notAllowed();
    }
  };
  const update = (q: DbClient, type: records.RecordType, id: number, body: Record<string, unknown>) => {
    switch (type) {
      case 'customer':
        return records.updateCustomer(q, id, body);
      case 'salesorder':
        return records.updateSalesOrder(q, id, body);
      case 'returnauthorization':
        return records.closeReturnAuthorization(q, id, body);
      default:
        throw notAllowed();
    }
  };

  rest.use('/record/v1', async (req, res, next) => {
    const parts = req.path.split('/').filter(Boolean);
    const type = recordType(parts[0]);
    const base = `${req.protocol}://${req.get('host')}${RECORD_BASE}`;
    const list = LIST_TYPES.has(type);
    if (parts.length === 1 && req.method === 'GET') {
      const def = COLLECTIONS[type]!;
      const one = (k: string) => (typeof req.query[k] === 'string' ? req.query[k] : undefined);
      res.json(
        await read((q) =>
          collectionPage(
            q,
            def,
            { limit: one('limit'), offset: one('offset'), q: one('q') },
            `${base}/${def.name}`,
          ),
        ),
      );
      return;
    }
    if (list && parts.length === 2 && req.method === 'GET') {
      const json = await read(async (q) => {
        const id = await resolveListRecord(q, type, decodeURIComponent(parts[1]!));
        if (id === null)
          throw RestError.of(
            404,
            'NONEXISTENT_ID',
            `The record instance does not exist. Provide a valid record instance ID. (${COLLECTIONS[type]!.name} ${parts[1]})`,
          );
        return listRecordJson(q, type, id, base);
      });
      res.json(json);
      return;
    }
    if (list) throw notAllowed();
    if (parts.length === 1 && req.method === 'POST') {
      const id = await tx((q) => create(q, type, bodyOf(req)));
      res
        .status(204)
        .location(location(req, type, id))
        .end();
      return;
    }
    if (parts.length === 2 && req.method === 'GET') {
      // One statement finds and reads the record (its lines with it): no transaction, no existence check first.
      const expand = req.query.expandSubResources === 'true';
      const key = decodeURIComponent(parts[1]!);
      const json = await connected((q) =>
        type === 'customer'
          ? records.customerJson(q, key, base, expand)
          : records.readTransaction(q, { type, key }, base, expand, preferences.timeZone),
      );
      if (!json) throw nonexistent(type, parts[1]!);
      res.json(json);
      return;
    }
    if (parts.length === 2 && req.method === 'PATCH') {
      await tx(async (q) => update(q, type, await find(q, type, parts[1]!), bodyOf(req)));
      res.status(204).end();
      return;
    }
    if (parts.length === 2 && req.method === 'PUT') {
      const ref = decodeURIComponent(parts[1]!);
      if (!ref.startsWith('eid:'))
        throw RestError.of(
          400,
          'INVALID_PARAMETER',
          'Upsert requires an external ID in the URL (eid:<externalId>).',
        );
      const id = await tx(async (q) => {
        const existing = await records.resolveRecord(q, type, ref);
        if (existing === null)
          return create(q, type, { ...bodyOf(req), externalId: ref.slice(4) }, ref.slice(4));
        await update(q, type, existing, bodyOf(req));
        return existing;
      });
      res
        .status(204)
        .location(location(req, type, id))
        .end();
      return;
    }
    if (parts.length === 4 && parts[2] === '!transform' && req.method === 'POST') {
      const to = recordType(parts[3]);
      const body = bodyOf(req);
      const id = await tx(async (q) => {
        const from = await find(q, type, parts[1]!);
        if (type === 'salesorder' && to === 'itemfulfillment')
          return records.fulfillSalesOrder(q, from, body);
        if (type === 'salesorder' && to === 'invoice') return records.invoiceSalesOrder(q, from, body);
        if (type === 'returnauthorization' && to === 'creditmemo') return records.creditReturn(q, from, body);
        throw RestError.of(
          400,
          'INVALID_TRANS_TYP',
          `You cannot transform a ${typeName(type)} into a ${typeName(to)}.`,
        );
      });
      res
        .status(204)
        .location(location(req, to, id))
        .end();
      return;
    }
    next();
  });

  rest.use((_req, _res, next) =>
    next(RestError.of(404, 'NONEXISTENT_ID', 'The requested resource does not exist.')),
  );
  rest.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof RestError) return sendError(res, err);
    if ((err as { type?: string }).type === 'entity.parse.failed') {
      return sendError(
        res,
        RestError.of(400, 'INVALID_CONTENT', 'Invalid content in the request body: malformed JSON.'),
      );
    }
    const code = (err as { code?: string }).code;
    if (code === '40P01' || code === '40001')
      return sendError(
        res,
        RestError.of(500, 'UNEXPECTED_ERROR', 'A record was being changed by another request; try again.'),
      );
    log?.error({ err }, 'sandbox ERP request failed');
    return sendError(res, RestError.of(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.'));
  });
  app.use('/services/rest', rest);

  // ------------------------------------------------------------------ admin: warehouse simulation, faults
  const admin = express.Router();
  admin.use(express.json());
  const LineSel = z.array(
    z.object({
      lineKey: z.string().min(1),
      quantity: z.number().int().positive().optional(),
      /** Serial numbers shipped on the line (ship only), one unit each. */
      serialNumbers: z.array(z.string().min(1)).optional(),
    }),
  );
  const salesOrderRef = (ref: string) =>
    ref.startsWith('eid:') || ref.startsWith('tranid:') || /^\d+$/.test(ref)
      ? ref
      : /^SO\d+$/.test(ref)
        ? `tranid:${ref}`
        : `eid:${ref}`;
  const txnJson = async (q: DbClient, type: records.RecordType, id: number, req: Request) =>
    records.transactionJson(
      q,
      id,
      `${req.protocol}://${req.get('host')}${RECORD_BASE}`,
      true,
      preferences.timeZone,
    );

  const stats = () => ({ ...faults.stats(), byKind: Object.fromEntries(byKind) });
  admin.get('/stats', (_req, res) => {
    res.json(stats());
  });
  admin.post('/stats/reset', (_req, res) => {
    faults.resetStats();
    byKind.clear();
    res.json(stats());
  });
  admin.get('/faults', (_req, res) => {
    res.json(faults.settings());
  });
  admin.put('/faults', (req, res) => {
    const patch = FaultPatch.safeParse(req.body);
    if (!patch.success) throw RestError.of(400, 'INVALID_CONTENT', z.prettifyError(patch.error));
    res.json(faults.update(patch.data));
  });
  admin.get('/sales-orders/:ref', async (req, res) => {
    res.json(
      await tx(async (q) =>
        txnJson(q, 'salesorder', await find(q, 'salesorder', salesOrderRef(req.params.ref)), req),
      ),
    );
  });
  admin.post('/sales-orders/:ref/ship', async (req, res) => {
    const body = z
      .object({
        location: z.string().min(1),
        carrier: z.string().optional(),
        trackingNumbers: z.array(z.string()).default([]),
        lines: LineSel.optional(),
      })
      .parse(req.body ?? {});
    const json = await tx(async (q) => {
      const soId = await find(q, 'salesorder', salesOrderRef(req.params.ref));
      let items: Record<string, unknown>[] | undefined;
      if (body.lines) {
        const so = await records.transactionJson(q, soId, '', true, preferences.timeZone);
        const soLines = (so.item as { items: { line: number; custcol_quayside_line_key?: string }[] }).items;
        items = body.lines.map((l) => {
          const match = soLines.find((s) => s.custcol_quayside_line_key === l.lineKey);
          if (!match) throw RestError.of(400, 'USER_ERROR', `No line with key ${l.lineKey} on this order.`);
          return {
            orderLine: match.line,
            quantity: l.quantity ?? l.serialNumbers?.length,
            itemReceive: true,
            ...(l.serialNumbers
              ? {
                  inventoryDetail: {
                    inventoryAssignment: {
                      items: l.serialNumbers.map((n) => ({ issueInventoryNumber: { refName: n } })),
                    },
                  },
                }
              : {}),
          };
        });
      }
      const ifId = await records.fulfillSalesOrder(q, soId, {
        inventoryLocation: { id: body.location },
        shipCarrier: body.carrier,
        package: { items: body.trackingNumbers.map((t) => ({ packageTrackingNumber: t })) },
        ...(items ? { item: { items } } : {}),
      });
      return txnJson(q, 'itemfulfillment', ifId, req);
    });
    res.status(201).json(json);
  });
  admin.post('/sales-orders/:ref/backorder', async (req, res) => {
    const body = z.object({ lines: LineSel.min(1) }).parse(req.body ?? {});
    const json = await tx(async (q) => {
      const soId = await find(q, 'salesorder', salesOrderRef(req.params.ref));
      await records.backorderLines(q, soId, body.lines);
      return txnJson(q, 'salesorder', soId, req);
    });
    res.json(json);
  });
  admin.post('/sales-orders/:ref/invoice', async (req, res) => {
    const body = z.object({ externalId: z.string().optional() }).parse(req.body ?? {});
    const json = await tx(async (q) => {
      const soId = await find(q, 'salesorder', salesOrderRef(req.params.ref));
      return txnJson(q, 'invoice', await records.invoiceSalesOrder(q, soId, body), req);
    });
    res.status(201).json(json);
  });
  admin.post('/inventory/receive', async (req, res) => {
    const body = z
      .object({ sku: z.string().min(1), location: z.string().min(1), quantity: z.number().int().positive() })
      .parse(req.body ?? {});
    res.json(await tx((q) => records.receiveStock(q, `name:${body.sku}`, body.location, body.quantity)));
  });
  // Purchasing: a buyer's purchase order, the vendor's new date for a line, goods received against it.
  const poDate = z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable();
  admin.post('/purchase-orders', async (req, res) => {
    const body = z
      .object({
        externalId: z.string().min(1).optional(),
        location: z.string().min(1),
        lines: z
          .array(
            z.object({
              sku: z.string().min(1),
              quantity: z.number().int().positive(),
              expectedReceiptDate: poDate.default(null),
            }),
          )
          .min(1),
      })
      .parse(req.body ?? {});
    const json = await tx(async (q) =>
      txnJson(q, 'purchaseorder', await records.createPurchaseOrder(q, body), req),
    );
    res.status(201).json(json);
  });
  admin.patch('/purchase-orders/:id/lines/:sku', async (req, res) => {
    const body = z
      .object({ expectedReceiptDate: poDate.optional(), closed: z.boolean().optional() })
      .parse(req.body ?? {});
    const id = Number(req.params.id);
    await tx((q) => records.updatePurchaseOrderLine(q, id, String(req.params.sku), body));
    res.json(await tx((q) => txnJson(q, 'purchaseorder', id, req)));
  });
  admin.post('/purchase-orders/:id/receive', async (req, res) => {
    const body = z
      .object({
        lines: z
          .array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive().optional() }))
          .optional(),
      })
      .parse(req.body ?? {});
    const id = Number(req.params.id);
    await tx((q) => records.receivePurchaseOrder(q, id, body.lines));
    res.json(await tx((q) => txnJson(q, 'purchaseorder', id, req)));
  });
  admin.put('/items/:itemId', async (req, res) => {
    const edit = ItemEdit.parse(req.body ?? {});
    const id = await tx(async (q) => (await upsertItem(q, String(req.params.itemId), edit)).id);
    res.json(
      await tx((q) =>
        listRecordJson(q, 'inventoryitem', id, `${req.protocol}://${req.get('host')}${RECORD_BASE}`),
      ),
    );
  });
  /** Creates or changes a location by name: a warehouse, or a 3PL / consignment site (`thirdParty`). */
  admin.put('/locations/:name', async (req, res) => {
    const body = z
      .object({ thirdParty: z.boolean().default(false) })
      .strict()
      .parse(req.body ?? {});
    const row = await tx(async (q) => {
      const r = await q.query<{ id: number; name: string; third_party: boolean }>(
        `INSERT INTO location (name, third_party) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET third_party = EXCLUDED.third_party RETURNING id, name, third_party`,
        [String(req.params.name), body.thirdParty],
      );
      return r.rows[0]!;
    });
    res.json({ id: String(row.id), name: row.name, thirdParty: row.third_party });
  });
  admin.post('/return-authorizations/:ref/receive', async (req, res) => {
    const body = z.object({ location: z.string().min(1), lines: LineSel.optional() }).parse(req.body ?? {});
    const json = await tx(async (q) => {
      const raId = await find(q, 'returnauthorization', salesOrderRef(req.params.ref));
      await records.receiveReturn(q, raId, body.location, body.lines);
      return txnJson(q, 'returnauthorization', raId, req);
    });
    res.json(json);
  });
  admin.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof RestError) return sendError(res, err);
    if (err instanceof z.ZodError)
      return sendError(res, RestError.of(400, 'INVALID_CONTENT', z.prettifyError(err)));
    log?.error({ err }, 'sandbox ERP admin request failed');
    res
      .status(500)
      .json(
        errorDocument(500, [{ detail: 'An unexpected error occurred.', 'o:errorCode': 'UNEXPECTED_ERROR' }]),
      );
  });
  app.use('/admin', admin);

  return { app, faults };
}

/** The sandbox's Express app alone (see createErpSandbox for the fault controls). */
export function createErpSandboxApp(deps: ErpSandboxDeps): Express {
  return createErpSandbox(deps).app;
}
