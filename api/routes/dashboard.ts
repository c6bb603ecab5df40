import fs from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { alertRepository, slaRulesConfig } from '../../db/alerts';
import {
  attentionSources,
  homeFigures,
  orderLinesOf,
  ordersParkedOn,
  recentOrders,
  searchCustomers,
  searchItems,
  visibleAlert,
  type DashboardScope,
} from '../../db/dashboard';
import { MAPPING_KINDS, type MappingKind } from '../../db/mappings';
import type { Db } from '../../db/pool';
import type { Principal } from '../../db/principals';
import { attentionQueue } from '../../domain/attention';
import {
  ACKNOWLEDGED_ATTENTION,
  parseCustomerWorkflowId,
  orderWorkflowId,
  parseInventorySyncWorkflowId,
  retryStorefrontAccountSignal,
  stockChangedSignal,
  type AttentionKind,
} from '../../domain/contracts';
import type { Logger } from '../../platform/logger';
import { approvalActions } from '../actions/approvals';
import type { IngressShop } from '../webhooks/ingress';
import { deadLetterActions } from '../actions/dead-letters';
import { mappingActions } from '../actions/mappings';
import { templateActions } from '../actions/templates';
import { flowActions } from '../actions/flows';
import { orderActions } from '../actions/orders';
import { maySeeStore } from '../auth';
import { servedStores } from '../stores';
import { ApiError } from '../errors';
import { describeZodError } from '../../domain/zod-errors';
import { deadLetterEditor, queueView, searchResults, storeQuery } from '../dashboard/attention';
import { decisionsView, type DecisionContext } from '../dashboard/decisions';
import { homeBody } from '../dashboard/home';
import { flowsView } from '../dashboard/flows';
import { historyView, KIND_WORDS, mappingsView } from '../dashboard/mappings';
import { previewView, problemView, templateEditView, templateListView } from '../dashboard/templates';
import {
  fromHtmx,
  html,
  page,
  type Notice,
  type PageContext,
  type SafeHtml,
  type StoreChoice,
} from '../dashboard/html';
import { FLOWS } from '../../domain/flow-switches';
import { orderView } from '../dashboard/order';
import { OrderField } from '../../domain/schemas/order';

const ASSETS = {
  'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript' },
  'dashboard.css': { file: path.join(__dirname, '..', 'dashboard', 'dashboard.css'), type: 'text/css' },
} as const;

/** Every dashboard page: scripts and styles from this server only, no inline script, never framed. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const Id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+$/, 'a storefront order id');
const Text = (max: number) => z.string().trim().min(1).max(max);
const MapSku = z.object({ sku: Text(200), erpSku: Text(200) });
const MapCustomer = z.object({ customerId: Text(200), erpCustomerId: Text(200) });
const FieldFix = z.object({ field: OrderField, value: z.string().max(500) });
const Acknowledge = z.object({ note: z.string().max(2000).optional() });
const Cancel = z.object({ reason: Text(2000) });
const Replay = z.object({
  payload: z
    .string()
    .min(1)
    .max(2 * 1024 * 1024),
});
const Search = z.object({ q: z.string().max(200).default('') });
const NumericId = z.coerce.number().int().positive();
const MappingForm = z.object({ storeKey: Text(200), erpValue: Text(200) });
const DecisionForm = z.object({
  outcome: z.enum(['approve', 'reject', 'requestInfo']),
  reason: z.string().trim().max(2000).optional(),
});
const TemplateForm = z.object({
  subject: z.string().max(300),
  body: z.string().max(5000),
  comment: z.string().trim().max(500).optional(),
  orderId: z.string().max(200).optional(),
});

export interface DashboardDeps {
  db: Db;
  temporal: Client;
  log: Logger;
  temporalUiUrl?: string;
  namespace: string;
  /** The store this deployment serves: parked webhooks and syncs belong to it. */
  store: string;
  taskQueuePrefix: string;
  /** Every store's shop domain (parked webhooks belong to the store of the shop that sent them). */
  shops?: IngressShop[];
}

