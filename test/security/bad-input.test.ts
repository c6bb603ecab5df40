import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './api';

/**
 * Sends a POST with the given headers and keeps writing 64 KB chunks (respecting backpressure) until
 * the server answers or `total` bytes are written; reports the answer and how much was sent by then.
 */
function upload(port: number, path: string, headers: Record<string, string>, total: number) {
  return new Promise<{ status: number; body: Record<string, unknown>; sentWhenAnswered: number }>(
    (resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
        answered = true;
        const sentWhenAnswered = sent;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
            sentWhenAnswered,
          });
        });
      });
      // The server may close the connection while we are still writing: that is the point.
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const chunk = Buffer.alloc(64 * 1024, 0x7b);
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      pump();
    },
  );
}

describe('bad input never reaches a 5xx', () => {
  let api: TestApi;
  const THIRTY_MB = 30 * 1024 * 1024;

  beforeAll(async () => {
    api = await startApi({ store: 'bad-input-store', taskQueuePrefix: `bad${Date.now().toString(36)}` });
  });
  afterAll(async () => api?.close());

  it('an unsigned 30 MB webhook is refused before its body is read', async () => {
    const r = await upload(
      api.port,
      '/webhooks/shopify',
      {
        'content-type': 'application/json',
        'content-length': String(THIRTY_MB),
        'x-shopify-topic': 'orders/create',
      },
      THIRTY_MB,
    );
    expect([401, 413]).toContain(r.status);
    expect(r.body).toMatchObject({
      code: expect.any(String),
      message: expect.any(String),
      requestId: expect.any(String),
    });
    // Answered after a fraction of the body, so the server neither buffered nor drained it.
    expect(r.sentWhenAnswered).toBeLessThan(THIRTY_MB / 2);
  });

  it('an unsigned webhook without a Content-Length is refused from its headers', async () => {
    const r = await upload(
      api.port,
      '/webhooks/shopify',
      {
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
        'x-shopify-topic': 'orders/create',
      },
      THIRTY_MB,
    );
    expect(r).toMatchObject({ status: 401, body: { code: 'WEBHOOK.UNAUTHORIZED' } });
    expect(r.sentWhenAnswered).toBeLessThan(THIRTY_MB / 2);
  });

  it('a signed-looking webhook streamed past the limit is cut at the limit with 413', async () => {
    const r = await upload(
      api.port,
      '/webhooks/shopify',
      {
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
        'x-shopify-topic': 'orders/create',
        'x-shopify-hmac-sha256': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      },
      THIRTY_MB,
    );
    expect(r).toMatchObject({ status: 413, body: { code: 'REQUEST.TOO_LARGE' } });
    expect(r.sentWhenAnswered).toBeLessThan(THIRTY_MB / 2);
  });

  it('a JSON body declared over the API limit is refused with 413 before it is read', async () => {
    const r = await upload(
      api.port,
      '/orders',
      { 'content-type': 'application/json', 'content-length': String(THIRTY_MB) },
      THIRTY_MB,
    );
    expect(r).toMatchObject({ status: 413, body: { code: 'REQUEST.TOO_LARGE' } });
    expect(r.sentWhenAnswered).toBeLessThan(THIRTY_MB / 2);
  });

  it("GET /orders/%00%ff'-- is a 400 with a stable code, signed in or not", async () => {
    for (const key of [undefined, 'qk_not_a_real_key']) {
      const r = await api.call('GET', "/orders/%00%ff'--", key);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'REQUEST.MALFORMED_PATH', requestId: expect.any(String) });
    }
  });

  it('malformed JSON, a wrong charset and an unknown encoding are 4xx with {code, message, requestId}', async () => {
    const cases: [Record<string, string>, string, number, string][] = [
      [{ 'content-type': 'application/json' }, '{"outcome":', 400, 'REQUEST.MALFORMED_JSON'],
      [{ 'content-type': 'application/json; charset=ebcdic' }, '{}', 415, 'REQUEST.UNSUPPORTED_CHARSET'],
      [
        { 'content-type': 'application/json', 'content-encoding': 'br2' },
        '{}',
        415,
        'REQUEST.UNSUPPORTED_ENCODING',
      ],
    ];
    for (const [headers, body, status, code] of cases) {
      const r = await api.call('POST', '/approvals/x/decision', undefined, body, headers);
      expect(r.status, `${JSON.stringify(headers)} ${body}`).toBe(status);
      expect(r.body).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
    }
  });
});
