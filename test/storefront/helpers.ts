import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { shopifyHmac } from '../../connectors/shopify/webhooks/verify';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'shopify');
export const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

export async function listen(app: {
  listen(port: number, host: string): Server;
}): Promise<{ server: Server; base: string }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export interface DeliveryOptions {
  secret: string;
  topic: string;
  webhookId?: string;
  eventId?: string;
  /** 'legacy' sends X-Shopify-* headers, 'new' the unprefixed shopify-* set, 'both' both (as Shopify does now). */
  headerStyle?: 'legacy' | 'new' | 'both';
  signature?: string;
  shop?: string;
}

/** Posts a webhook exactly as Shopify does: raw body, base64 HMAC-SHA256 header, delivery headers. */
export async function deliver(base: string, body: string, opts: DeliveryOptions) {
  const webhookId = opts.webhookId ?? randomUUID();
  const values: Record<string, string> = {
    topic: opts.topic,
    'hmac-sha256': opts.signature ?? shopifyHmac(body, opts.secret),
    'shop-domain': opts.shop ?? 'quayside-test.myshopify.com',
    'api-version': '2026-04',
    'webhook-id': webhookId,
    'event-id': opts.eventId ?? randomUUID(),
    'triggered-at': new Date().toISOString(),
  };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const style = opts.headerStyle ?? 'legacy';
  for (const [k, v] of Object.entries(values)) {
    if (style !== 'new')
      headers[`X-Shopify-${k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())}`] =
        v;
    if (style !== 'legacy') headers[`shopify-${k}`] = v;
  }
  const res = await fetch(`${base}/webhooks/shopify`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, webhookId };
}

/** Polls `fn` until it returns a value that passes `ok`, or fails at the deadline with the last value. */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function countExecutions(client: Client, workflowId: string): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n += 1;
  return n;
}

/** The signals a workflow received, decoded: [signalName, firstArg]. */
export async function signalsOf(
  client: Client,
  workflowId: string,
): Promise<{ name: string; arg: Record<string, unknown> }[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.workflowExecutionSignaledEventAttributes)
    .map((e) => {
      const a = e.workflowExecutionSignaledEventAttributes!;
      const payload = a.input?.payloads?.[0];
      return {
        name: a.signalName ?? '',
        arg: (payload ? defaultPayloadConverter.fromPayload(payload) : {}) as Record<string, unknown>,
      };
    });
}
