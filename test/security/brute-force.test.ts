import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principalRepository } from '../../db/principals';
import { startApi, type TestApi } from './api';

describe('brute-force protection on authentication failures', () => {
  let api: TestApi;
  let key: string;

  beforeAll(async () => {
    api = await startApi({
      store: 'bf-store',
      taskQueuePrefix: `bf${Date.now().toString(36)}`,
      authFailureLimits: { perKey: 3, perAddress: 8, windowSeconds: 60, namespace: `bf-${randomUUID()}` },
    });
    key = (await principalRepository(api.db).create({ name: 'Opal Operator', role: 'operator' })).apiKey;
  });
  afterAll(async () => api?.close());

  /** The same key id with a wrong secret. */
  const wrongSecret = (k: string) => k.replace(/_[^_]+$/, `_${'x'.repeat(43)}`);
  const headers = (address: string) => ({ 'x-forwarded-for': address });

  it('locks a key id after repeated wrong secrets, with 429 and Retry-After, even for the right secret', async () => {
    const from = headers('10.0.0.1');
    for (let i = 0; i < 3; i++) {
      const r = await api.call('GET', '/orders', wrongSecret(key), undefined, from);
      expect(r).toMatchObject({ status: 401, body: { code: 'AUTH.UNAUTHENTICATED' } });
    }
    const fourth = await api.call('GET', '/orders', wrongSecret(key), undefined, from);
    expect(fourth).toMatchObject({ status: 429, body: { code: 'AUTH.TOO_MANY_FAILURES' } });
    const retryAfter = Number(fourth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The key id stays locked from another address too, and the real secret does not get through.
    const right = await api.call('GET', '/orders', key, undefined, headers('10.0.0.2'));
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('locks a client address that tries many different keys', async () => {
    const from = headers('10.0.0.9');
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const forged = `qk_${randomUUID().replace(/-/g, '').slice(0, 16)}_${'A'.repeat(43)}`;
      statuses.push((await api.call('GET', '/approvals', forged, undefined, from)).status);
    }
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses[8]).toBe(429);
    // Malformed keys from that address are refused the same way.
    const r = await api.call('GET', '/approvals', 'not-a-key', undefined, from);
    expect(r).toMatchObject({ status: 429, body: { code: 'AUTH.TOO_MANY_FAILURES' } });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('leaves other addresses and other keys alone', async () => {
    const other = (await principalRepository(api.db).create({ name: 'Una', role: 'approver' })).apiKey;
    const r = await api.call('GET', '/approvals', other, undefined, headers('10.0.0.77'));
    expect(r.status).toBe(200);
  });
});
