import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export interface SandboxCredentials {
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

const enc = (v: string) =>
  encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function parseOAuthHeader(header: string): Map<string, string> | null {
  if (!/^OAuth\s/i.test(header)) return null;
  const fields = new Map<string, string>();
  for (const m of header.slice(6).matchAll(/([A-Za-z_]+)\s*=\s*"([^"]*)"/g)) {
    try {
      fields.set(m[1]!, decodeURIComponent(m[2]!));
    } catch {
      return null;
    }
  }
  return fields;
}

/**
 * Checks an OAuth 1.0a (token-based authentication) signature the standard way: HMAC-SHA256 over
 * the method, the base URL and all oauth_* and query parameters, keyed with both secrets.
 * Returns a reason when the request is not authenticated.
 */
export function createTbaVerifier(creds: SandboxCredentials, windowSeconds = 300) {
  const seen = new Map<string, number>();
  return function verify(req: Request): string | null {
    const fields = parseOAuthHeader(req.get('authorization') ?? '');
    if (!fields) return 'missing OAuth authorization header';
    if ((fields.get('realm') ?? '').toUpperCase() !== creds.accountId.toUpperCase()) return 'wrong realm';
    if (fields.get('oauth_consumer_key') !== creds.consumerKey) return 'unknown consumer key';
    if (fields.get('oauth_token') !== creds.tokenId) return 'unknown token';
    if (fields.get('oauth_signature_method') !== 'HMAC-SHA256') return 'unsupported signature method';
    const ts = Number(fields.get('oauth_timestamp'));
    const nowS = Date.now() / 1000;
    if (!Number.isFinite(ts) || Math.abs(nowS - ts) > windowSeconds)
      return 'timestamp outside the allowed window';
    const nonce = fields.get('oauth_nonce');
    if (!nonce) return 'missing nonce';

    const url = new URL(`${req.protocol}://${req.get('host')}${req.originalUrl}`);
    const params: [string, string][] = [];
    for (const [k, v] of url.searchParams) params.push([enc(k), enc(v)]);
    for (const [k, v] of fields) if (k !== 'realm' && k !== 'oauth_signature') params.push([enc(k), enc(v)]);
    params.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
    const base = [
      req.method.toUpperCase(),
      enc(`${url.protocol}//${url.host.toLowerCase()}${url.pathname}`),
      enc(params.map(([k, v]) => `${k}=${v}`).join('&')),
    ].join('&');
    const expected = createHmac('sha256', `${enc(creds.consumerSecret)}&${enc(creds.tokenSecret)}`)
      .update(base)
      .digest();
    const given = Buffer.from(fields.get('oauth_signature') ?? '', 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch';

    const key = `${ts}:${nonce}`;
    if (seen.has(key)) return 'nonce already used';
    seen.set(key, nowS);
    if (seen.size > 50_000) for (const [k, at] of seen) if (nowS - at > windowSeconds) seen.delete(k);
    return null;
  };
}
