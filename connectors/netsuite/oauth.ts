import { createHmac, randomBytes } from 'node:crypto';

/** Token-based authentication credentials (OAuth 1.0a) of a NetSuite integration record and access token. */
export interface TbaCredentials {
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

/** RFC 3986 percent-encoding, as OAuth 1.0a requires. */
export function oauthEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The signature base string: method, base URL and every oauth and query parameter, sorted. */
export function signatureBaseString(method: string, url: URL, oauthParams: Record<string, string>): string {
  const params: [string, string][] = [];
  for (const [k, v] of url.searchParams) params.push([oauthEncode(k), oauthEncode(v)]);
  for (const [k, v] of Object.entries(oauthParams)) params.push([oauthEncode(k), oauthEncode(v)]);
  params.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const normalized = params.map(([k, v]) => `${k}=${v}`).join('&');
  const port =
    url.port &&
    !((url.protocol === 'http:' && url.port === '80') || (url.protocol === 'https:' && url.port === '443'))
      ? `:${url.port}`
      : '';
  const base = `${url.protocol.toLowerCase()}//${url.hostname.toLowerCase()}${port}${url.pathname}`;
  return [method.toUpperCase(), oauthEncode(base), oauthEncode(normalized)].join('&');
}

/** The `Authorization: OAuth …` header for one request, signed with HMAC-SHA256. */
export function authorizationHeader(
  creds: TbaCredentials,
  method: string,
  url: URL,
  now: () => number = Date.now,
  nonce: () => string = () => randomBytes(16).toString('hex'),
): string {
  const oauth: Record<string, string> = {
    oauth_consumer_key: creds.consumerKey,
    oauth_token: creds.tokenId,
    oauth_signature_method: 'HMAC-SHA256',
    oauth_timestamp: String(Math.floor(now() / 1000)),
    oauth_nonce: nonce(),
    oauth_version: '1.0',
  };
  const key = `${oauthEncode(creds.consumerSecret)}&${oauthEncode(creds.tokenSecret)}`;
  const signature = createHmac('sha256', key)
    .update(signatureBaseString(method, url, oauth))
    .digest('base64');
  const fields = { realm: creds.accountId, ...oauth, oauth_signature: signature };
  return `OAuth ${Object.entries(fields)
    .map(([k, v]) => `${k}="${oauthEncode(v)}"`)
    .join(', ')}`;
}