/**
 * The operations dashboard, behind the sign-in (api/session.ts): server-rendered pages with htmx
 * (served from node_modules by this API) for the parts that change in place. Every action calls the
 * same server-side functions as the REST API (api/actions/), as the signed-in principal, scoped to
 * its stores, with the session's CSRF token; figures on a form are never trusted for authorization.
 */
export function dashboardRouter(deps: DashboardDeps): Router {
  const { db, temporal, store } = deps;
  const router = Router();
  const served = [...new Set(servedStores({ store, shops: deps.shops }))];
  const orders = orderActions({ temporal, store, stores: served });
  const deadLetters = deadLetterActions(deps);
  const approvals = approvalActions({ temporal, db });
  const alerts = alertRepository(db);
  const mappingEdits = mappingActions({ db, store });
  const flows = flowActions({ db });

  /**
   * The store a store's page is about: `?store=` among the stores the person may see of those this
   * API serves, else the first of them (the primary store when they may see it). Another store, or
   * one not served, is not found (404 `STORE.NOT_FOUND`), as on the REST routes. With `all`, no
   * `?store=` means every store of the person's at once (the home page).
   */
  function storeChoice(req: Request, p: Principal, opts: { all?: boolean } = {}): StoreChoice {
    const stores = served.filter((s) => maySeeStore(p, s));
    const named = req.query.store;
    if (named === undefined || named === '')
      return { stores, current: opts.all ? null : (stores[0] ?? store) };
    if (typeof named !== 'string' || !stores.includes(named))
      throw new ApiError(404, 'STORE.NOT_FOUND', `No store ${String(named)}.`);
    return { stores, current: named };
  }
  const storeOf = (choice: StoreChoice) => choice.current ?? store;

  const principal = (req: Request): Principal => {
    if (!req.sessionPrincipal) throw new ApiError(401, 'AUTH.UNAUTHENTICATED', 'Not signed in.');
    return req.sessionPrincipal;
  };
  const scopeOf = (p: Principal): DashboardScope => ({
    stores: p.stores,
    homeStore: store,
    approvalKinds: p.approvalKinds,
  });
  const ctxOf = (req: Request): PageContext => ({
    principal: principal(req),
    csrfToken: req.csrfToken?.() ?? '',
    temporalUiUrl: deps.temporalUiUrl,
    namespace: deps.namespace,
  });
  const mayAct = (p: Principal) => p.role === 'operator' || p.role === 'admin';
  const headers = (res: Response) => res.setHeader('Content-Security-Policy', CSP);

  function respond(
    req: Request,
    res: Response,
    title: string,
    pathName: string,
    body: SafeHtml,
    status = 200,
  ) {
    headers(res);
    res.status(status).type('html');
    if (fromHtmx(req)) return void res.send(body.value);
    // The store a page is of (a valid `?store=`) is kept by the navigation's links to the store pages.
    const p = principal(req);
    const named = req.query.store;
    const mine = served.filter((s) => maySeeStore(p, s));
    const store = typeof named === 'string' && mine.length > 1 && mine.includes(named) ? named : undefined;
    res.send(page(ctxOf(req), { title, path: pathName, body, ...(store ? { store } : {}) }));
  }

  for (const [name, asset] of Object.entries(ASSETS)) {
    const body = fs.readFileSync(asset.file);
    router.get(`/dashboard/assets/${name}`, (_req, res) => {
      res.setHeader('Cache-Control', 'private, max-age=3600');
      res.type(asset.type).send(body);
    });
  }

  async function queue(p: Principal) {
    return attentionQueue(await attentionSources(db, scopeOf(p)));
  }

  /** A store page's GET: a store the person may not see (or not served) is a page that says so, 404. */
  const storePage =
    (title: string, path: string, handler: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (err) {
        if (!(err instanceof ApiError) || err.code !== 'STORE.NOT_FOUND') throw err;
        respond(req, res, title, path, html`<p class="notice problem" role="alert">${err.message}</p>`, 404);
      }
    };

  // Every store of the person's, or (`?store=`) one of them: its orders, syncs and store calls.
  router.get(
    '/dashboard',
    storePage('Integration health', '/dashboard', async (req, res) => {
      const p = principal(req);
      const choice = storeChoice(req, p, { all: true });
      const scope = choice.current === null ? scopeOf(p) : { ...scopeOf(p), stores: [choice.current] };
      const [figures, groups, sla] = await Promise.all([
        homeFigures(db, scope),
        attentionSources(db, scope).then(attentionQueue),
        slaRulesConfig.current(db),
      ]);
      respond(req, res, 'Integration health', '/dashboard', homeBody(figures, groups, sla.value, choice));
    }),
  );

  async function queuePage(req: Request, res: Response, notice?: Notice, status = 200) {
    const p = principal(req);
    const body = queueView(ctxOf(req), await queue(p), { canAct: mayAct(p), homeStore: store, notice });
    respond(req, res, 'Needs attention', '/dashboard/attention', body, status);
  }

  router.get('/dashboard/attention', (req, res) => queuePage(req, res));

  /** Runs an operator's action and answers with the fresh queue and what happened (or why not). */
  function action<S extends z.ZodType>(
    schema: S,
    run: (p: Principal, body: z.infer<S>, req: Request) => Promise<Notice>,
  ) {
    return async (req: Request, res: Response) => {
      try {
        const p = principal(req);
        if (!mayAct(p))
          throw new ApiError(
            403,
            'AUTH.FORBIDDEN',
            'Only operators and admins may fix items; you can see them.',
          );
        const parsed = schema.safeParse(req.body ?? {});
        if (!parsed.success)
          throw new ApiError(400, 'REQUEST.INVALID', describeZodError(parsed.error, 'form').message);
        await queuePage(req, res, await run(p, parsed.data, req));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        await queuePage(req, res, { ok: false, text: err.message }, err.status);
      }
    };
  }

  const orderIdOf = (req: Request) => {
    const id = Id.safeParse(req.params.id);
    if (!id.success) throw new ApiError(400, 'REQUEST.INVALID', 'That is not a storefront order id.');
    return id.data;
  };
  const orderHref = (id: string, of: string) =>
    `/dashboard/orders/${encodeURIComponent(id)}${storeQuery(of, store)}`;

  /**
   * The store of the order an order page or action is about: `?store=` when it names one (checked by
   * `storeChoice`: 404 for a store not the person's), else the first of the person's stores whose read
   * model has the order, else their first store. The order actions check the store against the person again.
   */
  async function orderStoreOf(req: Request, p: Principal, id: string): Promise<string> {
    const choice = storeChoice(req, p);
    const named = req.query.store;
    if (typeof named === 'string' && named !== '') return storeOf(choice);
    const res = await db.query<{ store: string }>(
      'SELECT store FROM orders WHERE order_id = $1 AND store = ANY($2)',
      [id, choice.stores],
    );
    const has = new Set(res.rows.map((r) => r.store));
    return choice.stores.find((s) => has.has(s)) ?? storeOf(choice);
  }

  /**
   * Waits (a few seconds at most) until the read model no longer shows these orders parked on what
   * was just fixed: the update returns once the process took the fix, and the page should show it moved on.
   */
  async function settled(
    workflowIds: string[],
    stillParked: (kind: string | null, reason: string) => boolean,
  ) {
    const deadline = Date.now() + 5_000;
    while (workflowIds.length && Date.now() < deadline) {
      const res = await db.query<{ attention_kind: string | null; attention_reason: string | null }>(
        'SELECT attention_kind, attention_reason FROM orders WHERE workflow_id = ANY($1)',
        [workflowIds],
      );
      if (
        !res.rows.some(
          (r) => r.attention_reason !== null && stillParked(r.attention_kind, r.attention_reason),
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** One mapping fix sent to every order of the store parked on it; the mapping itself saved once. */
  async function fixParked(
    parked: { orderId: string; store: string; workflowId: string }[],
    of: string,
    fix: (orderId: string) => Promise<unknown>,
  ): Promise<{ fixed: string[]; problems: string[] }> {
    const fixed: string[] = [];
    const problems: string[] = [];
    for (const o of parked.filter((x) => x.store === of)) {
      try {
        await fix(o.orderId);
        fixed.push(o.orderId);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        problems.push(`order ${o.orderId}: ${err.message}`);
      }
    }
    return { fixed, problems };
  }

  const continues = (fixed: string[]) =>
    fixed.length === 0
      ? 'No order was waiting for it.'
      : fixed.length === 1
        ? `Order ${fixed[0]} continues.`
        : `${fixed.length} orders continue.`;

  /**
   * The store a mapping fix from the queue is of: `?store=` among the person's stores (the queue's
   * form names the store of the group's orders), else their first; another store is not found (404).
   */
  const mappedStoreOf = (req: Request, p: Principal) => {
    const of = storeOf(storeChoice(req, p));
    if (!maySeeStore(p, of)) throw new ApiError(404, 'STORE.NOT_FOUND', `No store ${of}.`);
    return of;
  };

  router.post(
    '/dashboard/attention/map-sku',
    action(MapSku, async (p, { sku, erpSku }, req) => {
      const of = mappedStoreOf(req, p);
      const parked = await ordersParkedOn(db, { ...scopeOf(p), stores: [of] }, { kind: 'unmappedSku', sku });
      const { fixed, problems } = await fixParked(parked, of, (id) => orders.fix(p, id, { sku, erpSku }, of));
      if (fixed.length === 0) await mappingEdits.set(p, 'sku', sku, erpSku, of);
      await settled(
        parked.map((o) => o.workflowId),
        (kind, reason) => kind === 'unmappedSku' && reason.startsWith(`SKU ${sku}`),
      );
      if (problems.length && fixed.length === 0)
        throw new ApiError(409, 'ORDER.CONFLICT', problems.join('; '));
      return {
        ok: true,
        text: `SKU ${sku} is mapped to ERP item ${erpSku}. ${continues(fixed)}${problems.length ? ` Not fixed: ${problems.join('; ')}` : ''}`,
        href: fixed.length === 1 ? orderHref(fixed[0]!, of) : undefined,
      };
    }),
  );

  router.post(
    '/dashboard/attention/map-customer',
    action(MapCustomer, async (p, { customerId, erpCustomerId }, req) => {
      const of = mappedStoreOf(req, p);
      const parked = await ordersParkedOn(
        db,
        { ...scopeOf(p), stores: [of] },
        { kind: 'unmappedCustomer', customerId },
      );
      const { fixed, problems } = await fixParked(parked, of, (id) =>
        orders.fix(p, id, { customerId, erpCustomerId }, of),
      );
      if (fixed.length === 0) await mappingEdits.set(p, 'customer', customerId, erpCustomerId, of);
      await settled(
        parked.map((o) => o.workflowId),
        (kind) => kind === 'unmappedCustomer',
      );
      if (problems.length && fixed.length === 0)
        throw new ApiError(409, 'ORDER.CONFLICT', problems.join('; '));
      return {
        ok: true,
        text: `Customer ${customerId} is mapped to ERP customer ${erpCustomerId}. ${continues(fixed)}`,
        href: fixed.length === 1 ? orderHref(fixed[0]!, of) : undefined,
      };
    }),
  );

  router.post(
    '/dashboard/attention/orders/:id/field',
    action(FieldFix, async (p, fix, req) => {
      const id = orderIdOf(req);
      const of = await orderStoreOf(req, p, id);
      await orders.fix(p, id, fix, of);
      await settled([orderWorkflowId(of, id)], (kind) => kind === 'erpRejected');
      return {
        ok: true,
        text: `Order ${id} was corrected and is sent to the ERP again.`,
        href: orderHref(id, of),
      };
    }),
  );

  router.post(
    '/dashboard/attention/orders/:id/acknowledge',
    action(Acknowledge, async (p, { note }, req) => {
      const id = orderIdOf(req);
      const of = await orderStoreOf(req, p, id);
      await orders.fix(p, id, { acknowledge: true, ...(note ? { note } : {}) }, of);
      await settled([orderWorkflowId(of, id)], (kind) =>
        ACKNOWLEDGED_ATTENTION.includes(kind as AttentionKind),
      );
      return { ok: true, text: `Order ${id}: acknowledged.`, href: orderHref(id, of) };
    }),
  );

  router.post(
    '/dashboard/attention/orders/:id/cancel',
    action(Cancel, async (p, { reason }, req) => {
      const id = orderIdOf(req);
      const of = await orderStoreOf(req, p, id);
      const result = await orders.cancel(p, id, { reason: `${reason} (by ${p.name})`, by: 'operator' }, of);
      return {
        ok: true,
        text: `Order ${id} is cancelled${result.compensations.length ? `: ${result.compensations.join(', ')}` : ''}.`,
        href: orderHref(id, of),
      };
    }),
  );

  router.get('/dashboard/attention/dead-letters/:id/edit', async (req, res) => {
    const p = principal(req);
    const id = NumericId.safeParse(req.params.id);
    if (!id.success || !mayAct(p)) throw new ApiError(404, 'DEAD_LETTER.NOT_FOUND', 'No such dead letter.');
    const letter = await deadLetters.get(p, id.data);
    headers(res);
    res
      .type('html')
      .send(deadLetterEditor(ctxOf(req), id.data, pretty(letter.replayPayload ?? letter.payload)).value);
  });

  router.post(
    '/dashboard/attention/dead-letters/:id/replay',
    action(Replay, async (p, { payload }, req) => {
      const id = NumericId.safeParse(req.params.id);
      if (!id.success) throw new ApiError(404, 'DEAD_LETTER.NOT_FOUND', 'No such dead letter.');
      const { workflowId } = await deadLetters.replay(p, id.data, payload);
      return { ok: true, text: `Webhook ${id.data} was replayed into ${workflowId}.` };
    }),
  );

  async function alertOf(p: Principal, req: Request) {
    const id = NumericId.safeParse(req.params.id);
    const alert = id.success ? await visibleAlert(db, scopeOf(p), id.data) : null;
    if (!alert) throw new ApiError(404, 'ALERT.NOT_FOUND', 'That alert is not open (any more).');
    return alert;
  }

  router.post(
    '/dashboard/attention/alerts/:id/acknowledge',
    action(z.object({}), async (p, _body, req) => {
      const alert = await alertOf(p, req);
      await alerts.acknowledge(alert.id, p.name);
      return { ok: true, text: `“${alert.subject}” is acknowledged.` };
    }),
  );

  router.post(
    '/dashboard/attention/alerts/:id/retry',
    action(z.object({}), async (p, _body, req) => {
      const alert = await alertOf(p, req);
      if (
        alert.kind === 'customer.storeRefused' &&
        alert.workflowId &&
        parseCustomerWorkflowId(alert.workflowId)
      ) {
        // The approval resolves the alert once the store takes the account, or raises it again.
        await temporal.workflow.getHandle(alert.workflowId).signal(retryStorefrontAccountSignal);
        return {
          ok: true,
          text: `The store account is tried again; “${alert.subject}” comes back if the store still refuses it.`,
        };
      }
      if (!alert.workflowId || !parseInventorySyncWorkflowId(alert.workflowId))
        throw new ApiError(
          422,
          'ALERT.NOT_RETRYABLE',
          'Only a sync or a refused store account can be tried again from here.',
        );
      await temporal.workflow.getHandle(alert.workflowId).signal(stockChangedSignal);
      await alerts.acknowledge(alert.id, p.name);
      return {
        ok: true,
        text: `The inventory sync runs now; “${alert.subject}” comes back if the problem is still there.`,
      };
    }),
  );

  router.get('/dashboard/search/:kind', async (req, res) => {
    const p = principal(req);
    const kind = req.params.kind === 'customers' ? 'customers' : req.params.kind === 'items' ? 'items' : null;
    if (!kind || !mayAct(p)) throw new ApiError(404, 'ROUTE.NOT_FOUND', 'No such search.');
    const { q } = Search.parse(req.query);
    const rows =
      kind === 'items'
        ? (await searchItems(db, q)).map((i) => ({
            value: i.erpSku,
            label: `${i.name}${i.inactive ? ' (inactive)' : ''}`,
          }))
        : (await searchCustomers(db, q)).map((c) => ({ value: c.erpCustomerId, label: c.companyName }));
    headers(res);
    res.type('html').send(searchResults(kind, q, rows).value);
  });

  router.get('/dashboard/orders/:id', async (req, res) => {
    const p = principal(req);
    const id = orderIdOf(req);
    try {
      // The order of the store `?store=` names (or the read model finds among the person's stores).
      const of = await orderStoreOf(req, p, id);
      const status = await orders.status(p, id, of);
      respond(
        req,
        res,
        `Order ${status.orderNumber ?? id}`,
        '/dashboard/orders',
        orderView(ctxOf(req), status, orderHref(id, of)),
      );
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      respond(
        req,
        res,
        'No such order',
        '/dashboard/orders',
        html`<p class="notice problem">${err.message}</p>`,
        404,
      );
    }
  });

  // ---- Decisions ------------------------------------------------------------------------------

  const mayDecide = (p: Principal) => p.role === 'approver' || p.role === 'admin';

  async function decisionsPage(req: Request, res: Response, notice?: Notice, status = 200) {
    const p = principal(req);
    const pending = await approvals.pending(p, 200);
    const details = await Promise.all(pending.map((a) => approvals.detail(p, a.approvalId)));
    const lines = await orderLinesOf(
      db,
      pending.filter((a) => a.workflowId.startsWith('order:')).map((a) => a.workflowId),
    );
    const contexts = new Map<string, DecisionContext>(
      details.map((d) => [d.approvalId, { context: d.context, lines: lines.get(d.workflowId) ?? [] }]),
    );
    const body = decisionsView(ctxOf(req), pending, contexts, { canDecide: mayDecide(p), notice });
    respond(req, res, 'Decisions', '/dashboard/decisions', body, status);
  }

  router.get('/dashboard/decisions', (req, res) => decisionsPage(req, res));

  const OUTCOME_DONE = {
    approve: 'approved',
    reject: 'rejected',
    requestInfo: 'asked for information',
  } as const;

  router.post('/dashboard/decisions/:id', async (req, res) => {
    try {
      const p = principal(req);
      const form = DecisionForm.safeParse(req.body ?? {});
      if (!form.success)
        throw new ApiError(400, 'REQUEST.INVALID', describeZodError(form.error, 'form').message);
      const id = String(req.params.id);
      // Only the outcome and the reason come from the form: the amount and the limit are the server's.
      const result = await approvals.decide(p, id, {
        outcome: form.data.outcome,
        ...(form.data.reason ? { reason: form.data.reason } : {}),
      });
      req.log?.info(
        { approvalId: id, workflowId: result.workflowId, outcome: result.outcome, principal: p.id },
        'approval decided',
      );
      await decisionsPage(req, res, { ok: true, text: `You ${OUTCOME_DONE[form.data.outcome]}: ${id}.` });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      await decisionsPage(req, res, { ok: false, text: err.message }, err.status);
    }
  });

  // ---- Templates ------------------------------------------------------------------------------
  // Each store's templates, mappings and flow switches are its own: every page and write below is
  // of the store `?store=` names (storeChoice), and the actions check it against the person again.

  const templateKey = (req: Request) => String(req.params.key);
  function editorsOnly(p: Principal) {
    if (!mayAct(p))
      throw new ApiError(403, 'AUTH.FORBIDDEN', 'Only operators and admins read and change templates.');
  }
  const templatesOf = (choice: StoreChoice) => templateActions({ db, store: storeOf(choice) });

  router.get(
    '/dashboard/templates',
    storePage('Message templates', '/dashboard/templates', async (req, res) => {
      const p = principal(req);
      editorsOnly(p);
      const choice = storeChoice(req, p);
      const list = await templatesOf(choice).list(p);
      respond(req, res, 'Message templates', '/dashboard/templates', templateListView(list, choice));
    }),
  );

  async function templatePage(
    req: Request,
    res: Response,
    notice?: Notice,
    status = 200,
    draft?: { subject: string; body: string },
  ) {
    const p = principal(req);
    editorsOnly(p);
    const choice = storeChoice(req, p);
    const saved = await templatesOf(choice).get(p, templateKey(req));
    // A refused save shows the words as they were typed, with why.
    const t = draft ? { ...saved, current: { ...saved.current, ...draft } } : saved;
    const body = templateEditView(ctxOf(req), t, await recentOrders(db, storeOf(choice)), choice, notice);
    respond(req, res, `Template ${t.key}`, '/dashboard/templates', body, status);
  }

  router.get(
    '/dashboard/templates/:key',
    storePage('Message templates', '/dashboard/templates', (req, res) => templatePage(req, res)),
  );

  router.post('/dashboard/templates/:key', async (req, res) => {
    try {
      const p = principal(req);
      editorsOnly(p);
      const choice = storeChoice(req, p);
      const form = TemplateForm.safeParse(req.body ?? {});
      if (!form.success)
        throw new ApiError(400, 'REQUEST.INVALID', describeZodError(form.error, 'form').message);
      const saved = await templatesOf(choice).save(p, templateKey(req), {
        subject: form.data.subject,
        body: form.data.body,
        ...(form.data.comment ? { comment: form.data.comment } : {}),
      });
      await templatePage(req, res, { ok: true, text: `Saved as version ${saved.version}.` });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 404 || err.status === 403) throw err;
      const b = (req.body ?? {}) as Record<string, unknown>;
      await templatePage(req, res, { ok: false, text: err.message }, err.status, {
        subject: String(b.subject ?? ''),
        body: String(b.body ?? ''),
      });
    }
  });

  router.post('/dashboard/templates/:key/preview', async (req, res) => {
    headers(res);
    try {
      const p = principal(req);
      editorsOnly(p);
      const choice = storeChoice(req, p);
      const form = TemplateForm.safeParse(req.body ?? {});
      if (!form.success || !form.data.orderId)
        throw new ApiError(400, 'REQUEST.INVALID', 'Choose an order to preview the message with.');
      const preview = await templatesOf(choice).preview(p, templateKey(req), {
        orderId: form.data.orderId,
        subject: form.data.subject,
        body: form.data.body,
      });
      res.type('html').send(previewView(preview).value);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      res.status(err.status).type('html').send(problemView(err.message).value);
    }
  });

  // ---- Mappings -------------------------------------------------------------------------------

  const kindOf = (req: Request): MappingKind => {
    const kind = MAPPING_KINDS.find((k) => k === req.params.kind);
    if (!kind) throw new ApiError(404, 'MAPPING.NOT_FOUND', `No mapping ${String(req.params.kind)}.`);
    return kind;
  };

  router.get('/dashboard/mappings', (req, res) => {
    const named = typeof req.query.store === 'string' && req.query.store !== '' ? req.query.store : null;
    res.redirect(303, `/dashboard/mappings/sku${named ? `?store=${encodeURIComponent(named)}` : ''}`);
  });

  async function mappingsPage(req: Request, res: Response, notice?: Notice, status = 200) {
    const p = principal(req);
    const kind = kindOf(req);
    const choice = storeChoice(req, p);
    const of = storeOf(choice);
    const { q } = Search.parse({ q: req.query.q });
    const [list, recent] = await Promise.all([
      mappingEdits.list(p, kind, { q, limit: 100 }, of),
      mappingEdits.history(p, kind, undefined, 20, of),
    ]);
    const body = mappingsView(ctxOf(req), kind, { q, ...list, recent, canEdit: mayAct(p), choice }, notice);
    respond(req, res, `${KIND_WORDS[kind].title} mapping`, '/dashboard/mappings', body, status);
  }

  router.get(
    '/dashboard/mappings/:kind',
    storePage('Mappings', '/dashboard/mappings', (req, res) => mappingsPage(req, res)),
  );

  /** Runs a mapping change of the chosen store as an operator and answers with the fresh list and what happened. */
  function mappingChange<S extends z.ZodType>(
    schema: S,
    run: (p: Principal, kind: MappingKind, of: string, body: z.infer<S>, req: Request) => Promise<Notice>,
  ) {
    return async (req: Request, res: Response) => {
      const kind = kindOf(req);
      try {
        const p = principal(req);
        const of = storeOf(storeChoice(req, p));
        if (!mayAct(p))
          throw new ApiError(403, 'AUTH.FORBIDDEN', 'Only operators and admins change mappings.');
        const parsed = schema.safeParse(req.body ?? {});
        if (!parsed.success)
          throw new ApiError(400, 'REQUEST.INVALID', describeZodError(parsed.error, 'form').message);
        await mappingsPage(req, res, await run(p, kind, of, parsed.data, req));
      } catch (err) {
        if (!(err instanceof ApiError) || err.code === 'STORE.NOT_FOUND') throw err;
        await mappingsPage(req, res, { ok: false, text: err.message }, err.status);
      }
    };
  }

  router.post(
    '/dashboard/mappings/:kind',
    mappingChange(MappingForm, async (p, kind, of, { storeKey, erpValue }) => {
      await mappingEdits.set(p, kind, storeKey, erpValue, of);
      return { ok: true, text: `${storeKey} is mapped to ${KIND_WORDS[kind].value} ${erpValue}.` };
    }),
  );

  router.post(
    '/dashboard/mappings/:kind/:key/delete',
    mappingChange(z.object({}), async (p, kind, of, _body, req) => {
      const key = String(req.params.key);
      await mappingEdits.remove(p, kind, key, of);
      return { ok: true, text: `The mapping of ${key} is deleted.` };
    }),
  );

  router.get('/dashboard/mappings/:kind/:key/history', async (req, res) => {
    const kind = kindOf(req);
    const p = principal(req);
    const of = storeOf(storeChoice(req, p));
    const changes = await mappingEdits.history(p, kind, String(req.params.key), undefined, of);
    headers(res);
    res.type('html').send(historyView(kind, changes, String(req.params.key)).value);
  });

  // ---- Flow switches --------------------------------------------------------------------------

  async function flowsPage(req: Request, res: Response, notice?: Notice, status = 200) {
    const p = principal(req);
    if (!mayAct(p))
      throw new ApiError(403, 'AUTH.FORBIDDEN', 'Only operators and admins read the flow switches.');
    const choice = storeChoice(req, p);
    const current = await flows.get(p, storeOf(choice));
    const body = flowsView(ctxOf(req), current, choice, { canEdit: p.role === 'admin', notice });
    respond(req, res, 'Flow switches', '/dashboard/flows', body, status);
  }

  router.get(
    '/dashboard/flows',
    storePage('Flow switches', '/dashboard/flows', (req, res) => flowsPage(req, res)),
  );

  // The form sends every flow: a checked `<flow>` is on, `<flow>-direction` its direction where it has several.
  router.post('/dashboard/flows', async (req, res) => {
    const p = principal(req);
    const of = storeOf(storeChoice(req, p));
    if (p.role !== 'admin') throw new ApiError(403, 'AUTH.FORBIDDEN', 'Only admins change flow switches.');
    const form = (req.body ?? {}) as Record<string, unknown>;
    const switches = Object.fromEntries(
      FLOWS.map((f) => [
        f,
        {
          enabled: form[f] === 'on',
          ...(typeof form[`${f}-direction`] === 'string' ? { direction: form[`${f}-direction`] } : {}),
        },
      ]),
    );
    const comment = typeof form.comment === 'string' && form.comment.trim() ? form.comment.trim() : undefined;
    try {
      const saved = await flows.save(p, of, switches, comment?.slice(0, 500));
      const changed = saved.changes.length;
      await flowsPage(req, res, {
        ok: true,
        text: changed
          ? `Saved as version ${saved.version}: ${changed} change${changed === 1 ? '' : 's'}.`
          : `Saved as version ${saved.version}; nothing changed.`,
      });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 404) throw err;
      await flowsPage(req, res, { ok: false, text: err.message }, err.status);
    }
  });

  return router;
}

/** A payload pretty-printed for editing, its big numbers (ids) kept exactly. */
function pretty(payload: string): string {
  try {
    return stringifyLossless(parseLossless(payload), null, 2) ?? payload;
  } catch {
    return payload;
  }
}
