import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { mappingRepository } from '../../db/mappings';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { EncryptionCodec } from '../../platform/codec';
import { createLogger } from '../../platform/logger';
import { FakeErp, FakeStorefront } from '../orders/fakes';
import { closeServer, deliver, fixture, listen } from '../storefront/helpers';
import { testDb, withWorker } from '../support/env';
import { eventually } from '../support/wait';

/** What the store's order carries about people (tests/fixtures/shopify/orders_create.json). */
const PERSONAL = [
  'jon@example.com',
  'john@example.com',
  'John',
  'Smith',
  'Steve',
  'Shipper',
  '123 Shipping Street',
  'Shippington',
  '555-555-SHIP',
];

describe('personal data stays out of search attributes and logs when payload encryption is on', () => {
  let db: Db;
  let client: Client;
  let server: Server;
  let base: string;
  const lines: string[] = [];
  const capture = { write: (line: string) => void lines.push(line) };
  const codec = new EncryptionCodec([randomBytes(32)]);
  const store = `pii${Date.now()}`;
  const secret = 'pii-webhook-secret';

  beforeAll(async () => {
    db = testDb();
    client = new Client({
      connection: await Connection.connect({ address: inject('temporalAddress') }),
      dataConverter: { payloadCodecs: [codec] },
    });
    // The real logger configuration (redaction included) at info, written where the test can read it.
    const log = createLogger('api', { LOG_LEVEL: 'debug', LOG_PRETTY: false }, capture);
    ({ server, base } = await listen(
      createApp({
        temporal: client,
        db,
        log,
        store,
        taskQueuePrefix: store,
        shopifySecret: secret,
        payloadCodec: codec,
      }),
    ));
  });
  afterAll(async () => {
    await closeServer(server);
    await client.connection.close();
    await db.end();
  });

  it('an order parked on an ERP message quoting the address: ids only in its search attributes and in every log line', async () => {
    const body = fixture('orders_create.json');
    const order = JSON.parse(body) as { customer: { id: number }; line_items: { sku: string }[] };
    const customerId = /"customer":\s*\{\s*"id":\s*(\d+)/.exec(body)?.[1] ?? String(order.customer.id);
    const erp = new FakeErp();
    erp.addCustomer('E-PII', null);
    const mappings = mappingRepository(db);
    await mappings.upsertCustomer(store, customerId, 'E-PII');
    await mappings.upsertSkus(
      store,
      order.line_items.map((l) => ({ storeSku: l.sku, erpSku: `${store}-${l.sku}` })),
    );
    for (const l of order.line_items) erp.stock.set(`${store}-${l.sku}@1`, 10);
    // NetSuite's own wording for a bad field value quotes the value: here, the buyer's street.
    erp.rejectNextCreate = 'Invalid Field Value 123 Shipping Street for the following field: shipaddress';
    const operator = (await principalRepository(db).create({ name: 'PII operator', role: 'operator' }))
      .apiKey;
    const log = createLogger('worker', { LOG_LEVEL: 'debug', LOG_PRETTY: false }, capture);
    const activities = createActivities({ db, erp, storefront: new FakeStorefront(), log });

    await withWorker(
      { taskQueue: `${store}-quayside-orders`, activities, dataConverter: { payloadCodecs: [codec] } },
      async () => {
        const delivered = await deliver(base, body, { secret, topic: 'orders/create' });
        expect(delivered.status).toBe(200);
        const workflowId = String(delivered.body.workflowId);
        const parked = await eventually(async () => {
          const res = await fetch(`${base}/orders/${encodeURIComponent(workflowId.split(':')[2]!)}`, {
            headers: { authorization: `Bearer ${operator}` },
          });
          const status = (await res.json()) as { attention?: { kind: string; reason: string } | null };
          return status.attention?.kind === 'erpRejected' ? status : null;
        }, 'the order parked on the ERP rejection');
        // The operator still reads the whole reason, through the authenticated API.
        expect(parked.attention?.reason).toContain('123 Shipping Street');

        const description = await client.workflow.getHandle(workflowId).describe();
        const attributes = JSON.stringify(description.searchAttributes);
        expect(attributes).toContain('erpRejected');
        for (const p of PERSONAL) expect(attributes, `search attributes hold "${p}"`).not.toContain(p);

        // The order's payloads in the history are ciphertext. (An activity failure's message is not
        // a payload: see docs/security.md.)
        const history = JSON.stringify(await client.workflow.getHandle(workflowId).fetchHistory());
        for (const p of ['jon@example.com', 'john@example.com', 'Steve', 'Shippington'])
          expect(history, `history holds "${p}"`).not.toContain(p);
      },
    );

    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).toContain('order needs attention');
    for (const line of lines)
      for (const p of PERSONAL) expect(line, `a log line holds "${p}"`).not.toContain(p);
  });
});
