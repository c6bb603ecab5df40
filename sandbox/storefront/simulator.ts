import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type pg from 'pg';
import type { StoreDb } from './db';
import { customerJson, orderJson, returnJson } from './rest';
import type { WebhookDispatcher } from './webhooks';
import { withTransaction } from '../../db/pool';
import { validateCheckout } from './checkout';
import { checkoutMoney } from './order-money';
import { buyerUnitPrices } from './pricing';
import { createAccessToken } from './scopes';

/**
 * The buyer simulator: what shoppers and merchant staff do in a real store (register, order, change,
 * cancel, ask for a return), each followed by the webhook Shopify would send. Not part of Shopify's API.
 */

const Address = z.object({
  name: z.string().optional(),
  company: z.string().optional(),
  address1: z.string().optional(),
  city: z.string().optional(),
  province_code: z.string().optional(),
  zip: z.string().optional(),
  country_code: z.string().optional(),
  phone: z.string().optional(),
});

const CustomerBody = z.object({
  email: z.string().min(3),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  company: z.string().optional(),
  note: z.string().optional(),
  tags: z.array(z.string()).default([]),
  taxExempt: z.boolean().default(false),
  address: Address.optional(),
});

const ProductBody = z.object({
  sku: z.string().min(1),
  title: z.string().optional(),
  price: z.string().regex(/^\d+(\.\d{1,2})?$/),
  published: z.boolean().default(true),
  inventory: z.record(z.string(), z.number().int().nonnegative()).default({}),
});

const OrderBody = z.object({
  customerEmail: z.string().min(3),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  /** B2B: the buying company and the company location the order ships to. */
  company: z.string().optional(),
  location: z.string().optional(),
  poNumber: z.string().optional(),
  projectCode: z.string().optional(),
  note: z.string().optional(),
  tags: z.array(z.string()).default([]),
  currency: z.string().length(3).default('USD'),
  lines: z
    .array(
      z.object({
        sku: z.string().min(1),
        quantity: z.number().int().positive(),
        price: z.string().optional(),
      }),
    )
    .min(1),
  shippingAddress: Address.optional(),
  /** How the buyer paid: `pending` (payment terms, the B2B default), `authorized`, or `paid` (a SALE). */
  financialStatus: z.enum(['pending', 'authorized', 'paid']).default('pending'),
  gateway: z.string().min(1).default('bogus'),
  /** A discount code the buyer applies at checkout. */
  discountCode: z
    .object({
      code: z.string().min(1),
      type: z.enum(['fixed_amount', 'percentage']),
      value: z.string().regex(/^\d+(\.\d{1,2})?$/),
    })
    .optional(),
  /** The shipping rates the buyer chose (code as the carrier-calculated or manual rate names it). */
  shippingLines: z
    .array(
      z.object({
        code: z.string().min(1),
        title: z.string().optional(),
        price: z.string().regex(/^\d+(\.\d{1,2})?$/),
      }),
    )
    .default([]),
  /** The ship-to's sales-tax rate as a decimal fraction ("0.0625"); none charges no tax. */
  tax: z
    .object({ title: z.string().min(1).default('State Tax'), rate: z.string().regex(/^0(\.\d{1,6})?$/) })
    .optional(),
});
const AccessTokenBody = z.object({ scopes: z.array(z.string().regex(/^(read|write)_[a-z_]+$/)) });

const OrderChangeBody = z.object({
  note: z.string().optional(),
  tags: z.array(z.string()).optional(),
  poNumber: z.string().optional(),
});
const CancelBody = z.object({
  reason: z.enum(['customer', 'fraud', 'inventory', 'declined', 'other']).default('customer'),
});
const ReturnBody = z.object({
  orderId: z.string().regex(/^\d+$/),
  lines: z
    .array(
      z.object({
        sku: z.string().optional(),
        lineId: z.string().optional(),
        quantity: z.number().int().positive(),
        reason: z.string().default('OTHER'),
        customerNote: z.string().optional(),
      }),
    )
    .min(1),
});

class SimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function body<T>(schema: z.ZodType<T>, req: Request): T {
  const parsed = schema.safeParse(req.body ?? {});
  if (!parsed.success)
    throw new SimulatorError(
      400,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  return parsed.data;
}

export function simulatorRouter({ db, webhooks }: { db: StoreDb; webhooks: WebhookDispatcher }) {
  const router = Router();
  router.use('/sandbox', express.json({ limit: '1mb' }));
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) =>
      fn(req, res).catch(next);

  const tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => withTransaction(db, fn);

  /**
   * Runs `fn` on one connection, outside a transaction until `fn` calls `begin()`: work whose only
   * write is one statement needs none; once begun, everything after commits together or not at all.
   */
  async function onConnection<T>(
    fn: (c: pg.PoolClient, begin: () => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const client = await db.connect();
    let begun = false;
    try {
      const result = await fn(client, async () => {
        if (begun) return;
        await client.query('BEGIN');
        begun = true;
      });
      if (begun) await client.query('COMMIT');
      return result;
    } catch (err) {
      if (begun) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  interface Customer {
    id: string;
    created: boolean;
    taxExempt: boolean;
  }
  async function findCustomer(c: pg.PoolClient, email: string): Promise<Customer | undefined> {
    const existing = await c.query<{ id: string; tax_exempt: boolean }>(
      'SELECT id, tax_exempt FROM customers WHERE lower(email) = lower($1)',
      [email],
    );
    const row = existing.rows[0];
    return row ? { id: row.id, created: false, taxExempt: row.tax_exempt } : undefined;
  }
  async function createCustomer(c: pg.PoolClient, input: z.infer<typeof CustomerBody>): Promise<Customer> {
    const row = await c.query<{ id: string; tax_exempt: boolean }>(
      `INSERT INTO customers (email, first_name, last_name, company, note, tags, tax_exempt, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, tax_exempt`,
      [
        input.email,
        input.firstName ?? null,
        input.lastName ?? null,
        input.company ?? null,
        input.note ?? null,
        input.tags,
        input.taxExempt,
        input.address ?? null,
      ],
    );
    return { id: row.rows[0]!.id, created: true, taxExempt: row.rows[0]!.tax_exempt };
  }
  async function findOrCreateCustomer(
    c: pg.PoolClient,
    input: z.infer<typeof CustomerBody>,
  ): Promise<Customer> {
    return (await findCustomer(c, input.email)) ?? createCustomer(c, input);
  }

  /** A token with only the given scopes, as a custom app installed with them would get. */
  router.post(
    '/sandbox/access-tokens',
    wrap(async (req, res) => {
      const { scopes } = body(AccessTokenBody, req);
      res.status(201).json({ accessToken: await createAccessToken(db, scopes), scopes });
    }),
  );

  router.post(
    '/sandbox/products',
    wrap(async (req, res) => {
      const p = body(ProductBody, req);
      const out = await tx(async (c) => {
        const existing = await c.query<{ id: string; product_id: string; inventory_item_id: string }>(
          'SELECT id, product_id, inventory_item_id FROM variants WHERE sku = $1',
          [p.sku],
        );
        let variant = existing.rows[0];
        if (!variant) {
          const product = await c.query<{ id: string }>(
            'INSERT INTO products (title) VALUES ($1) RETURNING id',
            [p.title ?? p.sku],
          );
          const v = await c.query<{ id: string; product_id: string; inventory_item_id: string }>(
            'INSERT INTO variants (product_id, sku, price) VALUES ($1, $2, $3) RETURNING id, product_id, inventory_item_id',
            [product.rows[0]!.id, p.sku, p.price],
          );
          variant = v.rows[0]!;
          if (p.published)
            await c.query(
              'INSERT INTO product_publications (product_id, publication_id) SELECT $1, id FROM publications',
              [variant.product_id],
            );
        } else {
          await c.query('UPDATE variants SET price = $2 WHERE id = $1', [variant.id, p.price]);
        }
        for (const [location, quantity] of Object.entries(p.inventory)) {
          const loc = await c.query<{ id: string }>(
            'SELECT id FROM locations WHERE name = $1 OR id::text = $1',
            [location],
          );
          if (!loc.rows[0]) throw new SimulatorError(400, `inventory: no location ${location}`);
          await c.query(
            `INSERT INTO inventory_levels (inventory_item_id, location_id, available) VALUES ($1, $2, $3)
             ON CONFLICT (inventory_item_id, location_id) DO UPDATE SET available = EXCLUDED.available, updated_at = now()`,
            [variant.inventory_item_id, loc.rows[0].id, quantity],
          );
        }
        return {
          productId: variant.product_id,
          variantId: variant.id,
          inventoryItemId: variant.inventory_item_id,
        };
      });
      res.status(201).json(out);
    }),
  );

  router.post(
    '/sandbox/customers',
    wrap(async (req, res) => {
      const input = body(CustomerBody, req);
      const { id, created } = await tx((c) => findOrCreateCustomer(c, input));
      if (created) {
        const payload = await customerJson(db, id);
        await webhooks.emit('customers/create', payload);
      }
      res.status(created ? 201 : 200).json({ customerId: id, created });
    }),
  );

  router.post(
    '/sandbox/orders',
    wrap(async (req, res) => {
      const input = body(OrderBody, req);
      const { orderId, customer } = await onConnection(async (c, begin) => {
        const existing = await findCustomer(c, input.customerEmail);
        // An order whose only write is the order with its lines needs no transaction; a new customer,
        // a company or a payment is written with it, all or nothing.
        if (!existing || input.company || input.financialStatus !== 'pending') await begin();
        const customer =
          existing ??
          (await createCustomer(c, {
            email: input.customerEmail,
            firstName: input.firstName,
            lastName: input.lastName,
            company: input.company,
            tags: [],
            taxExempt: false,
          }));
        let companyId: string | null = null;
        let locationId: string | null = null;
        if (input.company) {
          const company =
            (await c.query<{ id: string }>('SELECT id FROM companies WHERE name = $1', [input.company]))
              .rows[0] ??
            (
              await c.query<{ id: string }>('INSERT INTO companies (name) VALUES ($1) RETURNING id', [
                input.company,
              ])
            ).rows[0]!;
          companyId = company.id;
          await c.query(
            'INSERT INTO company_contacts (company_id, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
            [companyId, customer.id],
          );
          const locationName = input.location ?? input.company;
          const location =
            (
              await c.query<{ id: string }>(
                'SELECT id FROM company_locations WHERE company_id = $1 AND name = $2',
                [companyId, locationName],
              )
            ).rows[0] ??
            (
              await c.query<{ id: string }>(
                'INSERT INTO company_locations (company_id, name, address) VALUES ($1, $2, $3) RETURNING id',
                [companyId, locationName, input.shippingAddress ?? null],
              )
            ).rows[0]!;
          locationId = location.id;
        }
        const attributes = [
          ...(input.poNumber ? [{ name: 'PO Number', value: input.poNumber }] : []),
          ...(input.projectCode ? [{ name: 'Project Code', value: input.projectCode }] : []),
        ];
        // Every line's variant in one query. The price of a line that gives none is what the store
        // shows this buyer's company location.
        const found = await c.query<{
          sku: string;
          id: string;
          product_id: string;
          price: string;
          title: string;
        }>(
          'SELECT v.sku, v.id, v.product_id, v.price::text, p.title FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = ANY($1::text[])',
          [input.lines.map((l) => l.sku)],
        );
        const bySku = new Map(found.rows.map(({ sku, ...v }) => [sku, v]));
        const variants = input.lines.map((line) => bySku.get(line.sku));
        const known = input.lines.flatMap((line, i) => {
          const variant = variants[i];
          return variant
            ? [{ variantId: variant.id, basePrice: variant.price, quantity: line.quantity }]
            : [];
        });
        const shown = await buyerUnitPrices(c, locationId, known, input.currency);
        let k = 0;
        const prices = input.lines.map((line, i) => {
          const storePrice = variants[i] ? shown[k++] : undefined;
          return line.price ?? storePrice ?? '0.00';
        });
        const checkout = checkoutMoney({
          currency: input.currency,
          lines: input.lines.map((l, i) => ({ price: prices[i]!, quantity: l.quantity })),
          discount: input.discountCode,
          shipping: input.shippingLines,
          taxRate: input.tax?.rate,
          taxExempt: customer.taxExempt,
        });
        const blocked = await validateCheckout(c, {
          companyId,
          companyLocationId: locationId,
          total: checkout.total.toString(),
          currency: input.currency,
        });
        if (blocked.length) {
          // A blocked checkout uses up an order id and number all the same, as it always has here.
          await c.query("SELECT nextval('object_id'), nextval('order_number')");
          throw new SimulatorError(422, blocked.join(' '));
        }
        // The order and its lines in one statement: the order's id and number are drawn first, then
        // the lines' ids in line order.
        const order = await c.query<{ order_id: string }>(
          `WITH o AS (
             INSERT INTO orders (customer_id, company_id, company_location_id, email, po_number, currency, note,
                                 note_attributes, tags, shipping_address, discount_codes, shipping_lines, tax_exempt,
                                 tax_title, tax_rate, financial_status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id
           )
           INSERT INTO order_lines (order_id, position, variant_id, product_id, sku, title, quantity, price, discount, tax)
           SELECT o.id, l.position, l.variant_id, l.product_id, l.sku, l.title, l.quantity, l.price, l.discount, l.tax
             FROM o, unnest($17::int[], $18::bigint[], $19::bigint[], $20::text[], $21::text[], $22::int[],
                            $23::numeric[], $24::numeric[], $25::numeric[])
                  AS l(position, variant_id, product_id, sku, title, quantity, price, discount, tax)
            ORDER BY l.position
           RETURNING order_id`,
          [
            customer.id,
            companyId,
            locationId,
            input.customerEmail,
            input.poNumber ?? null,
            input.currency,
            input.note ?? null,
            JSON.stringify(attributes),
            input.tags,
            input.shippingAddress ?? null,
            JSON.stringify(
              input.discountCode ? [{ ...input.discountCode, amount: checkout.discount.toString() }] : [],
            ),
            JSON.stringify(input.shippingLines),
            customer.taxExempt,
            input.tax?.title ?? null,
            input.tax?.rate ?? null,
            input.financialStatus,
            input.lines.map((_, i) => i),
            variants.map((v) => v?.id ?? null),
            variants.map((v) => v?.product_id ?? null),
            input.lines.map((l) => l.sku),
            input.lines.map((l, i) => variants[i]?.title ?? l.sku),
            input.lines.map((l) => l.quantity),
            prices,
            checkout.lines.map((l) => l.discount.toString()),
            checkout.lines.map((l) => l.tax.toString()),
          ],
        );
        const orderId = order.rows[0]!.order_id;
        if (input.financialStatus !== 'pending') {
          await c.query(
            'INSERT INTO order_transactions (order_id, kind, gateway, amount, currency) VALUES ($1, $2, $3, $4, $5)',
            [
              orderId,
              input.financialStatus === 'paid' ? 'SALE' : 'AUTHORIZATION',
              input.gateway,
              checkout.total.toString(),
              input.currency,
            ],
          );
        }
        return { orderId, customer };
      });
      if (customer.created) await webhooks.emit('customers/create', await customerJson(db, customer.id));
      const payload = await orderJson(db, orderId);
      await webhooks.emit('orders/create', payload);
      res.status(201).json({ orderId, customerId: customer.id, name: payload?.name });
    }),
  );

  router.get(
    '/sandbox/orders/:id',
    wrap(async (req, res) => {
      const payload = /^\d+$/.test(String(req.params.id))
        ? await orderJson(db, String(req.params.id))
        : undefined;
      if (!payload) throw new SimulatorError(404, `No order ${req.params.id}`);
      res.type('application/json').send((await import('lossless-json')).stringify(payload));
    }),
  );

  router.post(
    '/sandbox/orders/:id/update',
    wrap(async (req, res) => {
      const change = body(OrderChangeBody, req);
      const r = await db.query(
        'UPDATE orders SET note = COALESCE($2, note), tags = COALESCE($3, tags), po_number = COALESCE($4, po_number), updated_at = now() WHERE id::text = $1',
        [req.params.id, change.note ?? null, change.tags ?? null, change.poNumber ?? null],
      );
      if (!r.rowCount) throw new SimulatorError(404, `No order ${req.params.id}`);
      await webhooks.emit('orders/updated', await orderJson(db, String(req.params.id)));
      res.json({ orderId: req.params.id });
    }),
  );

  router.post(
    '/sandbox/orders/:id/cancel',
    wrap(async (req, res) => {
      const { reason } = body(CancelBody, req);
      const r = await db.query(
        `UPDATE orders SET cancelled_at = now(), cancel_reason = $2, financial_status = 'voided', updated_at = now() WHERE id::text = $1 AND cancelled_at IS NULL`,
        [req.params.id, reason],
      );
      if (!r.rowCount)
        throw new SimulatorError(409, `Order ${req.params.id} does not exist or is already cancelled`);
      await webhooks.emit('orders/cancelled', await orderJson(db, String(req.params.id)));
      res.json({ orderId: req.params.id, cancelled: true });
    }),
  );

  router.post(
    '/sandbox/returns',
    wrap(async (req, res) => {
      const input = body(ReturnBody, req);
      const lines = (
        await db.query('SELECT id, sku, quantity, fulfilled_quantity FROM order_lines WHERE order_id = $1', [
          input.orderId,
        ])
      ).rows as {
        id: string;
        sku: string;
        quantity: number;
      }[];
      if (lines.length === 0) throw new SimulatorError(404, `No order ${input.orderId}`);
      const returned = input.lines.map((l, i) => {
        const line = lines.find((x) => (l.lineId ? x.id === l.lineId : x.sku === l.sku));
        if (!line) throw new SimulatorError(400, `lines.${i}: the order has no such line`);
        if (l.quantity > line.quantity)
          throw new SimulatorError(400, `lines.${i}.quantity: more than was ordered`);
        return {
          lineItemId: line.id,
          sku: line.sku,
          quantity: l.quantity,
          reason: l.reason,
          customerNote: l.customerNote,
        };
      });
      const withIds = await Promise.all(
        returned.map(async (l) => ({
          ...l,
          id: (await db.query<{ id: string }>("SELECT nextval('object_id')::text AS id")).rows[0]!.id,
        })),
      );
      const r = await db.query<{ id: string }>(
        'INSERT INTO returns (order_id, lines) VALUES ($1, $2) RETURNING id',
        [input.orderId, JSON.stringify(withIds)],
      );
      const returnId = r.rows[0]!.id;
      await webhooks.emit('returns/request', await returnJson(db, returnId));
      res.status(201).json({ returnId });
    }),
  );

  router.get(
    '/sandbox/deliveries',
    wrap(async (req, res) => {
      const limit = Math.min(500, Number(req.query.limit ?? 50) || 50);
      const r = await db.query(
        `SELECT id::text, topic, uri, webhook_id AS "webhookId", event_id AS "eventId", status, attempts, last_status AS "lastStatus", last_error AS "lastError", created_at AS "createdAt", delivered_at AS "deliveredAt"
           FROM webhook_deliveries ORDER BY id DESC LIMIT $1`,
        [limit],
      );
      res.json({ deliveries: r.rows });
    }),
  );

  router.use('/sandbox', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SimulatorError) {
      res.status(err.status).json({ errors: err.message });
      return;
    }
    next(err);
  });
  return router;
}
