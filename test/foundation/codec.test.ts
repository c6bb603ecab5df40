import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import type { Db } from '../../db/pool';
import { principalRepository } from '../../db/principals';
import { EncryptionCodec, parseKeys } from '../../platform/codec';
import { inventorySync } from '../../workflows/inventorySync';
import { testDb, testLog, uniqueTaskQueue } from '../support/env';
import { DEFAULT_RULES } from '../../domain/schemas/rules';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');

describe('payload encryption', () => {
  let db: Db;
  let connection: Connection;
  let server: Server;
  let base: string;
  const codec = new EncryptionCodec(parseKeys(`${newKey},${oldKey}`));

  beforeAll(async () => {
    db = testDb();
    connection = await Connection.connect({ address: inject('temporalAddress') });
    server = createApp({
      temporal: new Client({ connection }),
      db,
      log: testLog,
      store: 'codec',
      taskQueuePrefix: 'codec',
      payloadCodec: codec,
    }).listen(0);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await connection?.close();
    await db?.end();
  });

  it('round-trips payloads, opens ones sealed with an older key, and refuses unknown keys', async () => {
    const value = { customer: 'Acme Tools', total: '99.10' };
    const payload = defaultPayloadConverter.toPayload(value);
    const open = async (c: EncryptionCodec, p: typeof payload) =>
      defaultPayloadConverter.fromPayload((await c.decode([p]))[0]!);
    const [sealed] = await codec.encode([payload]);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('Acme');
    expect(await open(codec, sealed!)).toEqual(value);

    const [byOldKey] = await new EncryptionCodec(parseKeys(oldKey)).encode([payload]);
    expect(await open(codec, byOldKey!)).toEqual(value);
    await expect(
      new EncryptionCodec(parseKeys(randomBytes(32).toString('base64'))).decode([sealed!]),
    ).rejects.toThrow(/unknown key/);
  });

  it('keeps workflow inputs and results encrypted in Temporal, readable to clients with the key', async () => {
    const taskQueue = uniqueTaskQueue('codec');
    const dataConverter = { payloadCodecs: [codec] };
    const workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      workflowsPath: path.join(__dirname, '../../workflows/inventorySync.ts'),
      dataConverter,
      activities: {
        loadInventoryRules: async () => ({ version: 0, rules: DEFAULT_RULES.inventory }),
        resetSyncCursor: async () => undefined,
        syncInventoryPage: async () => ({
          changed: 0,
          pushed: 0,
          unmapped: 0,
          stale: 0,
          hasMore: false,
          lagMs: null,
        }),
      },
    });
    try {
      const client = new Client({ connection, dataConverter });
      const workflowId = `codec-${Date.now()}`;
      const result = await worker.runUntil(
        client.workflow.execute(inventorySync, {
          taskQueue,
          workflowId,
          args: [
            { store: 'secret-store-name', pollIntervalSeconds: 1, pageSize: 10, stopWhenCaughtUp: true },
          ],
        }),
      );
      expect(result).toMatchObject({ pages: 1, caughtUp: true });

      const raw = await new Client({ connection }).workflow.getHandle(workflowId).fetchHistory();
      const input = raw.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
      expect(Buffer.from(input.data!).toString('latin1')).not.toContain('secret-store-name');

      // The codec endpoint opens it for an operator, and for nobody else.
      const body = JSON.stringify({
        payloads: [
          {
            metadata: {
              encoding: Buffer.from(input.metadata!.encoding!).toString('base64'),
              'encryption-key-id': Buffer.from(input.metadata!['encryption-key-id']!).toString('base64'),
            },
            data: Buffer.from(input.data!).toString('base64'),
          },
        ],
      });
      expect(
        (
          await fetch(`${base}/codec/decode`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          })
        ).status,
      ).toBe(401);
      const { apiKey } = await principalRepository(db).create({ name: 'Codec reader', role: 'operator' });
      const decoded = await fetch(`${base}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body,
      });
      expect(decoded.status).toBe(200);
      const [plain] = ((await decoded.json()) as { payloads: { data: string }[] }).payloads;
      expect(JSON.parse(Buffer.from(plain!.data, 'base64').toString())).toMatchObject({
        store: 'secret-store-name',
      });
    } finally {
      await workerConnection.close();
    }
  });
});
