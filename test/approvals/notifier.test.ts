import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverNotification } from '../../activities/notify';
import {
  createWebhookNotifier,
  NotificationRejectedError,
  verifyNotification,
  type Notification,
} from '../../connectors/notifier';
import type { Db } from '../../db/pool';
import { testDb } from '../support/env';

const SECRET = 'receiver-shared-secret';

interface Received {
  id: string;
  valid: boolean;
  body: Notification;
}

/** A local receiver that answers each request with the next scripted status. */
function receiver(script: number[]) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const valid = verifyNotification(
        SECRET,
        {
          signature: req.headers['x-quayside-signature'] as string,
          timestamp: req.headers['x-quayside-timestamp'] as string,
        },
        raw,
      );
      received.push({
        id: req.headers['x-quayside-notification-id'] as string,
        valid,
        body: JSON.parse(raw) as Notification,
      });
      res.statusCode = script.shift() ?? 200;
      res.end('{}');
    });
  });
  return { server, received };
}

const note = (id: string): Notification => ({
  id,
  kind: 'return.refunded',
  recipient: { role: 'buyer', id: 'C-77', store: 's' },
  subject: 'Your refund',
  text: 'We refunded 80.00 USD.',
  data: { amount: '80.00' },
});

describe('HTTP webhook notifier', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(async () => {
    await db.end();
  });

  async function withReceiver<T>(
    script: number[],
    fn: (url: string, received: Received[]) => Promise<T>,
  ): Promise<T> {
    const { server, received } = receiver(script);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/quayside`, received);
    } finally {
      server.close();
    }
  }

  it('posts signed JSON and retries after a server error until it is delivered', async () => {
    await withReceiver([503, 200], async (url, received) => {
      const notifier = createWebhookNotifier({ url, secret: SECRET, backoffMs: 10 });
      const receipt = await notifier.send(note('n-1'));
      expect(receipt).toEqual({ channel: 'webhook', attempts: 2, status: 200 });
      expect(received.map((r) => [r.id, r.valid])).toEqual([
        ['n-1', true],
        ['n-1', true],
      ]);
      expect(received[1]?.body).toMatchObject({ kind: 'return.refunded', text: 'We refunded 80.00 USD.' });
      expect(
        verifyNotification(
          'another-secret',
          { signature: 'sha256=00', timestamp: String(Math.floor(Date.now() / 1000)) },
          '{}',
        ),
      ).toBe(false);
    });
  });

  it('does not retry a notification the receiver refuses', async () => {
    await withReceiver([422], async (url, received) => {
      const notifier = createWebhookNotifier({ url, secret: SECRET, backoffMs: 10 });
      await expect(notifier.send(note('n-2'))).rejects.toBeInstanceOf(NotificationRejectedError);
      expect(received).toHaveLength(1);
    });
  });

  it('sends each notification once, however often the activity runs, and logs it', async () => {
    await withReceiver([200], async (url, received) => {
      const notifier = createWebhookNotifier({ url, secret: SECRET, backoffMs: 10 });
      const id = `n-once-${Date.now()}`;
      expect(await deliverNotification({ db, notifier }, note(id))).toEqual({
        status: 'sent',
        duplicate: false,
      });
      expect(await deliverNotification({ db, notifier }, note(id))).toEqual({
        status: 'sent',
        duplicate: true,
      });
      expect(received).toHaveLength(1);
      const row = await db.query('SELECT status, attempts, channel FROM notifications WHERE id = $1', [id]);
      expect(row.rows).toEqual([{ status: 'sent', attempts: 1, channel: 'webhook' }]);
    });
  });
});
